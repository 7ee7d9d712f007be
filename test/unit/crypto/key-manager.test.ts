import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';

import {
  generateRsaKeyPair,
  generateSelfSignedCertificate,
} from '../../../src/crypto/certificates.js';
import { EXPIRY_WARNING_DAYS, KeyManager } from '../../../src/crypto/key-manager.js';
import type { KeyMaterialEntry } from '../../../src/crypto/keystore-formats.js';
import { UsageError } from '../../../src/errors/index.js';
import { openDataDirectory, type StsStore } from '../../../src/store/index.js';

const DAY_MILLISECONDS = 24 * 60 * 60 * 1000;

/** Key pairs with self-signed certificates by common name, generated once because RSA is slow. */
const generated = new Map<string, Required<Omit<KeyMaterialEntry, 'alias'>>>();

/** A key entry as `readKeyMaterial` returns it, with an RSA-2048 key pair for `commonName`. */
function keyEntry(commonName: string, alias?: string): KeyMaterialEntry {
  let pair = generated.get(commonName);
  if (pair === undefined) {
    const { privateKey, publicKey } = generateRsaKeyPair(2048);
    const certificate = generateSelfSignedCertificate({
      privateKey,
      publicKey,
      commonName,
      validityDays: 365,
    });
    pair = { certificate, chain: [], privateKey };
    generated.set(commonName, pair);
  }
  return { ...(alias === undefined ? {} : { alias }), ...pair };
}

/** A trusted-certificate entry as `readKeyMaterial` returns it. */
function trustedEntry(commonName: string, alias?: string): KeyMaterialEntry {
  const { certificate } = keyEntry(commonName);
  return { ...(alias === undefined ? {} : { alias }), certificate, chain: [] };
}

describe('KeyManager', () => {
  let dataDir: string;
  let store: StsStore;
  let manager: KeyManager;
  const signer = keyEntry('signer');
  const partner = trustedEntry('partner');

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sts-key-manager-'));
    store = await openDataDirectory(dataDir);
    manager = new KeyManager(store, dataDir);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function aliases(): Promise<string[]> {
    return (await store.listKeyEntries()).map((entry) => entry.alias);
  }

  async function activeAlias(): Promise<string | undefined> {
    return (await store.listKeyEntries()).find((entry) => entry.kind === 'signing' && entry.active)
      ?.alias;
  }

  test('single entry takes the alias', async () => {
    const [imported] = await manager.importEntries([partner], { alias: 'partner' });
    assert.equal(imported.alias, 'partner');
    assert.equal(imported.kind, 'trusted');
    assert.deepEqual(await aliases(), ['partner']);
  });

  test('several entries take prefixed aliases', async () => {
    const material = [
      keyEntry('a', 'wso2carbon'),
      trustedEntry('b', 'Partner CA'),
      trustedEntry('c'),
    ];
    const imported = await manager.importEntries(material, { alias: 'wso2' });
    assert.deepEqual(
      imported.map((entry) => entry.alias),
      ['wso2-wso2carbon', 'wso2-Partner_CA', 'wso2-3'],
    );
    assert.deepEqual(
      imported.map((entry) => entry.kind),
      ['signing', 'trusted', 'trusted'],
    );
  });

  test('source alias selects one entry', async () => {
    const material = [keyEntry('a', 'wso2carbon'), trustedEntry('b', 'partner')];
    const imported = await manager.importEntries(material, {
      alias: 'only',
      sourceAlias: 'PARTNER',
    });
    assert.deepEqual(await aliases(), ['only']);
    assert.equal(imported[0].sourceAlias, 'partner');
  });

  test('unknown source alias lists entries', async () => {
    const material = [keyEntry('a', 'wso2carbon'), trustedEntry('b', 'partner')];
    await assert.rejects(
      manager.importEntries(material, { alias: 'x', sourceAlias: 'missing', sourceName: 'w.jks' }),
      {
        name: 'UsageError',
        message:
          '--source-alias: w.jks has no entry named "missing"; ' +
          'its entries are: wso2carbon (key entry), partner (trusted certificate)',
      },
    );
    assert.deepEqual(await aliases(), []);
  });

  test('first signing key becomes active', async () => {
    const [imported] = await manager.importEntries([signer], { alias: 'first' });
    assert.equal(imported.active, true);
    assert.equal(await activeAlias(), 'first');
  });

  test('later signing key stays inactive', async () => {
    await manager.importEntries([signer], { alias: 'first' });
    const [imported] = await manager.importEntries([keyEntry('second')], { alias: 'second' });
    assert.equal(imported.active, false);
    assert.equal(await activeAlias(), 'first');
  });

  test('activate option switches active key', async () => {
    await manager.importEntries([signer], { alias: 'first' });
    await manager.importEntries([keyEntry('second')], { alias: 'second', activate: true });
    assert.equal(await activeAlias(), 'second');
  });

  test('activate option needs one key entry', async () => {
    await assert.rejects(
      manager.importEntries([partner], { alias: 'p', activate: true, sourceName: 'p.pem' }),
      {
        name: 'UsageError',
        message:
          '--activate: p.pem contains no private key, so there is no signing key to activate',
      },
    );
    assert.deepEqual(await aliases(), []);
  });

  test('duplicate alias needs force', async () => {
    await manager.importEntries([partner], { alias: 'partner' });
    await assert.rejects(manager.importEntries([trustedEntry('other')], { alias: 'partner' }), {
      name: 'UsageError',
      message:
        'key alias partner exists already: choose another --alias, or replace it with --force',
    });
    const entry = await store.getKeyEntry('partner');
    assert.equal(
      new X509Certificate(entry!.certificatePem).fingerprint256,
      partner.certificate.fingerprint256,
    );
  });

  test('force replaces active key in place', async () => {
    await manager.importEntries([signer], { alias: 'main' });
    const oldFile = path.join(dataDir, (await store.getKeyEntry('main'))!.privateKeyFile!);
    const replacement = keyEntry('replacement');
    await manager.importEntries([replacement], { alias: 'main', force: true });

    const entry = (await store.getKeyEntry('main'))!;
    assert.equal(entry.active, true);
    assert.equal(
      new X509Certificate(entry.certificatePem).fingerprint256,
      replacement.certificate.fingerprint256,
    );
    assert.notEqual(path.join(dataDir, entry.privateKeyFile!), oldFile);
    assert.equal(existsSync(oldFile), false);
    const { credential } = await manager.activeCredential();
    assert.ok(replacement.certificate.checkPrivateKey(credential.privateKey));
  });

  test('trusted certificate cannot replace active key', async () => {
    await manager.importEntries([signer], { alias: 'main' });
    await assert.rejects(manager.importEntries([partner], { alias: 'main', force: true }), {
      name: 'UsageError',
      message:
        'key alias main is the active signing key and a trusted certificate cannot replace it: ' +
        'activate another signing key first with "sts keys activate ALIAS"',
    });
    assert.equal((await store.getKeyEntry('main'))!.kind, 'signing');
  });

  test('signing option rejects certificate alone', async () => {
    await assert.rejects(
      manager.importEntries([partner], { alias: 'p', signing: true, sourceName: 'p.pem' }),
      {
        name: 'UsageError',
        message:
          '--signing: p.pem contains the certificate "CN=partner" without its private key; import it without ' +
          '--signing as a trusted certificate, or import a file that also contains the private key ' +
          '(PEM with both blocks, PKCS#12 or JKS)',
      },
    );
    assert.deepEqual(await aliases(), []);
  });

  test('signing option rejects mixed store', async () => {
    const material = [keyEntry('a', 'wso2carbon'), trustedEntry('b', 'partner')];
    await assert.rejects(
      manager.importEntries(material, { alias: 'w', signing: true, sourceName: 'w.jks' }),
      {
        name: 'UsageError',
        message:
          '--signing: w.jks has entries without a private key (partner); pick a key entry with --source-alias (wso2carbon)',
      },
    );
    assert.deepEqual(await aliases(), []);
  });

  test('EC key is rejected for signing', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const entry: KeyMaterialEntry = { certificate: signer.certificate, chain: [], privateKey };
    await assert.rejects(manager.importEntries([entry], { alias: 'ec' }), {
      name: 'UsageError',
      message:
        'key for ec has type ec, but the STS signs tokens with RSA keys only: import an RSA key pair, ' +
        'or import the certificate alone as a trusted certificate',
    });
    assert.deepEqual(await aliases(), []);
  });

  test('1024-bit RSA key is rejected', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const entry: KeyMaterialEntry = { certificate: signer.certificate, chain: [], privateKey };
    await assert.rejects(manager.importEntries([entry], { alias: 'weak' }), {
      name: 'UsageError',
      message:
        'RSA key for weak has 1024 bits, below the minimum of 2048 for signing keys: ' +
        'generate a new key pair of 2048 bits or more',
    });
  });

  test('invalid alias is rejected', async () => {
    await assert.rejects(manager.importEntries([partner], { alias: 'bad alias' }), {
      name: 'UsageError',
      message:
        "invalid key alias \"bad alias\": use 1 to 128 letters, digits, '.', '_', '-' or '@', " +
        'starting with a letter or digit',
    });
  });

  test('private key file has mode 0600', async () => {
    await manager.importEntries([signer], { alias: 'main' });
    const file = path.join(dataDir, (await store.getKeyEntry('main'))!.privateKeyFile!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  });

  test('remove deletes entry and key file', async () => {
    await manager.importEntries([signer], { alias: 'main' });
    await manager.importEntries([keyEntry('old')], { alias: 'old' });
    const file = path.join(dataDir, (await store.getKeyEntry('old'))!.privateKeyFile!);
    await manager.remove('old');
    assert.deepEqual(await aliases(), ['main']);
    assert.equal(existsSync(file), false);
  });

  test('remove rejects active signing key', async () => {
    await manager.importEntries([signer], { alias: 'main' });
    await assert.rejects(manager.remove('main'), {
      name: 'UsageError',
      message:
        'key alias main is the active signing key and cannot be removed: ' +
        'activate another signing key first with "sts keys activate ALIAS"',
    });
    assert.deepEqual(await aliases(), ['main']);
  });

  test('remove keeps certificate in use', async () => {
    await manager.importEntries([partner], { alias: 'partner' });
    await store.putRelyingParty('shop', { endpoint: 'https://shop.test/', certAlias: 'partner' });
    await assert.rejects(manager.remove('partner'), {
      name: 'UsageError',
      message:
        'key alias partner is the certAlias of relying parties shop: point them at another alias with ' +
        '"sts sp update NAME --cert-alias ALIAS", or remove it anyway with --force',
    });
    assert.deepEqual(await aliases(), ['partner']);
    await manager.remove('partner', true);
    assert.deepEqual(await aliases(), []);
  });

  test('activate rejects missing key file', async () => {
    await manager.importEntries([signer], { alias: 'main' });
    await manager.importEntries([keyEntry('next')], { alias: 'next' });
    const file = (await store.getKeyEntry('next'))!.privateKeyFile!;
    rmSync(path.join(dataDir, file));
    await assert.rejects(manager.activate('next'), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(
        error.message,
        new RegExp(`^private key of key alias next cannot be loaded from ${file}: `),
      );
      return true;
    });
    assert.equal(await activeAlias(), 'main');
  });

  test('activate reloads the active credential', async () => {
    await manager.importEntries([signer], { alias: 'main' });
    const next = keyEntry('next');
    await manager.importEntries([next], { alias: 'next' });
    assert.equal((await manager.activeCredential()).credential.alias, 'main');
    await manager.activate('next');
    const { credential } = await manager.activeCredential();
    assert.equal(credential.alias, 'next');
    assert.ok(next.certificate.checkPrivateKey(credential.privateKey));
  });

  test('unknown alias is not found', async () => {
    await assert.rejects(manager.exportCertificate('nope'), {
      name: 'UsageError',
      message: 'key alias nope not found: "sts keys list" shows the aliases',
    });
  });

  test('warnings follow certificate status', async () => {
    await manager.importEntries([partner], { alias: 'partner' });
    const notAfter = (await manager.describeEntries())[0].notAfter;

    const valid = await manager.certificateWarnings(
      new Date(notAfter.getTime() - 60 * DAY_MILLISECONDS),
    );
    assert.deepEqual(valid, []);

    const soon = new Date(notAfter.getTime() - (EXPIRY_WARNING_DAYS - 1) * DAY_MILLISECONDS);
    const [expiring] = await manager.certificateWarnings(soon);
    assert.equal(expiring.status, 'expiring');
    assert.equal(
      expiring.message,
      `certificate of trusted key alias partner expires on ${notAfter.toISOString()}, within 30 days`,
    );

    const [expired] = await manager.certificateWarnings(new Date(notAfter.getTime() + 1000));
    assert.equal(expired.status, 'expired');
    assert.equal(
      expired.message,
      `certificate of trusted key alias partner expired on ${notAfter.toISOString()}`,
    );
  });
});
