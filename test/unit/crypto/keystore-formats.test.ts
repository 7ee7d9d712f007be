import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { sign, verify } from 'node:crypto';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';

import {
  detectFormat,
  KeyMaterialError,
  readKeyMaterial,
} from '../../../src/crypto/keystore-formats.js';

const OPENSSL_INSTALLED = isInstalled('openssl', ['version']);
const KEYTOOL_INSTALLED = isInstalled('keytool', ['-help']);

const PEM_PASSWORD = 'pem-secret';
const P12_PASSWORD = 'p12-secret';
const STORE_PASSWORD = 'store-secret';
const KEY_PASSWORD = 'key-secret';
const NON_ASCII_PASSWORD = 'pässwörd-€';

let dir = '';

function isInstalled(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
}

/** Skips the test when a tool is missing, except on CI, where the test fails instead. */
function requireTool(t: TestContext, tool: 'openssl' | 'keytool'): boolean {
  const installed = tool === 'openssl' ? OPENSSL_INSTALLED : KEYTOOL_INSTALLED;
  if (installed) {
    return true;
  }
  if (process.env.CI === 'true') {
    assert.fail(`${tool} is not installed, and CI requires it for this test`);
  }
  t.skip(`${tool} not installed`);
  return false;
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
}

function openssl(...args: string[]): string {
  return run('openssl', args);
}

function keytool(...args: string[]): string {
  return run('keytool', args);
}

function file(name: string): Buffer {
  return readFileSync(join(dir, name));
}

function concatenated(...names: string[]): Buffer {
  return Buffer.concat(names.map(file));
}

/** SHA-256 fingerprint as `openssl x509 -fingerprint` prints it, for a PEM or DER file. */
function opensslFingerprint(name: string, inform: 'PEM' | 'DER' = 'PEM'): string {
  const output = openssl(
    'x509', '-noout', '-fingerprint', '-sha256', '-inform', inform, '-in', name,
  );
  return output.trim().split('=')[1];
}

/** Checks that a signature by `privateKey` verifies with the certificate's public key. */
function signsFor(privateKey: KeyObject | undefined, certificate: X509Certificate): boolean {
  assert.ok(privateKey, 'entry has no private key');
  const data = Buffer.from('key pairing check');
  const signature = sign('sha256', data, privateKey);
  return verify('sha256', data, certificate.publicKey, signature);
}

function createOpensslFixtures(): void {
  // A CA and a leaf certificate signed by it.
  openssl(
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-subj', '/CN=Test CA', '-days', '365',
  );
  openssl(
    'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr',
    '-subj', '/CN=leaf.example.com',
  );
  openssl(
    'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '2',
    '-days', '365', '-out', 'leaf.pem',
  );

  // A self-signed certificate with its key in PKCS#8, PKCS#1, encrypted PKCS#8 and DER.
  openssl(
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem',
    '-subj', '/CN=pem-test', '-days', '365',
  );
  openssl('rsa', '-in', 'self.key', '-traditional', '-out', 'self-rsa.key');
  openssl(
    'pkcs8', '-topk8', '-in', 'self.key', '-out', 'self-encrypted.key',
    '-passout', `pass:${PEM_PASSWORD}`,
  );
  openssl('x509', '-in', 'self.pem', '-outform', 'DER', '-out', 'self.der');
  openssl(
    'pkcs8', '-topk8', '-nocrypt', '-in', 'self.key', '-outform', 'DER', '-out', 'self-key.der',
  );

  // PKCS#12 files: OpenSSL 3 defaults, -legacy, and certificates only.
  const exportLeaf = [
    'pkcs12', '-export', '-in', 'leaf.pem', '-inkey', 'leaf.key', '-certfile', 'ca.pem',
    '-name', 'sts-leaf', '-passout', `pass:${P12_PASSWORD}`,
  ];
  openssl(...exportLeaf, '-out', 'default.p12');
  openssl(...exportLeaf, '-legacy', '-out', 'legacy.p12');
  openssl(
    'pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', 'trust.p12',
    '-passout', `pass:${P12_PASSWORD}`,
  );

  // PBES2 takes the password as UTF-8 and the PKCS#12 schemes as UTF-16, so both are covered.
  const exportNonAscii = [
    'pkcs12', '-export', '-in', 'self.pem', '-inkey', 'self.key',
    '-passout', `pass:${NON_ASCII_PASSWORD}`,
  ];
  openssl(...exportNonAscii, '-out', 'non-ascii.p12');
  openssl(...exportNonAscii, '-legacy', '-out', 'non-ascii-legacy.p12');

  // An EC P-256 key pair, as PEM and as PKCS#12.
  openssl(
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ec.key', '-out', 'ec.pem', '-subj', '/CN=ec-test', '-days', '365',
  );
  openssl(
    'pkcs12', '-export', '-in', 'ec.pem', '-inkey', 'ec.key', '-name', 'ec-key',
    '-out', 'ec.p12', '-passout', `pass:${P12_PASSWORD}`,
  );
}

function createKeytoolFixtures(): void {
  const genkeypair = (alias: string, storetype: string, store: string, keypass: string): void => {
    keytool(
      '-genkeypair', '-alias', alias, '-keyalg', 'RSA', '-keysize', '2048', '-validity', '365',
      '-dname', `CN=${alias}`, '-storetype', storetype, '-keystore', store,
      '-storepass', STORE_PASSWORD, '-keypass', keypass,
    );
  };
  const importCa = (storetype: string, store: string): void => {
    keytool(
      '-importcert', '-noprompt', '-alias', 'trusted-ca', '-file', 'ca.pem',
      '-storetype', storetype, '-keystore', store, '-storepass', STORE_PASSWORD,
    );
  };

  genkeypair('sts-signing', 'JKS', 'store.jks', STORE_PASSWORD);
  importCa('JKS', 'store.jks');
  keytool(
    '-exportcert', '-rfc', '-alias', 'sts-signing', '-keystore', 'store.jks',
    '-storepass', STORE_PASSWORD, '-file', 'sts-signing.pem',
  );

  genkeypair('own-key-password', 'JKS', 'key-password.jks', KEY_PASSWORD);

  // keytool rejects a separate key password for PKCS12 stores, so the store password is used.
  genkeypair('p12-signing', 'PKCS12', 'pkcs12-store.jks', STORE_PASSWORD);
  importCa('PKCS12', 'pkcs12-store.jks');
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sts-keystore-formats-'));
  if (OPENSSL_INSTALLED) {
    createOpensslFixtures();
    // The keytool fixtures import the CA that openssl creates.
    if (KEYTOOL_INSTALLED) {
      createKeytoolFixtures();
    }
  }
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('detectFormat', () => {
  test('detects PEM by header', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.equal(detectFormat(file('self.pem')), 'pem');
  });

  test('detects DER certificate', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.equal(detectFormat(file('self.der')), 'der');
  });

  test('detects PKCS#12 by structure', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.equal(detectFormat(file('default.p12')), 'pkcs12');
  });

  test('detects JKS by magic number', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    assert.equal(detectFormat(file('store.jks'), 'store.jks'), 'jks');
  });

  test('detects PKCS#12 named .jks', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    assert.equal(detectFormat(file('pkcs12-store.jks'), 'pkcs12-store.jks'), 'pkcs12');
  });

  test('falls back to file extension', () => {
    const unrecognised = Buffer.from('not key material');
    assert.equal(detectFormat(unrecognised, 'truncated.p12'), 'pkcs12');
    assert.equal(detectFormat(unrecognised, 'truncated.JKS'), 'jks');
    assert.equal(detectFormat(unrecognised, 'empty.pem'), 'pem');
  });

  test('rejects unknown content', () => {
    assert.throws(
      () => detectFormat(Buffer.from('not key material'), 'notes.txt'),
      (error: unknown) =>
        error instanceof KeyMaterialError &&
        /expected PEM, DER .*PKCS#12 .*JKS/.test(error.message) &&
        error.message.includes('notes.txt'),
    );
  });

  test('rejects JCEKS key store', () => {
    assert.throws(
      () => detectFormat(Buffer.from('cecececepadding', 'hex')),
      /JCEKS key stores are not supported/,
    );
  });
});

describe('readKeyMaterial PEM', () => {
  test('pairs key with certificate', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const entries = readKeyMaterial(concatenated('self.key', 'self.pem'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].certificate.fingerprint256, opensslFingerprint('self.pem'));
    assert.deepEqual(entries[0].chain, []);
    assert.equal(entries[0].alias, undefined);
    assert.ok(signsFor(entries[0].privateKey, entries[0].certificate));
  });

  test('reads PKCS#1 private key', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const [entry] = readKeyMaterial(concatenated('self.pem', 'self-rsa.key'));
    assert.ok(signsFor(entry.privateKey, entry.certificate));
  });

  test('decrypts encrypted PKCS#8 key', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const data = concatenated('self.pem', 'self-encrypted.key');
    const [entry] = readKeyMaterial(data, { password: PEM_PASSWORD });
    assert.ok(signsFor(entry.privateKey, entry.certificate));
  });

  test('rejects wrong PEM password', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const data = concatenated('self.pem', 'self-encrypted.key');
    assert.throws(
      () => readKeyMaterial(data, { password: 'wrong-password' }),
      (error: unknown) =>
        error instanceof KeyMaterialError &&
        error.message === 'PEM private key could not be decrypted: check the password',
    );
  });

  test('requires password for encrypted key', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const data = concatenated('self.pem', 'self-encrypted.key');
    assert.throws(() => readKeyMaterial(data), /PEM private key is encrypted: supply its password/);
  });

  test('builds chain from CA certificate', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const entries = readKeyMaterial(concatenated('ca.pem', 'leaf.pem', 'leaf.key'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].certificate.fingerprint256, opensslFingerprint('leaf.pem'));
    assert.equal(entries[0].chain.length, 1);
    assert.equal(entries[0].chain[0].fingerprint256, opensslFingerprint('ca.pem'));
    assert.ok(signsFor(entries[0].privateKey, entries[0].certificate));
  });

  test('lists keyless certificates as trusted', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const entries = readKeyMaterial(concatenated('ca.pem', 'self.pem'));
    assert.equal(entries.length, 2);
    assert.equal(entries[0].certificate.fingerprint256, opensslFingerprint('ca.pem'));
    assert.equal(entries[1].certificate.fingerprint256, opensslFingerprint('self.pem'));
    assert.ok(entries.every((entry) => entry.privateKey === undefined));
    assert.ok(entries.every((entry) => entry.chain.length === 0));
  });

  test('rejects key without matching certificate', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(
      () => readKeyMaterial(concatenated('ca.pem', 'self.key')),
      /PEM private key does not match any certificate/,
    );
  });

  test('rejects key without certificate', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(
      () => readKeyMaterial(file('self.key'), { format: 'pem' }),
      /contains a private key but no certificate/,
    );
  });

  test('rejects two private keys', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(
      () => readKeyMaterial(concatenated('self.pem', 'self.key', 'leaf.key')),
      /contains 2 private keys but at most one is supported/,
    );
  });

  test('rejects PEM without certificate', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(() => readKeyMaterial(file('leaf.csr')), /No certificate found in PEM data/);
  });
});

describe('readKeyMaterial DER', () => {
  test('reads DER certificate', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const entries = readKeyMaterial(file('self.der'), { fileName: 'self.der' });
    assert.equal(entries.length, 1);
    assert.equal(entries[0].certificate.fingerprint256, opensslFingerprint('self.der', 'DER'));
    assert.equal(entries[0].privateKey, undefined);
  });

  test('rejects DER private key', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(
      () => readKeyMaterial(file('self-key.der')),
      (error: unknown) =>
        error instanceof KeyMaterialError &&
        /private key but no certificate: supply the certificate too/.test(error.message),
    );
  });
});

describe('readKeyMaterial PKCS#12', () => {
  for (const [name, fileName] of [
    ['OpenSSL 3 default', 'default.p12'],
    ['OpenSSL -legacy', 'legacy.p12'],
  ] as const) {
    test(`reads ${name} PKCS#12`, (t) => {
      if (!requireTool(t, 'openssl')) return;
      const entries = readKeyMaterial(file(fileName), { password: P12_PASSWORD });
      assert.equal(entries.length, 1);
      assert.equal(entries[0].alias, 'sts-leaf');
      assert.equal(entries[0].certificate.fingerprint256, opensslFingerprint('leaf.pem'));
      assert.equal(entries[0].chain.length, 1);
      assert.equal(entries[0].chain[0].fingerprint256, opensslFingerprint('ca.pem'));
      assert.ok(signsFor(entries[0].privateKey, entries[0].certificate));
    });
  }

  test('rejects wrong PKCS#12 password', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(
      () => readKeyMaterial(file('default.p12'), { password: 'wrong-password' }),
      (error: unknown) =>
        error instanceof KeyMaterialError &&
        error.message ===
          'PKCS#12 password is incorrect or the MAC does not verify: check the password',
    );
  });

  test('omits password from error', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(
      () => readKeyMaterial(file('legacy.p12'), { password: 'wrong-password' }),
      (error: unknown) => error instanceof Error && !error.message.includes('wrong-password'),
    );
  });

  test('requires PKCS#12 password', (t) => {
    if (!requireTool(t, 'openssl')) return;
    assert.throws(
      () => readKeyMaterial(file('default.p12')),
      /PKCS#12 data is password-protected: supply the password/,
    );
  });

  test('accepts non-ASCII PKCS#12 password', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const options = { password: NON_ASCII_PASSWORD };
    const [modern] = readKeyMaterial(file('non-ascii.p12'), options);
    const [legacy] = readKeyMaterial(file('non-ascii-legacy.p12'), options);
    assert.ok(signsFor(modern.privateKey, modern.certificate));
    assert.ok(signsFor(legacy.privateKey, legacy.certificate));
  });

  test('reads EC key entry', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const [fromPkcs12] = readKeyMaterial(file('ec.p12'), { password: P12_PASSWORD });
    const [fromPem] = readKeyMaterial(concatenated('ec.key', 'ec.pem'));
    assert.equal(fromPkcs12.alias, 'ec-key');
    assert.equal(fromPkcs12.privateKey?.asymmetricKeyType, 'ec');
    assert.ok(signsFor(fromPkcs12.privateKey, fromPkcs12.certificate));
    assert.equal(fromPem.privateKey?.asymmetricKeyType, 'ec');
    assert.ok(signsFor(fromPem.privateKey, fromPem.certificate));
  });

  test('reads certificate-only PKCS#12', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const entries = readKeyMaterial(file('trust.p12'), { password: P12_PASSWORD });
    assert.equal(entries.length, 1);
    assert.equal(entries[0].certificate.fingerprint256, opensslFingerprint('ca.pem'));
    assert.equal(entries[0].privateKey, undefined);
  });

  test('rejects truncated PKCS#12', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const truncated = file('default.p12').subarray(0, 500);
    assert.throws(
      () => readKeyMaterial(truncated, { format: 'pkcs12', password: P12_PASSWORD }),
      KeyMaterialError,
    );
  });
});

describe('readKeyMaterial JKS', () => {
  test('reads key and trusted entries', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    const entries = readKeyMaterial(file('store.jks'), { password: STORE_PASSWORD });
    assert.deepEqual(
      entries.map((entry) => entry.alias),
      ['sts-signing', 'trusted-ca'],
    );
    assert.equal(entries[0].certificate.fingerprint256, opensslFingerprint('sts-signing.pem'));
    assert.ok(signsFor(entries[0].privateKey, entries[0].certificate));
    assert.equal(entries[1].certificate.fingerprint256, opensslFingerprint('ca.pem'));
    assert.equal(entries[1].privateKey, undefined);
  });

  test('accepts separate key password', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    const [entry] = readKeyMaterial(file('key-password.jks'), {
      password: STORE_PASSWORD,
      keyPassword: KEY_PASSWORD,
    });
    assert.equal(entry.alias, 'own-key-password');
    assert.ok(signsFor(entry.privateKey, entry.certificate));
  });

  test('rejects wrong key password', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    assert.throws(
      () => readKeyMaterial(file('key-password.jks'), { password: STORE_PASSWORD }),
      /JKS key password for alias "own-key-password" is incorrect: supply keyPassword/,
    );
  });

  test('rejects wrong store password', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    assert.throws(
      () => readKeyMaterial(file('store.jks'), { password: 'wrong-password' }),
      /JKS key store password is incorrect/,
    );
  });

  test('requires JKS store password', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    assert.throws(() => readKeyMaterial(file('store.jks')), /JKS key store password is missing/);
  });

  test('reads PKCS12 store named .jks', (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'keytool')) return;
    const entries = readKeyMaterial(file('pkcs12-store.jks'), {
      format: 'jks',
      password: STORE_PASSWORD,
      fileName: 'pkcs12-store.jks',
    });
    assert.deepEqual(
      entries.map((entry) => entry.alias),
      ['p12-signing', 'trusted-ca'],
    );
    assert.ok(signsFor(entries[0].privateKey, entries[0].certificate));
    assert.equal(entries[1].certificate.fingerprint256, opensslFingerprint('ca.pem'));
    assert.equal(entries[1].privateKey, undefined);
  });
});

describe('readKeyMaterial options', () => {
  test('rejects unknown format option', () => {
    const format = 'pkcs7' as unknown as 'pem';
    assert.throws(
      () => readKeyMaterial(Buffer.from('x'), { format }),
      /Unknown key material format "pkcs7": use pem, der, pkcs12 or jks/,
    );
  });
});
