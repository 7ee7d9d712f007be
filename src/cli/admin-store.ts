import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors/index.js';
import { openDataDirectory, StoreConflictError, type StsStore } from '../store/index.js';

/** File name of the SQLite store inside the data directory. */
const STORE_FILE = 'sts.db';

/**
 * Opens the data directory's store for one admin command and closes it afterwards. Store
 * conflicts (a missing user, a duplicate name) become usage errors with their message. The
 * server picks up every change on its next request, because each write bumps the revision.
 *
 * @throws UsageError when the directory or its store does not exist. Only `sts serve` creates a
 * data directory, so that a mistyped --data-dir cannot fill a new store that no server reads.
 */
export async function withStore<T>(dataDir: string, work: (store: StsStore, dataDir: string) => Promise<T>): Promise<T> {
  const resolved = path.resolve(dataDir);
  checkDataDirectory(resolved);
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

/** Checks that `dataDir` (an absolute path) is a directory holding the store file. */
function checkDataDirectory(dataDir: string): void {
  const notFound = new UsageError(
    `data directory ${dataDir} not found (no ${STORE_FILE}); check --data-dir or STS_DATA_DIR, ` +
      `or start "sts serve --data-dir ${dataDir}" once to create it`,
  );
  const directory = statPath(dataDir);
  if (!directory) throw notFound;
  if (!directory.isDirectory()) {
    throw new UsageError(`data directory ${dataDir} is a file, not a directory; check --data-dir or STS_DATA_DIR`);
  }
  if (!statPath(path.join(dataDir, STORE_FILE))?.isFile()) throw notFound;
}

/** Returns the file's status, or undefined when it or a parent directory does not exist. */
function statPath(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`cannot read ${file} (${code ?? String(error)}); check its permissions`);
  }
}
