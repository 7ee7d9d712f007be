import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DigestSecretBox } from './digest-secrets.js';
import { DUMMY_HASH_PROMISE, verifyPassword } from './passwords.js';

/** The fields of a stored user that authentication reads. */
export interface DirectoryUser {
  name: string;
  passwordHash: string;
  digestSecret: string | null;
  roles: string[];
  claims: Record<string, string[]>;
}

/** Source of users for authentication (the internal store, later LDAP). */
export interface UserDirectory {
  getUser(name: string): Promise<DirectoryUser | undefined>;
}

/** A user whose credentials were verified. */
export interface AuthenticatedUser {
  name: string;
  roles: string[];
  claims: Record<string, string[]>;
}

/**
 * Verifies passwords. Successful PasswordText checks are cached for `cacheTtlMs` under an HMAC of
 * user and password with a per-process key, so the slow scrypt runs once per login rather than
 * once per request; {@link clearCache} drops the cache when users change.
 */
export class Authenticator {
  private readonly cacheKey = randomBytes(32);
  private readonly cache = new Map<string, { user: AuthenticatedUser; expiresAtMs: number }>();
  private readonly inFlight = new Map<string, Promise<AuthenticatedUser | undefined>>();

  constructor(
    private readonly directory: UserDirectory,
    private readonly secrets: DigestSecretBox,
    private readonly cacheTtlMs = 60_000,
  ) {}

  /** Drops every cached verification (called when the user store changes). */
  clearCache(): void {
    this.cache.clear();
  }

  /**
   * Checks a clear-text password; returns undefined for an unknown user or a wrong password alike.
   * A success is cached only when `cacheable` accepts the user, so the caller can keep refused
   * users on the slow path.
   */
  async verifyPasswordText(
    username: string,
    password: string,
    cacheable: (user: AuthenticatedUser) => boolean = () => true,
  ): Promise<AuthenticatedUser | undefined> {
    const cacheId = createHmac('sha256', this.cacheKey).update(username).update('\0').update(password).digest('base64');
    const cached = this.cache.get(cacheId);
    if (cached && cached.expiresAtMs > Date.now()) return cached.user;

    // Concurrent requests with the same credentials share one scrypt run instead of each
    // starting its own when the cache is empty.
    const pending = this.inFlight.get(cacheId);
    if (pending) return pending;
    const check = this.checkPasswordText(username, password, cacheId, cacheable).finally(() => {
      this.inFlight.delete(cacheId);
    });
    this.inFlight.set(cacheId, check);
    return check;
  }

  private async checkPasswordText(
    username: string,
    password: string,
    cacheId: string,
    cacheable: (user: AuthenticatedUser) => boolean,
  ): Promise<AuthenticatedUser | undefined> {
    const user = await this.directory.getUser(username);
    if (!user) {
      await verifyPassword(password, await DUMMY_HASH_PROMISE);
      return undefined;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return undefined;
    const result = { name: user.name, roles: user.roles, claims: user.claims };
    if (!cacheable(result)) return result;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheId, { user: result, expiresAtMs: Date.now() + this.cacheTtlMs });
    return result;
  }

  /**
   * Checks a PasswordDigest: Base64(SHA-1(nonce bytes ‖ Created ‖ password)). Users without the
   * PasswordDigest opt-in fail like a wrong password. The comparison is constant-time.
   */
  async verifyPasswordDigest(
    username: string,
    nonce: Buffer,
    created: string,
    digest: Buffer,
  ): Promise<AuthenticatedUser | undefined> {
    const user = await this.directory.getUser(username);
    let password: string;
    try {
      password = user?.digestSecret ? this.secrets.open(user.digestSecret) : randomBytes(16).toString('hex');
    } catch {
      return undefined;
    }
    const expected = createHash('sha1').update(nonce).update(created, 'utf8').update(password, 'utf8').digest();
    const matches = digest.length === expected.length && timingSafeEqual(digest, expected);
    if (!user?.digestSecret || !matches) return undefined;
    return { name: user.name, roles: user.roles, claims: user.claims };
  }
}
