/** Reader of Java KeyStore (JKS) files. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import jks from 'jks-js';
import { keyMatchesCertificate } from './chain.js';
import { KeyMaterialError, type KeyMaterialEntry } from './key-material.js';

/**
 * Reads a JKS key store with jks-js, which verifies the store password, and lists key entries
 * before trusted-certificate entries.
 */
export function readJks(
  data: Buffer,
  password: string | undefined,
  keyPassword: string | undefined,
): KeyMaterialEntry[] {
  // jks-js skips the integrity check when the password is empty, so one is required here.
  if (password === undefined || password === '') {
    throw new KeyMaterialError(
      'JKS key store password is missing: supply the store password, which also verifies ' +
        'the store integrity',
    );
  }

  let storeEntries: ReturnType<typeof jks.parseJks>;
  try {
    storeEntries = jks.parseJks(data, password);
  } catch (error) {
    throw jksStoreError(error);
  }

  const entries: KeyMaterialEntry[] = [];
  for (const storeEntry of storeEntries) {
    if ('protectedPrivateKey' in storeEntry) {
      const [certificate, ...chain] = storeEntry.chain.map((cert) =>
        parseJksCertificate(cert.value, storeEntry.alias),
      );
      if (certificate === undefined) {
        throw new KeyMaterialError(
          `JKS key entry "${storeEntry.alias}" has no certificate chain: re-import the key ` +
            'with its certificate',
        );
      }
      const privateKey = decryptJksKey(
        storeEntry.protectedPrivateKey,
        keyPassword ?? password,
        storeEntry.alias,
      );
      if (!keyMatchesCertificate(privateKey, certificate)) {
        throw new KeyMaterialError(
          `JKS key entry "${storeEntry.alias}" has a private key that does not match its ` +
            'certificate: re-import the key with its certificate',
        );
      }
      entries.push({ alias: storeEntry.alias, certificate, chain, privateKey });
    } else {
      const certificate = parseJksCertificate(storeEntry.cert.value, storeEntry.alias);
      entries.push({ alias: storeEntry.alias, certificate, chain: [] });
    }
  }

  if (entries.length === 0) {
    throw new KeyMaterialError('No certificate found in JKS data: the key store is empty');
  }
  return [
    ...entries.filter((entry) => entry.privateKey !== undefined),
    ...entries.filter((entry) => entry.privateKey === undefined),
  ];
}

/** Maps jks-js errors, which carry no codes, to messages with a fix by their text. */
function jksStoreError(error: unknown): KeyMaterialError {
  const message = error instanceof Error ? error.message : '';
  // NOTE: these texts are those of jks-js 1.1.7 and may change in other versions.
  if (message === 'Password verification failed') {
    return new KeyMaterialError(
      'JKS key store password is incorrect or the key store is corrupted: check the password',
      { cause: error },
    );
  }
  if (message === 'Unrecognized keystore entry') {
    return new KeyMaterialError(
      'JKS data contains an entry type other than PrivateKeyEntry and trustedCertEntry: ' +
        'move secret keys to another store',
      { cause: error },
    );
  }
  return new KeyMaterialError(
    'JKS data is truncated or not a JKS key store: check that the file is complete',
    { cause: error },
  );
}

function decryptJksKey(protectedKey: Buffer, password: string, alias: string): KeyObject {
  let pem: string;
  try {
    pem = jks.decrypt(protectedKey, password);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (message === 'Cannot recover key') {
      throw new KeyMaterialError(
        `JKS key password for alias "${alias}" is incorrect: supply keyPassword when the key ` +
          'password differs from the store password',
        { cause: error },
      );
    }
    throw new KeyMaterialError(
      `JKS private key for alias "${alias}" uses an unsupported protection or key algorithm: ` +
        'convert the store to PKCS#12 (`keytool -importkeystore -deststoretype PKCS12`)',
      { cause: error },
    );
  }
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new KeyMaterialError(
      `JKS private key for alias "${alias}" could not be parsed: convert the store to PKCS#12 ` +
        '(`keytool -importkeystore -deststoretype PKCS12`)',
      { cause: error },
    );
  }
}

function parseJksCertificate(der: Buffer, alias: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new KeyMaterialError(
      `JKS entry "${alias}" does not contain a valid X.509 certificate: re-import it`,
      { cause: error },
    );
  }
}
