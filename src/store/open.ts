import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SqliteStore } from './sqlite.js';
import type { StsStore } from './types.js';

/** Opens (creating when needed) the data directory, mode 0700, and its migrated SQLite store. */
export async function openDataDirectory(dataDir: string): Promise<StsStore> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = new SqliteStore(path.join(dataDir, 'sts.db'));
  await store.migrate();
  return store;
}
