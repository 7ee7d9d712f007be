/** Readers of PEM text and of one DER-encoded certificate. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assembleEntries, deduplicateCertificates, keyMatchesCertificate } from './chain.js';
import { ACCEPTED_FORMATS, KeyMaterialError, type KeyMaterialEntry } from './key-material.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PEM_CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

/**
 * Reads CERTIFICATE blocks and at most one private key block. Blocks with other labels, such
 * as EC PARAMETERS or CERTIFICATE REQUEST, are ignored.
 */
export function readPem(data: Buffer, password: string | undefined): KeyMaterialEntry[] {
  const text = data.toString('utf8');
  const certificates: X509Certificate[] = [];
  const keyBlocks: { label: string; block: string }[] = [];

  for (const match of text.matchAll(PEM_BLOCK)) {
    const [block, label] = match;
    if (PEM_CERTIFICATE_LABELS.has(label)) {
      certificates.push(parsePemCertificate(block, certificates.length + 1));
    } else if (label.endsWith('PRIVATE KEY')) {
      keyBlocks.push({ label, block });
    }
  }

  if (keyBlocks.length > 1) {
    throw new KeyMaterialError(
      `PEM data contains ${keyBlocks.length} private keys but at most one is supported: ` +
        'split it into one file per key',
    );
  }
  if (certificates.length === 0) {
    throw new KeyMaterialError(
      keyBlocks.length === 1
        ? 'PEM data contains a private key but no certificate: ' +
            'add the certificate issued for this key'
        : 'No certificate found in PEM data: ' +
            'expected at least one -----BEGIN CERTIFICATE----- block',
    );
  }

  const candidates = deduplicateCertificates(
    certificates.map((certificate) => ({ certificate, trusted: false })),
  );
  if (keyBlocks.length === 0) {
    return assembleEntries([], candidates);
  }

  const privateKey = parsePemPrivateKey(keyBlocks[0].label, keyBlocks[0].block, password);
  const leaf = candidates.find((candidate) =>
    keyMatchesCertificate(privateKey, candidate.certificate),
  );
  if (leaf === undefined) {
    throw new KeyMaterialError(
      'PEM private key does not match any certificate in the PEM data: ' +
        'add the certificate issued for this key',
    );
  }
  return assembleEntries(
    [{ privateKey, certificate: leaf.certificate }],
    candidates.filter((candidate) => candidate !== leaf),
  );
}

function parsePemCertificate(block: string, position: number): X509Certificate {
  try {
    return new X509Certificate(block);
  } catch (error) {
    throw new KeyMaterialError(
      `PEM certificate block ${position} is not a valid X.509 certificate: replace or remove it`,
      { cause: error },
    );
  }
}

function parsePemPrivateKey(
  label: string,
  block: string,
  password: string | undefined,
): KeyObject {
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block);
  if (encrypted && password === undefined) {
    throw new KeyMaterialError('PEM private key is encrypted: supply its password');
  }
  try {
    return createPrivateKey({ key: block, format: 'pem', passphrase: password });
  } catch (error) {
    if (encrypted) {
      throw new KeyMaterialError('PEM private key could not be decrypted: check the password', {
        cause: error,
      });
    }
    throw new KeyMaterialError(
      `PEM ${label} block is invalid or uses an unsupported algorithm: ` +
        'export the key as PKCS#8 (`openssl pkcs8 -topk8`)',
      { cause: error },
    );
  }
}

/** Reads one DER-encoded X.509 certificate as a trusted-certificate entry. */
export function readDer(data: Buffer): KeyMaterialEntry[] {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(data);
  } catch (error) {
    if (isPrivateKeyDer(data)) {
      throw new KeyMaterialError(
        'DER data contains a private key but no certificate: supply the certificate too, ' +
          'for example as a PEM file with both blocks or as a PKCS#12 file',
      );
    }
    throw new KeyMaterialError(
      'DER data is not an X.509 certificate: supply one DER-encoded certificate, ' +
        `or use another format (${ACCEPTED_FORMATS})`,
      { cause: error },
    );
  }
  return [{ certificate, chain: [] }];
}

function isPrivateKeyDer(data: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: data, format: 'der', type });
      return true;
    } catch (error) {
      // Node reports an encrypted PKCS#8 key without a passphrase as ERR_MISSING_PASSPHRASE.
      if ((error as { code?: unknown }).code === 'ERR_MISSING_PASSPHRASE') {
        return true;
      }
    }
  }
  return false;
}
