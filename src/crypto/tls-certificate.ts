import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  certificateToPem,
  generateRsaKeyPair,
  generateSelfSignedCertificate,
} from './certificates.js';
import { GENERATED_CERTIFICATE_DAYS } from './key-manager.js';

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
