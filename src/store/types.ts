/** A user of the internal user store. */
export interface UserRecord {
  name: string;
  /** scrypt hash in the `scrypt$N$r$p$salt$hash` format; never a plain or fast hash. */
  passwordHash: string;
  /**
   * The password encrypted under the data directory's digest key, present only for users who
   * opted in to WS-Security PasswordDigest (which needs the clear password on the server).
   */
  digestSecret: string | null;
  roles: string[];
  /** Claim values by claim URI; a claim may have several values. */
  claims: Record<string, string[]>;
  createdAt: string;
  updatedAt: string;
}

/** A certificate or key entry of the key store (signing keys) or trust store (partners). */
export interface KeyEntryRecord {
  alias: string;
  kind: 'signing' | 'trusted';
  certificatePem: string;
  /** PEM chain after the end-entity certificate, possibly empty. */
  chainPem: string;
  /** File in the data directory holding the private key (mode 0600); signing entries only. */
  privateKeyFile: string | null;
  active: boolean;
  createdAt: string;
}

/** A registered relying party (service provider), stored as its validated JSON form. */
export interface RelyingPartyRecord {
  name: string;
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/**
 * Persistence used by the STS. The embedded implementation is SQLite; a shared deployment can
 * provide the same interface over PostgreSQL. Every write bumps `revision()`, which running
 * servers poll to pick up changes made by the CLI or another node without a restart.
 */
export interface StsStore {
  /** Applies pending schema migrations in order. */
  migrate(): Promise<void>;
  /** Change counter of administrator-managed data. */
  revision(): Promise<number>;
  close(): Promise<void>;

  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  createUser(user: { name: string; passwordHash: string; digestSecret: string | null }): Promise<void>;
  updatePassword(name: string, passwordHash: string, digestSecret: string | null): Promise<void>;
  deleteUser(name: string): Promise<boolean>;
  setUserClaim(name: string, claimUri: string, values: string[]): Promise<void>;
  removeUserClaim(name: string, claimUri: string): Promise<boolean>;
  addUserRole(name: string, role: string): Promise<void>;
  removeUserRole(name: string, role: string): Promise<boolean>;

  listRoles(): Promise<string[]>;
  addRole(role: string): Promise<boolean>;
  removeRole(role: string): Promise<boolean>;

  getSetting<T>(key: string): Promise<T | undefined>;
  setSetting(key: string, value: unknown): Promise<void>;

  listRelyingParties(): Promise<RelyingPartyRecord[]>;
  getRelyingParty(name: string): Promise<RelyingPartyRecord | undefined>;
  putRelyingParty(name: string, config: Record<string, unknown>): Promise<void>;
  deleteRelyingParty(name: string): Promise<boolean>;

  listKeyEntries(): Promise<KeyEntryRecord[]>;
  getKeyEntry(alias: string): Promise<KeyEntryRecord | undefined>;
  putKeyEntry(entry: Omit<KeyEntryRecord, 'createdAt'>): Promise<void>;
  deleteKeyEntry(alias: string): Promise<boolean>;
  /** Makes `alias` the only active signing key. */
  activateSigningKey(alias: string): Promise<void>;
}

/** Raised when a stored object that must exist does not, or one that must not exist does. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}
