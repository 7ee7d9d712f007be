import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteStore } from './sqlite.js';
import type { StsStore } from './types.js';

/** Opens (creating when needed) the data directory, mode 0700, and its migrated SQLite store. */
export async function openDataDirectory(dataDir: string): Promise<StsStore> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'sts.db');
  // The database contains password hashes and recoverable digest passwords, so only the owner may
  // read it. SQLite gives its -wal and -shm files the database file's mode.
  if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  const store = new SqliteStore(file);
  await store.migrate();
  return store;
}
