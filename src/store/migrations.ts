/**
 * Versioned schema migrations, applied in order and recorded in `schema_migrations`. Never edit
 * a released migration; add a new one. The SQL is kept to what SQLite and PostgreSQL share.
 */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta (key, value) VALUES ('revision', '0');
      CREATE TABLE users (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        digest_secret TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE roles (name TEXT PRIMARY KEY);
      CREATE TABLE user_roles (
        user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        role_name TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
        PRIMARY KEY (user_name, role_name)
      );
      CREATE TABLE user_claims (
        user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        claim_uri TEXT NOT NULL,
        position INTEGER NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (user_name, claim_uri, position)
      );
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE relying_parties (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE key_entries (
        alias TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('signing', 'trusted')),
        certificate_pem TEXT NOT NULL,
        chain_pem TEXT NOT NULL,
        private_key_file TEXT,
        active INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
    `,
  },
];
