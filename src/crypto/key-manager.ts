import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors/index.js';
import type { KeyEntryRecord, StsStore } from '../store/index.js';
import {
  certificateToPem,
  describeCertificate,
  generateRsaKeyPair,
  generateSelfSignedCertificate,
  type CertificateInfo,
  type CertificateStatus,
} from './certificates.js';
import { planImport, type ImportKeyOptions } from './key-import.js';
import type { KeyMaterialEntry } from './keystore-formats.js';
import type { SigningCredential } from './xmldsig.js';

export type { ImportKeyOptions } from './key-import.js';

/** Alias of the signing key generated on first start. */
export const DEFAULT_SIGNING_ALIAS = 'sts-signing';

/** Validity of generated signing and TLS certificates, in days. */
export const GENERATED_CERTIFICATE_DAYS = 730;

/** Certificates that expire within this many days are reported as `expiring`. */
export const EXPIRY_WARNING_DAYS = 30;

/** An entry that {@link KeyManager.importEntries} wrote. */
export interface ImportedKeyEntry {
  alias: string;
  kind: KeyEntryRecord['kind'];
  active: boolean;
  /** True when the entry replaced an existing one of the same alias. */
  replaced: boolean;
  /** JKS alias or PKCS#12 friendlyName the entry had in the imported file. */
  sourceAlias?: string;
  sha256Fingerprint: string;
}

/** A key store or trust store entry with a summary of its certificate. */
export interface KeyEntryDescription extends CertificateInfo {
  alias: string;
  kind: KeyEntryRecord['kind'];
  active: boolean;
  /** Number of chain certificates stored after the entry's certificate. */
  chainLength: number;
  createdAt: string;
}

/** A stored certificate that has expired, expires within {@link EXPIRY_WARNING_DAYS} or is not valid yet. */
export interface CertificateWarning {
  alias: string;
  kind: KeyEntryRecord['kind'];
  active: boolean;
  status: Exclude<CertificateStatus, 'valid'>;
  notBefore: Date;
  notAfter: Date;
  /** One sentence naming the alias, the problem and the date. */
  message: string;
}

/**
 * Owns the STS's signing keys and the trust store. Certificates live in the store; private keys
 * live in files under `DATA_DIR/keys/` that only the owner can read.
 */
export class KeyManager {
  private cached?: { alias: string; credential: SigningCredential; certificatePem: string };

  constructor(
    readonly store: StsStore,
    readonly dataDir: string,
  ) {}

  /** Directory of private key files. */
  get keyDirectory(): string {
    return path.join(this.dataDir, 'keys');
  }

  /** Generates an RSA-2048 signing key and self-signed certificate when no signing key is active. */
  async ensureSigningKey(commonName: string): Promise<{ generated: boolean; alias: string }> {
    const active = (await this.store.listKeyEntries()).find(
      (entry) => entry.kind === 'signing' && entry.active,
    );
    if (active) return { generated: false, alias: active.alias };
    const { privateKey, publicKey } = generateRsaKeyPair(2048);
    const certificate = generateSelfSignedCertificate({
      privateKey,
      publicKey,
      commonName,
      validityDays: GENERATED_CERTIFICATE_DAYS,
    });
    let alias = DEFAULT_SIGNING_ALIAS;
    if (await this.store.getKeyEntry(alias)) alias = `${DEFAULT_SIGNING_ALIAS}-${Date.now()}`;
    await this.saveSigningKey(alias, certificate, [], privateKey, true);
    return { generated: true, alias };
  }

  /**
   * Writes a private key file (mode 0600) and records the signing entry in the store. An entry
   * that exists under `alias` is replaced, and its old key file is deleted after the store write.
   */
  async saveSigningKey(
    alias: string,
    certificate: X509Certificate,
    chain: X509Certificate[],
    privateKey: KeyObject,
    active: boolean,
  ): Promise<void> {
    const previous = await this.store.getKeyEntry(alias);
    const privateKeyFile = this.writePrivateKeyFile(alias, privateKey);
    try {
      await this.store.putKeyEntry({
        alias,
        kind: 'signing',
        certificatePem: certificateToPem(certificate),
        chainPem: chain.map(certificateToPem).join(''),
        privateKeyFile,
        active,
      });
    } catch (error) {
      this.deletePrivateKeyFile(privateKeyFile);
      throw error;
    }
    if (previous?.privateKeyFile && previous.privateKeyFile !== privateKeyFile) {
      this.deletePrivateKeyFile(previous.privateKeyFile);
    }
  }

  /**
   * Returns the active signing credential. The private key is loaded once per alias and reused,
   * so no PEM parsing happens per request. Activating another alias takes effect on the next call.
   */
  async activeCredential(): Promise<{ credential: SigningCredential; certificatePem: string }> {
    const entry = (await this.store.listKeyEntries()).find(
      (candidate) => candidate.kind === 'signing' && candidate.active,
    );
    if (!entry) {
      throw new Error(
        'no active signing key; run "sts keys activate ALIAS" or restart "sts serve"',
      );
    }
    if (this.cached?.alias === entry.alias && this.cached.certificatePem === entry.certificatePem) {
      return this.cached;
    }
    const credential = this.loadCredential(entry);
    this.cached = { alias: entry.alias, credential, certificatePem: entry.certificatePem };
    return this.cached;
  }

  /**
   * Stores key material read by `readKeyMaterial`: entries with a private key as signing keys,
   * the others as trusted certificates. One entry takes `options.alias`; several entries take
   * `ALIAS-<source alias>`, or `ALIAS-<position>` (counted from 1) when the file names none.
   * Every check runs before the first write, so a rejected import changes nothing.
   *
   * The first signing key becomes active when the store has no active signing key yet.
   *
   * @throws UsageError for a bad alias, a duplicate alias without `force`, a missing source
   *   alias, a signing import without a private key, or a key the STS cannot sign with.
   */
  async importEntries(
    material: KeyMaterialEntry[],
    options: ImportKeyOptions,
  ): Promise<ImportedKeyEntry[]> {
    const { planned, activeAlias } = await planImport(this.store, material, options);

    const imported: ImportedKeyEntry[] = [];
    for (const entry of planned) {
      const { certificate, chain, privateKey } = entry.material;
      const active = entry.alias === activeAlias;
      if (entry.kind === 'signing') {
        await this.saveSigningKey(entry.alias, certificate, chain, privateKey!, active);
      } else {
        await this.saveTrustedCertificate(entry.alias, certificate, chain, entry.existing);
      }
      imported.push({
        alias: entry.alias,
        kind: entry.kind,
        active,
        replaced: entry.existing !== undefined,
        ...(entry.material.alias === undefined ? {} : { sourceAlias: entry.material.alias }),
        sha256Fingerprint: certificate.fingerprint256.toUpperCase(),
      });
    }
    return imported;
  }

  /**
   * Makes the signing key `alias` the active one after checking that its private key file loads
   * and matches its certificate. Running servers sign with it from their next request.
   *
   * @returns whether the key was active already.
   * @throws UsageError when the alias is missing, is a trusted certificate or its key is unusable.
   */
  async activate(alias: string): Promise<{ alreadyActive: boolean }> {
    const entry = await this.requireEntry(alias);
    if (entry.kind !== 'signing') {
      throw new UsageError(
        `key alias ${alias} is a trusted certificate without a private key, so it cannot sign: ` +
          'import a key pair with "sts keys import --signing" and activate that alias',
      );
    }
    let credential: SigningCredential;
    try {
      credential = this.loadCredential(entry);
    } catch (error) {
      throw new UsageError(
        `private key of key alias ${alias} cannot be loaded from ${entry.privateKeyFile ?? '(no file)'}: ` +
          `${(error as Error).message}; import the key pair again with --force`,
      );
    }
    if (!new X509Certificate(entry.certificatePem).checkPrivateKey(credential.privateKey)) {
      throw new UsageError(
        `private key file ${entry.privateKeyFile} does not match the certificate of key alias ${alias}: ` +
          'import the key pair again with --force',
      );
    }
    await this.store.activateSigningKey(alias);
    return { alreadyActive: entry.active };
  }

  /**
   * Deletes an entry and its private key file. An alias that relying parties name as their
   * `certAlias` is kept unless `force` is set, because their token encryption would stop working.
   *
   * @throws UsageError when the alias is missing, is the active signing key, or is in use.
   */
  async remove(alias: string, force = false): Promise<KeyEntryRecord> {
    const entry = await this.requireEntry(alias);
    if (entry.kind === 'signing' && entry.active) {
      throw new UsageError(
        `key alias ${alias} is the active signing key and cannot be removed: ` +
          'activate another signing key first with "sts keys activate ALIAS"',
      );
    }
    const referencing = (await this.store.listRelyingParties()).filter(
      (party) => party.config.certAlias === alias,
    );
    if (referencing.length > 0 && !force) {
      const names = referencing.map((party) => party.name).join(', ');
      throw new UsageError(
        `key alias ${alias} is the certAlias of relying parties ${names}: ` +
          'point them at another alias with "sts sp update NAME --cert-alias ALIAS", or remove it anyway with --force',
      );
    }
    await this.store.deleteKeyEntry(alias);
    if (entry.privateKeyFile) this.deletePrivateKeyFile(entry.privateKeyFile);
    return entry;
  }

  /**
   * Returns the certificate of `alias` in PEM, followed by its chain when `includeChain` is set.
   * Private keys are never exported.
   */
  async exportCertificate(alias: string, includeChain = false): Promise<string> {
    const entry = await this.requireEntry(alias);
    return includeChain ? entry.certificatePem + entry.chainPem : entry.certificatePem;
  }

  /** Lists every entry, sorted by alias, with its certificate summarised at `now`. */
  async describeEntries(now: Date = new Date()): Promise<KeyEntryDescription[]> {
    const entries = await this.store.listKeyEntries();
    return entries.map((entry) => ({
      alias: entry.alias,
      kind: entry.kind,
      active: entry.active,
      ...describeCertificate(new X509Certificate(entry.certificatePem), now, EXPIRY_WARNING_DAYS),
      chainLength: countPemCertificates(entry.chainPem),
      createdAt: entry.createdAt,
    }));
  }

  /** Lists the entries whose certificate is not `valid` at `now`, for start-up logs and listings. */
  async certificateWarnings(now: Date = new Date()): Promise<CertificateWarning[]> {
    const warnings: CertificateWarning[] = [];
    for (const entry of await this.describeEntries(now)) {
      if (entry.status === 'valid') continue;
      warnings.push({
        alias: entry.alias,
        kind: entry.kind,
        active: entry.active,
        status: entry.status,
        notBefore: entry.notBefore,
        notAfter: entry.notAfter,
        message: warningMessage(entry, entry.status),
      });
    }
    return warnings;
  }

  private async requireEntry(alias: string): Promise<KeyEntryRecord> {
    const entry = await this.store.getKeyEntry(alias);
    if (!entry) {
      throw new UsageError(`key alias ${alias} not found: "sts keys list" shows the aliases`);
    }
    return entry;
  }

  private async saveTrustedCertificate(
    alias: string,
    certificate: X509Certificate,
    chain: X509Certificate[],
    previous: KeyEntryRecord | undefined,
  ): Promise<void> {
    await this.store.putKeyEntry({
      alias,
      kind: 'trusted',
      certificatePem: certificateToPem(certificate),
      chainPem: chain.map(certificateToPem).join(''),
      privateKeyFile: null,
      active: false,
    });
    if (previous?.privateKeyFile) this.deletePrivateKeyFile(previous.privateKeyFile);
  }

  /**
   * Writes a key to a new file in the key directory and returns its path relative to the data
   * directory. An existing file is never overwritten, because a running server may still be
   * about to load it for the entry that is being replaced.
   */
  private writePrivateKeyFile(alias: string, privateKey: KeyObject): string {
    mkdirSync(this.keyDirectory, { recursive: true, mode: 0o700 });
    const base = alias.replace(/[^A-Za-z0-9._-]/g, '_');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    for (let attempt = 0; ; attempt++) {
      const fileName =
        attempt === 0 ? `${base}.key.pem` : `${base}-${randomBytes(4).toString('hex')}.key.pem`;
      const file = path.join(this.keyDirectory, fileName);
      try {
        writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 10) continue;
        throw error;
      }
      chmodSync(file, 0o600);
      return path.join('keys', fileName);
    }
  }

  /** Deletes a key file, but only one inside the key directory and only if it exists. */
  private deletePrivateKeyFile(relativeFile: string): void {
    const file = path.resolve(this.dataDir, relativeFile);
    if (path.dirname(file) !== path.resolve(this.keyDirectory)) return;
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private loadCredential(entry: KeyEntryRecord): SigningCredential {
    if (!entry.privateKeyFile) throw new Error(`key alias ${entry.alias} has no private key`);
    const file = path.resolve(this.dataDir, entry.privateKeyFile);
    const privateKey = createPrivateKey(readFileSync(file));
    const certificate = new X509Certificate(entry.certificatePem);
    return {
      alias: entry.alias,
      privateKey,
      certificateBase64: certificate.raw.toString('base64'),
    };
  }
}

function warningMessage(entry: KeyEntryDescription, status: CertificateWarning['status']): string {
  const subject = `certificate of ${entry.active ? 'active ' : ''}${entry.kind} key alias ${entry.alias}`;
  switch (status) {
    case 'expired':
      return `${subject} expired on ${entry.notAfter.toISOString()}`;
    case 'expiring':
      return `${subject} expires on ${entry.notAfter.toISOString()}, within ${EXPIRY_WARNING_DAYS} days`;
    case 'not-yet-valid':
      return `${subject} is not valid before ${entry.notBefore.toISOString()}`;
  }
}

function countPemCertificates(pem: string): number {
  return pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
}
