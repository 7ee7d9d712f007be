import type { StsConfig } from '../config/index.js';
import { KeyManager } from '../crypto/key-manager.js';
import type { SigningCredential } from '../crypto/xmldsig.js';
import { Authenticator, DigestSecretBox } from '../identity/index.js';
import type { Logger } from '../log/index.js';
import { DEFAULT_SECURITY_POLICY, SECURITY_POLICY_SETTING, type SecurityPolicySettings } from '../policy/index.js';
import { MemoryReplayCache, type ReplayCache, type StsStore } from '../store/index.js';
import { DialectClaimsResolver, type ClaimsResolver, type RelyingPartyResolver } from '../trust/index.js';
import { loadRelyingPartyRegistry } from './relying-parties.js';

/** Builds the relying-party resolver from the store; replaceable so richer registries can plug in. */
export type RelyingPartyResolverFactory = (store: StsStore, logger: Logger) => Promise<RelyingPartyResolver>;

/** State that changes when an administrator edits the store, reloaded when the revision moves. */
interface Snapshot {
  revision: number;
  policy: SecurityPolicySettings;
  relyingParties: RelyingPartyResolver;
  signing: SigningCredential;
  signingCertificatePem: string;
}

/**
 * Everything a request needs: configuration, store, keys, authentication and caches. Changes
 * made by the CLI (or another process sharing the store) take effect on the next request,
 * because {@link snapshot} compares the store revision first.
 */
export class StsRuntime {
  readonly authenticator: Authenticator;
  readonly keys: KeyManager;
  private current?: Snapshot;
  private loading?: Promise<Snapshot>;

  constructor(
    readonly config: StsConfig,
    readonly store: StsStore,
    readonly dataDir: string,
    readonly logger: Logger,
    readonly replayCache: ReplayCache = new MemoryReplayCache(),
    readonly claims: ClaimsResolver = new DialectClaimsResolver(),
    private readonly relyingPartyFactory: RelyingPartyResolverFactory = loadRelyingPartyRegistry,
  ) {
    this.authenticator = new Authenticator(store, DigestSecretBox.open(dataDir));
    this.keys = new KeyManager(store, dataDir);
  }

  /** Returns the current snapshot, reloading it when the store revision has changed. */
  async snapshot(): Promise<Snapshot> {
    const revision = await this.store.revision();
    if (this.current && this.current.revision === revision) return this.current;
    this.loading ??= this.load(revision).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(revision: number): Promise<Snapshot> {
    const previous = this.current;
    const policy = (await this.store.getSetting<SecurityPolicySettings>(SECURITY_POLICY_SETTING)) ?? DEFAULT_SECURITY_POLICY;
    const relyingParties = await this.relyingPartyFactory(this.store, this.logger);
    const { credential, certificatePem } = await this.keys.activeCredential();
    this.authenticator.clearCache();
    this.current = { revision, policy, relyingParties, signing: credential, signingCertificatePem: certificatePem };
    if (previous) {
      this.logger.info({ revision, signingKey: credential.alias }, 'configuration reloaded');
    }
    return this.current;
  }
}

export { openDataDirectory } from '../store/index.js';
