import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { certificateToPem, generateSelfSignedCertificate } from '../../../src/crypto/certificates.js';
import { ConfigError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log/index.js';
import { loadRelyingPartyRegistry, saveRelyingParties } from '../../../src/server/relying-parties.js';
import { openDataDirectory, type StsStore } from '../../../src/store/index.js';

let directory: string;
let store: StsStore;
const logLines: string[] = [];
const logger = createLogger({
  level: 'warn',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  }),
});

function certificatePem(validityDays: number): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return certificateToPem(generateSelfSignedCertificate({ publicKey, privateKey, commonName: 'rp', validityDays }));
}

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'sts-rp-loader-'));
  store = await openDataDirectory(directory);
  await store.putKeyEntry({ alias: 'rp-cert', kind: 'trusted', certificatePem: certificatePem(2), chainPem: '', privateKeyFile: null, active: false });
  await store.putRelyingParty('plain', { endpoint: 'urn:plain', audiences: ['urn:plain:second'] });
  await store.putRelyingParty('encrypted', { endpoint: 'urn:encrypted', certAlias: 'rp-cert', encryption: { enabled: true } });
  await store.putRelyingParty('missing-cert', { endpoint: 'urn:missing', certAlias: 'gone', encryption: { enabled: true } });
  await store.putRelyingParty('hand-edited', { endpoint: 'urn:hand-edited', encryption: { enabled: 'yes' } });
  await store.putRelyingParty('no-endpoint', { audiences: ['urn:x'] });
  await store.putRelyingParty('sha1', { endpoint: 'urn:sha1', signatureAlgorithm: 'rsa-sha1', claims: [] });
});

after(async () => {
  await store?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('loadRelyingPartyRegistry', () => {
  test('old record gets defaults', async () => {
    const party = (await loadRelyingPartyRegistry(store, logger)).resolve('urn:plain');
    assert.deepEqual(party, {
      name: 'plain',
      audiences: ['urn:plain', 'urn:plain:second'],
      tokenType: undefined,
      tokenLifetimeSeconds: undefined,
      nameIdFormat: undefined,
      subjectClaim: undefined,
      claims: ['http://wso2.org/claims/role', '*'],
      signatureAlgorithm: 'rsa-sha256',
    });
  });

  test('encrypted party gets certificate', async () => {
    const encryption = (await loadRelyingPartyRegistry(store, logger)).resolve('urn:encrypted')?.encryption;
    assert.ok(encryption, 'the party has encryption settings');
    assert.ok('certificate' in encryption, 'the encryption has a certificate');
    assert.equal(encryption.contentAlgorithm, 'aes256-gcm');
    assert.equal(encryption.keyTransport, 'rsa-oaep-mgf1p');
    assert.equal(encryption.oaepDigest, 'sha1');
  });

  test('expired certificate fails at resolve', async () => {
    const registry = await loadRelyingPartyRegistry(store, logger);
    const encryption = registry.resolve('urn:encrypted', new Date(Date.now() + 5 * 86_400_000))?.encryption;
    assert.ok(encryption, 'the party has encryption settings');
    assert.ok('error' in encryption, 'the encryption is an error');
    assert.match(encryption.error, /^certificate expired on /);
  });

  test('missing certificate becomes error', async () => {
    const encryption = (await loadRelyingPartyRegistry(store, logger)).resolve('urn:missing')?.encryption;
    assert.deepEqual(encryption, { error: 'certificate alias gone is not in the trust store' });
    assert.ok(logLines.some((line) => line.includes('"relyingParty":"missing-cert"') && line.includes('not in the trust store')));
  });

  test('invalid record stays registered', async () => {
    const party = (await loadRelyingPartyRegistry(store, logger)).resolve('urn:hand-edited');
    assert.deepEqual(party?.encryption, { error: 'its stored configuration is invalid' });
    assert.ok(logLines.some((line) => line.includes('"relyingParty":"hand-edited"') && line.includes('encryption.enabled: expected boolean')));
  });

  test('stored host prefix matches nothing', async () => {
    await store.putRelyingParty('host-prefix', { endpoint: 'https://pfx.example.com', match: 'prefix' });
    try {
      const registry = await loadRelyingPartyRegistry(store, logger);
      assert.equal(registry.match('https://pfx.example.com.evil.test/'), undefined);
      assert.equal(registry.match('https://pfx.example.com/app'), undefined);
      assert.ok(logLines.some((line) => line.includes('"relyingParty":"host-prefix"') && line.includes('ends inside the host')));
    } finally {
      await store.deleteRelyingParty('host-prefix');
    }
  });

  test('record without endpoint is skipped', async () => {
    const registry = await loadRelyingPartyRegistry(store, logger);
    assert.equal(registry.match('urn:x'), undefined);
    assert.ok(logLines.some((line) => line.includes('"relyingParty":"no-endpoint"')));
  });

  test('rsa-sha1 party logs warning', async () => {
    const party = (await loadRelyingPartyRegistry(store, logger)).resolve('urn:sha1');
    assert.equal(party?.signatureAlgorithm, 'rsa-sha1');
    assert.deepEqual(party?.claims, []);
    assert.ok(logLines.some((line) => line.includes('"level":40') && line.includes('"relyingParty":"sha1"') && line.includes('rsa-sha1')));
  });
});

describe('saveRelyingParties', () => {
  test('rejects endpoint of stored party', async () => {
    await assert.rejects(saveRelyingParties(store, [{ name: 'copy', endpoint: 'urn:plain' }]), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'endpoint: urn:plain (match exact) is already registered by relying party "plain"; give each party its own endpoint',
      ]);
      return true;
    });
  });

  test('rejects expired certificate', async () => {
    await store.putKeyEntry({ alias: 'old', kind: 'trusted', certificatePem: certificatePem(1), chainPem: '', privateKeyFile: null, active: false });
    await assert.rejects(
      saveRelyingParties(store, [{ name: 'old-cert', endpoint: 'urn:old', certAlias: 'old', encryption: { enabled: true } }], {
        now: new Date(Date.now() + 3 * 86_400_000),
        fieldPath: (index) => `relyingParties[${index}]`,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 1);
        assert.match(error.problems[0], /^relyingParties\[0\]\.certAlias: certificate "old" expired on /);
        return true;
      },
    );
    assert.equal(await store.getRelyingParty('old-cert'), undefined);
  });

  test('replace removes unlisted parties', async () => {
    const result = await saveRelyingParties(store, [{ name: 'plain', endpoint: 'urn:plain' }], { replaceAll: true });
    assert.deepEqual(result.removed.sort(), ['encrypted', 'hand-edited', 'missing-cert', 'no-endpoint', 'sha1']);
    assert.deepEqual((await store.listRelyingParties()).map((record) => record.name), ['plain']);
  });
});
