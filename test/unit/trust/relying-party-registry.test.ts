import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { certificateToPem, generateSelfSignedCertificate } from '../../../src/crypto/certificates.js';
import {
  checkEncryptionCertificate,
  RelyingPartyRegistry,
  type EndpointMatch,
  type RegistryEntry,
} from '../../../src/trust/index.js';
import { requireTool } from '../../helpers/verifiers.js';

function entry(name: string, endpoint: string, match: EndpointMatch = 'exact', additionalAudiences: string[] = []): RegistryEntry {
  return { name, endpoint, match, additionalAudiences, settings: { claims: [], signatureAlgorithm: 'rsa-sha256' } };
}

const registry = new RelyingPartyRegistry([
  entry('exact-app', 'https://a.example.com/app/'),
  entry('any-host-app', 'https://*.example.com/app/*', 'wildcard'),
  entry('a-host-app', 'https://a.example.com/app/*', 'wildcard'),
  entry('apps-prefix', 'https://example.com/apps/', 'prefix'),
  entry('apps-team-prefix', 'https://example.com/apps/team/', 'prefix', ['urn:team']),
  entry('urn-parts', 'urn:example:*:rp', 'wildcard'),
  entry('with-audiences', 'urn:example:rp:beta', 'exact', ['urn:example:rp:beta:second', 'urn:example:rp:beta']),
]);

describe('RelyingPartyRegistry matching', () => {
  const cases: Array<[string, string | undefined]> = [
    ['https://a.example.com/app/', 'exact-app'],
    ['https://a.example.com/app/page', 'a-host-app'],
    ['https://b.example.com/app/page', 'any-host-app'],
    ['https://b.example.com/app/page/deeper', undefined],
    ['https://evil.test/x.example.com/app/page', undefined],
    ['https://user@b.example.com/app/page', undefined],
    ['https://b.example.com/app/page?x=1', undefined],
    ['https://example.com/apps/one/two', 'apps-prefix'],
    ['https://example.com/apps/team/one', 'apps-team-prefix'],
    ['https://example.com/apps', undefined],
    ['urn:example:alpha:rp', 'urn-parts'],
    ['urn:example:alpha:beta:rp', undefined],
    ['https://a.example.com/APP/', undefined],
  ];
  for (const [address, expected] of cases) {
    test(`${address} selects ${expected ?? 'nothing'}`, () => {
      assert.equal(registry.match(address)?.name, expected);
    });
  }

  test('exact beats longer pattern', () => {
    const both = new RelyingPartyRegistry([
      entry('pattern', 'https://rp.example.com/app*', 'wildcard'),
      entry('exact', 'https://rp.example.com/app'),
    ]);
    assert.equal(both.match('https://rp.example.com/app')?.name, 'exact');
  });

  test('wildcard beats prefix on tie', () => {
    const tie = new RelyingPartyRegistry([
      entry('prefix', 'https://rp.example.com/', 'prefix'),
      entry('wildcard', 'https://rp.example.com/*', 'wildcard'),
    ]);
    assert.equal(tie.match('https://rp.example.com/x')?.name, 'wildcard');
  });
});

describe('RelyingPartyRegistry unsafe addresses', () => {
  const patterns = new RelyingPartyRegistry([
    entry('apps-prefix', 'https://rp.example.com/apps/', 'prefix'),
    entry('wild', 'https://*.wild.example.com/app/*', 'wildcard'),
    entry('host-prefix', 'https://pfx.example.com', 'prefix'),
    entry('urn-prefix', 'urn:example:rp:', 'prefix'),
    entry('dotted-exact', 'https://rp.example.com/apps/../exact'),
  ]);
  const unsafe: Array<[string, string]> = [
    ['parent segments', 'https://rp.example.com/apps/../../evil'],
    ['current segment', 'https://rp.example.com/apps/./x'],
    ['encoded parent segment', 'https://rp.example.com/apps/%2e%2e/evil'],
    ['upper-case encoded segment', 'https://rp.example.com/apps/%2E%2E/evil'],
    ['mixed encoded segment', 'https://rp.example.com/apps/.%2E/evil'],
    ['encoded current segment', 'https://rp.example.com/apps/%2e/x'],
    ['segment before an encoded slash', 'https://rp.example.com/apps/..%2fevil'],
    ['segment with parameters', 'https://rp.example.com/apps/..;x/evil'],
    ['segment before a query', 'https://rp.example.com/apps/..?x=1'],
    ['wildcard parent segment', 'https://x.wild.example.com/app/..'],
    ['wildcard current segment', 'https://x.wild.example.com/app/.'],
    ['backslash', 'https://rp.example.com/apps/x\\evil'],
    ['backslash parent segment', 'https://rp.example.com/apps/..\\evil'],
    ['newline', 'https://rp.example.com/apps/\nhttps://evil'],
    ['tab', 'https://rp.example.com/apps/a\tb'],
    ['space', 'https://rp.example.com/apps/a b'],
    ['no-break space', 'https://rp.example.com/apps/a\u00a0b'],
    ['control character', 'https://rp.example.com/apps/a\u0001b'],
    ['C1 control character', 'https://rp.example.com/apps/a\u009bb'],
    ['right-to-left override', 'https://rp.example.com/apps/a\u202eb'],
    ['user info after a host prefix', 'https://pfx.example.com@evil.test/'],
    ['user info with a path', 'https://pfx.example.com@evil.test/apps/'],
    ['URN with newline', 'urn:example:rp:a\nb'],
    ['encoded at sign in wildcard host', 'https://evil.test%40x.wild.example.com/app/x'],
  ];
  for (const [kind, address] of unsafe) {
    test(`${kind} selects nothing`, () => {
      assert.equal(patterns.match(address), undefined);
    });
  }

  const safe: Array<[string, string, string]> = [
    ['dots inside a segment', 'https://rp.example.com/apps/a..b/c.d', 'apps-prefix'],
    ['three dots', 'https://rp.example.com/apps/.../x', 'apps-prefix'],
    ['at sign in the path', 'https://rp.example.com/apps/a@b', 'apps-prefix'],
    ['encoded character', 'https://rp.example.com/apps/a%20b', 'apps-prefix'],
    ['dots in a URN', 'urn:example:rp:a..b', 'urn-prefix'],
    ['exact address with dot segments', 'https://rp.example.com/apps/../exact', 'dotted-exact'],
  ];
  for (const [kind, address, expected] of safe) {
    test(`${kind} still matches`, () => {
      assert.equal(patterns.match(address)?.name, expected);
    });
  }

  test('unsafe address gets no audience', () => {
    assert.equal(patterns.resolve('https://rp.example.com/apps/../../evil'), undefined);
  });
});

describe('RelyingPartyRegistry audiences', () => {
  test('exact party gets endpoint verbatim', () => {
    assert.deepEqual(registry.resolve('urn:example:rp:beta')?.audiences, ['urn:example:rp:beta', 'urn:example:rp:beta:second']);
  });

  test('pattern party gets the address', () => {
    assert.deepEqual(registry.resolve('https://example.com/apps/team/x')?.audiences, ['https://example.com/apps/team/x', 'urn:team']);
  });

  test('resolved party carries its name', () => {
    assert.equal(registry.resolve('https://a.example.com/app/')?.name, 'exact-app');
  });
});

describe('RelyingPartyRegistry certificate validity', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = generateSelfSignedCertificate({ publicKey, privateKey, commonName: 'rp', validityDays: 10 });
  const encrypted: RegistryEntry = {
    ...entry('encrypted', 'urn:example:enc'),
    settings: {
      claims: [],
      signatureAlgorithm: 'rsa-sha256',
      encryption: { certificate, contentAlgorithm: 'aes256-gcm', keyTransport: 'rsa-oaep-mgf1p', oaepDigest: 'sha1' },
    },
    certificateValidity: { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) },
  };
  const withCertificate = new RelyingPartyRegistry([encrypted]);

  test('valid certificate keeps encryption', () => {
    const encryption = withCertificate.resolve('urn:example:enc', new Date())?.encryption;
    assert.ok(encryption, 'the party has encryption settings');
    assert.ok('certificate' in encryption, 'the encryption has a certificate');
  });

  test('expired certificate becomes encryption error', () => {
    const encryption = withCertificate.resolve('urn:example:enc', new Date(Date.now() + 2 * 86_400_000))?.encryption;
    assert.ok(encryption, 'the party has encryption settings');
    assert.ok('error' in encryption, 'the encryption is an error');
    assert.match(encryption.error, /^certificate expired on /);
  });
});

describe('checkEncryptionCertificate', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sts-rp-unit-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  function opensslCertificate(name: string, keyArgs: string[]): string {
    const key = join(directory, `${name}.key`);
    const cert = join(directory, `${name}.pem`);
    execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`], {
      stdio: 'ignore',
    });
    return readFileSync(cert, 'utf8');
  }

  test('RSA 2048 certificate is usable', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = certificateToPem(generateSelfSignedCertificate({ publicKey, privateKey, commonName: 'ok', validityDays: 2 }));
    assert.equal(checkEncryptionCertificate(pem).ok, true);
  });

  test('expired certificate is unusable', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = certificateToPem(generateSelfSignedCertificate({ publicKey, privateKey, commonName: 'old', validityDays: 1 }));
    const check = checkEncryptionCertificate(pem, new Date(Date.now() + 3 * 86_400_000));
    assert.equal(check.ok, false);
    assert.match(!check.ok ? check.problem : '', /^expired on /);
  });

  test('EC certificate is unusable', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const check = checkEncryptionCertificate(opensslCertificate('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']));
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.problem, 'has a ec key, but token encryption needs an RSA key');
  });

  test('RSA 1024 certificate is unusable', (t) => {
    if (!requireTool(t, 'openssl')) return;
    const check = checkEncryptionCertificate(opensslCertificate('small', ['-newkey', 'rsa:1024']));
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.problem, 'has a 1024-bit RSA key; token encryption needs at least 2048 bits');
  });

  test('garbage PEM is unusable', () => {
    const check = checkEncryptionCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    assert.equal(!check.ok && check.problem, 'is not a readable X.509 certificate');
  });
});
