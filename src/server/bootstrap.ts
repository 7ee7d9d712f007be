import { randomBytes } from 'node:crypto';
import type { StsConfig } from '../config/index.js';
import { KeyManager } from '../crypto/key-manager.js';
import { DigestSecretBox, hashPassword } from '../identity/index.js';
import type { Logger } from '../log/index.js';
import { DEFAULT_SECURITY_POLICY, SECURITY_POLICY_SETTING } from '../policy/index.js';
import type { StsStore } from '../store/index.js';

/** Name of the administrator account and role created on first start. */
export const ADMIN_USER = 'admin';

/** Outcome of first-start initialisation, which the caller reports to the operator. */
export interface BootstrapResult {
  signingKeyGenerated: boolean;
  /** Set only when the admin password was generated; printed once and never stored in clear. */
  generatedAdminPassword?: string;
  adminCreated: boolean;
}

/**
 * First-start initialisation, idempotent on later starts: a signing key, the admin role and
 * user, and the UsernameToken security policy with the admin role allowed.
 */
export async function bootstrap(
  store: StsStore,
  dataDir: string,
  config: StsConfig,
  logger: Logger,
): Promise<BootstrapResult> {
  const keys = new KeyManager(store, dataDir);
  const signing = await keys.ensureSigningKey(`STS signing key (${config.sts.issuerName})`);
  if (signing.generated) logger.info({ alias: signing.alias }, 'generated token-signing key');

  if (!(await store.getSetting(SECURITY_POLICY_SETTING))) {
    await store.setSetting(SECURITY_POLICY_SETTING, DEFAULT_SECURITY_POLICY);
    logger.info({ scenario: DEFAULT_SECURITY_POLICY.scenario }, 'applied default security policy');
  }

  const result: BootstrapResult = { signingKeyGenerated: signing.generated, adminCreated: false };
  await store.addRole(ADMIN_USER);
  if (!(await store.getUser(ADMIN_USER))) {
    const fromEnvironment = process.env.STS_ADMIN_PASSWORD;
    const password = fromEnvironment || randomBytes(18).toString('base64url');
    // The bootstrap admin can use PasswordDigest, so `sts client --digest` works out of the box.
    // `sts users passwd admin --no-digest` removes the recoverable copy.
    const secrets = DigestSecretBox.open(dataDir);
    await store.createUser({ name: ADMIN_USER, passwordHash: await hashPassword(password), digestSecret: secrets.seal(password) });
    await store.addUserRole(ADMIN_USER, ADMIN_USER);
    result.adminCreated = true;
    if (!fromEnvironment) result.generatedAdminPassword = password;
    logger.info({ principal: ADMIN_USER }, 'created admin user');
  }
  return result;
}
