import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeyEntryRecord, StsStore } from '../store/index.js';
import { certificateToPem, generateRsaKeyPair, generateSelfSignedCertificate } from './certificates.js';
import type { SigningCredential } from './xmldsig.js';

/** Alias of the signing key generated on first start. */
export const DEFAULT_SIGNING_ALIAS = 'sts-signing';

/** Validity of generated signing and TLS certificates, in days. */
const GENERATED_CERTIFICATE_DAYS = 730;

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
    const active = (await this.store.listKeyEntries()).find((entry) => entry.kind === 'signing' && entry.active);
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

  /** Writes a private key file (mode 0600) and records the signing entry in the store. */
  async saveSigningKey(
    alias: string,
    certificate: X509Certificate,
    chain: X509Certificate[],
    privateKey: KeyObject,
    active: boolean,
  ): Promise<void> {
    mkdirSync(this.keyDirectory, { recursive: true, mode: 0o700 });
    const fileName = `${alias.replace(/[^A-Za-z0-9._-]/g, '_')}.key.pem`;
    const file = path.join(this.keyDirectory, fileName);
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(file, 0o600);
    await this.store.putKeyEntry({
      alias,
      kind: 'signing',
      certificatePem: certificateToPem(certificate),
      chainPem: chain.map(certificateToPem).join(''),
      privateKeyFile: path.join('keys', fileName),
      active,
    });
  }

  /**
   * Returns the active signing credential. The private key is loaded once per alias and reused,
   * so no PEM parsing happens per request; activating another alias is picked up on the next call.
   */
  async activeCredential(): Promise<{ credential: SigningCredential; certificatePem: string }> {
    const entry = (await this.store.listKeyEntries()).find((candidate) => candidate.kind === 'signing' && candidate.active);
    if (!entry) throw new Error('no active signing key; run "sts keys activate ALIAS" or restart "sts serve"');
    if (this.cached?.alias === entry.alias && this.cached.certificatePem === entry.certificatePem) return this.cached;
    const credential = this.loadCredential(entry);
    this.cached = { alias: entry.alias, credential, certificatePem: entry.certificatePem };
    return this.cached;
  }

  private loadCredential(entry: KeyEntryRecord): SigningCredential {
    if (!entry.privateKeyFile) throw new Error(`key alias ${entry.alias} has no private key`);
    const file = path.resolve(this.dataDir, entry.privateKeyFile);
    const privateKey = createPrivateKey(readFileSync(file));
    const certificate = new X509Certificate(entry.certificatePem);
    return { alias: entry.alias, privateKey, certificateBase64: certificate.raw.toString('base64') };
  }
}

/** Paths of the TLS certificate and key the HTTPS listener uses. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  generated: boolean;
}

/**
 * Returns the generated TLS certificate in `DATA_DIR/tls/`, creating it on first start with the
 * subject alternative names localhost, 127.0.0.1, ::1 and this machine's host name.
 */
export function ensureTlsCertificate(dataDir: string): TlsFiles {
  const directory = path.join(dataDir, 'tls');
  const certFile = path.join(directory, 'cert.pem');
  const keyFile = path.join(directory, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile, generated: false };
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateRsaKeyPair(2048);
  const hostName = os.hostname();
  const dnsNames = ['localhost', ...(hostName && hostName !== 'localhost' ? [hostName] : [])];
  const certificate = generateSelfSignedCertificate({
    privateKey,
    publicKey,
    commonName: hostName || 'localhost',
    dnsNames,
    ipAddresses: ['127.0.0.1', '::1'],
    validityDays: GENERATED_CERTIFICATE_DAYS,
  });
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, certificateToPem(certificate), { mode: 0o644 });
  return { certFile, keyFile, generated: true };
}
