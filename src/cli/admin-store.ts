import path from 'node:path';
import { UsageError } from '../errors/index.js';
import { openDataDirectory, StoreConflictError, type StsStore } from '../store/index.js';

/**
 * Opens the data directory's store for one admin command and closes it afterwards. Store
 * conflicts (a missing user, a duplicate name) become usage errors with their message. The
 * server picks up every change on its next request, because each write bumps the revision.
 */
export async function withStore<T>(dataDir: string, work: (store: StsStore, dataDir: string) => Promise<T>): Promise<T> {
  const resolved = path.resolve(dataDir);
  const store = await openDataDirectory(resolved);
  try {
    return await work(store, resolved);
  } catch (error) {
    if (error instanceof StoreConflictError) throw new UsageError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}
