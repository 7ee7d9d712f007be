import Database from 'better-sqlite3';
import { migrations } from './migrations.js';
import {
  StoreConflictError,
  type KeyEntryRecord,
  type RelyingPartyRecord,
  type StsStore,
  type UserRecord,
} from './types.js';

interface UserRow {
  name: string;
  password_hash: string;
  digest_secret: string | null;
  created_at: string;
  updated_at: string;
}

interface KeyRow {
  alias: string;
  kind: 'signing' | 'trusted';
  certificate_pem: string;
  chain_pem: string;
  private_key_file: string | null;
  active: number;
  created_at: string;
}

/**
 * Embedded store in one SQLite file. WAL mode and a busy timeout let the CLI write while the
 * server runs. Every write runs in a transaction that also bumps the revision counter.
 */
export class SqliteStore implements StsStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (row) => row.version,
      ),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, new Date().toISOString());
      }).immediate();
    }
  }

  async revision(): Promise<number> {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'revision'").get() as { value: string };
    return Number(row.value);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Runs `work` in an immediate transaction and bumps the revision counter. */
  private write<T>(work: () => T): T {
    return this.db.transaction(() => {
      const result = work();
      this.db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'").run();
      return result;
    }).immediate();
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
    return row ? this.toUser(row) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[];
    return rows.map((row) => this.toUser(row));
  }

  private toUser(row: UserRow): UserRecord {
    const roles = (
      this.db.prepare('SELECT role_name FROM user_roles WHERE user_name = ? ORDER BY role_name').all(row.name) as Array<{
        role_name: string;
      }>
    ).map((r) => r.role_name);
    const claims: Record<string, string[]> = {};
    const claimRows = this.db
      .prepare('SELECT claim_uri, value FROM user_claims WHERE user_name = ? ORDER BY claim_uri, position')
      .all(row.name) as Array<{ claim_uri: string; value: string }>;
    for (const claim of claimRows) (claims[claim.claim_uri] ??= []).push(claim.value);
    return {
      name: row.name,
      passwordHash: row.password_hash,
      digestSecret: row.digest_secret,
      roles,
      claims,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async createUser(user: { name: string; passwordHash: string; digestSecret: string | null }): Promise<void> {
    const now = new Date().toISOString();
    this.write(() => {
      if (this.db.prepare('SELECT 1 FROM users WHERE name = ?').get(user.name)) {
        throw new StoreConflictError(`user ${user.name} already exists`);
      }
      this.db
        .prepare('INSERT INTO users (name, password_hash, digest_secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(user.name, user.passwordHash, user.digestSecret, now, now);
    });
  }

  async updatePassword(name: string, passwordHash: string, digestSecret: string | null): Promise<void> {
    this.write(() => {
      const result = this.db
        .prepare('UPDATE users SET password_hash = ?, digest_secret = ?, updated_at = ? WHERE name = ?')
        .run(passwordHash, digestSecret, new Date().toISOString(), name);
      if (result.changes === 0) throw new StoreConflictError(`user ${name} not found`);
    });
  }

  async deleteUser(name: string): Promise<boolean> {
    return this.write(() => this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0);
  }

  async setUserClaim(name: string, claimUri: string, values: string[]): Promise<void> {
    this.write(() => {
      this.requireUser(name);
      this.db.prepare('DELETE FROM user_claims WHERE user_name = ? AND claim_uri = ?').run(name, claimUri);
      const insert = this.db.prepare(
        'INSERT INTO user_claims (user_name, claim_uri, position, value) VALUES (?, ?, ?, ?)',
      );
      values.forEach((value, position) => insert.run(name, claimUri, position, value));
      this.touchUser(name);
    });
  }

  async removeUserClaim(name: string, claimUri: string): Promise<boolean> {
    return this.write(() => {
      this.requireUser(name);
      const removed =
        this.db.prepare('DELETE FROM user_claims WHERE user_name = ? AND claim_uri = ?').run(name, claimUri).changes > 0;
      this.touchUser(name);
      return removed;
    });
  }

  async addUserRole(name: string, role: string): Promise<void> {
    this.write(() => {
      this.requireUser(name);
      if (!this.db.prepare('SELECT 1 FROM roles WHERE name = ?').get(role)) {
        throw new StoreConflictError(`role ${role} not found; create it with "sts roles add ${role}"`);
      }
      this.db.prepare('INSERT OR IGNORE INTO user_roles (user_name, role_name) VALUES (?, ?)').run(name, role);
      this.touchUser(name);
    });
  }

  async removeUserRole(name: string, role: string): Promise<boolean> {
    return this.write(() => {
      this.requireUser(name);
      const removed =
        this.db.prepare('DELETE FROM user_roles WHERE user_name = ? AND role_name = ?').run(name, role).changes > 0;
      this.touchUser(name);
      return removed;
    });
  }

  private requireUser(name: string): void {
    if (!this.db.prepare('SELECT 1 FROM users WHERE name = ?').get(name)) {
      throw new StoreConflictError(`user ${name} not found`);
    }
  }

  private touchUser(name: string): void {
    this.db.prepare('UPDATE users SET updated_at = ? WHERE name = ?').run(new Date().toISOString(), name);
  }

  async listRoles(): Promise<string[]> {
    return (this.db.prepare('SELECT name FROM roles ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  }

  async addRole(role: string): Promise<boolean> {
    return this.write(() => this.db.prepare('INSERT OR IGNORE INTO roles (name) VALUES (?)').run(role).changes > 0);
  }

  async removeRole(role: string): Promise<boolean> {
    return this.write(() => this.db.prepare('DELETE FROM roles WHERE name = ?').run(role).changes > 0);
  }

  async getSetting<T>(key: string): Promise<T | undefined> {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    this.write(() => {
      this.db
        .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
        .run(key, JSON.stringify(value));
    });
  }

  async listRelyingParties(): Promise<RelyingPartyRecord[]> {
    const rows = this.db.prepare('SELECT * FROM relying_parties ORDER BY name').all() as Array<{
      name: string;
      config: string;
      created_at: string;
      updated_at: string;
    }>;
    return rows.map((row) => ({
      name: row.name,
      config: JSON.parse(row.config) as Record<string, unknown>,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  async getRelyingParty(name: string): Promise<RelyingPartyRecord | undefined> {
    return (await this.listRelyingParties()).find((party) => party.name === name);
  }

  async putRelyingParty(name: string, config: Record<string, unknown>): Promise<void> {
    const now = new Date().toISOString();
    this.write(() => {
      this.db
        .prepare(
          `INSERT INTO relying_parties (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
        )
        .run(name, JSON.stringify(config), now, now);
    });
  }

  async deleteRelyingParty(name: string): Promise<boolean> {
    return this.write(() => this.db.prepare('DELETE FROM relying_parties WHERE name = ?').run(name).changes > 0);
  }

  async listKeyEntries(): Promise<KeyEntryRecord[]> {
    const rows = this.db.prepare('SELECT * FROM key_entries ORDER BY alias').all() as KeyRow[];
    return rows.map(toKeyEntry);
  }

  async getKeyEntry(alias: string): Promise<KeyEntryRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM key_entries WHERE alias = ?').get(alias) as KeyRow | undefined;
    return row ? toKeyEntry(row) : undefined;
  }

  async putKeyEntry(entry: Omit<KeyEntryRecord, 'createdAt'>): Promise<void> {
    this.write(() => {
      if (entry.active) this.db.prepare("UPDATE key_entries SET active = 0 WHERE kind = 'signing'").run();
      this.db
        .prepare(
          `INSERT INTO key_entries (alias, kind, certificate_pem, chain_pem, private_key_file, active, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (alias) DO UPDATE SET kind = excluded.kind, certificate_pem = excluded.certificate_pem,
             chain_pem = excluded.chain_pem, private_key_file = excluded.private_key_file, active = excluded.active`,
        )
        .run(
          entry.alias,
          entry.kind,
          entry.certificatePem,
          entry.chainPem,
          entry.privateKeyFile,
          entry.active ? 1 : 0,
          new Date().toISOString(),
        );
    });
  }

  async deleteKeyEntry(alias: string): Promise<boolean> {
    return this.write(() => this.db.prepare('DELETE FROM key_entries WHERE alias = ?').run(alias).changes > 0);
  }

  async activateSigningKey(alias: string): Promise<void> {
    this.write(() => {
      const row = this.db.prepare('SELECT kind FROM key_entries WHERE alias = ?').get(alias) as
        | { kind: string }
        | undefined;
      if (!row) throw new StoreConflictError(`key alias ${alias} not found`);
      if (row.kind !== 'signing') {
        throw new StoreConflictError(`key alias ${alias} is a trusted certificate without a private key`);
      }
      this.db.prepare("UPDATE key_entries SET active = CASE WHEN alias = ? THEN 1 ELSE 0 END WHERE kind = 'signing'").run(alias);
    });
  }
}

function toKeyEntry(row: KeyRow): KeyEntryRecord {
  return {
    alias: row.alias,
    kind: row.kind,
    certificatePem: row.certificate_pem,
    chainPem: row.chain_pem,
    privateKeyFile: row.private_key_file,
    active: row.active === 1,
    createdAt: row.created_at,
  };
}
