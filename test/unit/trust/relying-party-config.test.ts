import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  effectiveRelyingPartyConfig,
  parseRegistryFile,
  parseRelyingPartyConfig,
  relyingPartyWarnings,
} from '../../../src/config/index.js';

describe('parseRelyingPartyConfig', () => {
  test('accepts endpoint and audiences record', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'urn:example:rp:beta', audiences: ['urn:example:rp:beta:second'] });
    assert.deepEqual(parsed, { ok: true, value: { endpoint: 'urn:example:rp:beta', audiences: ['urn:example:rp:beta:second'] } });
  });

  test('fills secure defaults', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'urn:rp', encryption: { enabled: true } });
    assert.ok(parsed.ok);
    const effective = effectiveRelyingPartyConfig(parsed.value);
    assert.equal(effective.match, 'exact');
    assert.equal(effective.signatureAlgorithm, 'rsa-sha256');
    assert.deepEqual(effective.encryption, { enabled: true, content: 'aes256-gcm', keyTransport: 'rsa-oaep-mgf1p', oaepDigest: 'sha1' });
  });

  test('maps short token type names', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'urn:rp', tokenType: 'saml11' });
    assert.ok(parsed.ok);
    assert.equal(parsed.value.tokenType, 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1');
  });

  test('names invalid fields', () => {
    const parsed = parseRelyingPartyConfig({
      endpoint: 'has space',
      tokenType: 'urn:example:jwt',
      tokenLifetimeSeconds: 0,
      encryption: { content: 'des' },
      encrypt: true,
    });
    assert.equal(parsed.ok, false);
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'endpoint: must not contain whitespace or control characters',
      'tokenType: expected one of http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0, ' +
        'urn:oasis:names:tc:SAML:2.0:assertion, http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1, ' +
        'urn:oasis:names:tc:SAML:1.0:assertion',
      'tokenLifetimeSeconds: expected at least 1',
      'encryption.content: expected one of aes256-gcm, aes128-gcm, aes256-cbc, aes128-cbc',
      'encrypt: unknown field',
    ]);
  });

  test('wildcard without star is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'urn:rp', match: 'wildcard' });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'endpoint: a wildcard pattern needs at least one "*"; use match exact for a fixed address',
    ]);
  });

  test('empty endpoint is reported as empty', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: '' });
    assert.deepEqual(!parsed.ok && parsed.problems, ['endpoint: must not be empty']);
  });

  test('control character in endpoint is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'urn:example:\u001brp' });
    assert.deepEqual(!parsed.ok && parsed.problems, ['endpoint: must not contain whitespace or control characters']);
  });

  const everything = (endpoint: string, match: string) =>
    `endpoint: ${match} pattern ${endpoint} has no literal host or name, so it matches unrelated addresses; ` +
    'include the relying party\'s host or name (such as https://rp.example.com/ or urn:example:rp:), ' +
    'or set sts.allowUnregisteredRelyingParties: true in sts.yaml if tokens for every AppliesTo are really wanted';
  const matchesEverything: Array<[string, 'prefix' | 'wildcard']> = [
    ['https://', 'prefix'],
    ['http://', 'prefix'],
    ['urn:', 'prefix'],
    ['https:/', 'prefix'],
    ['*', 'wildcard'],
    ['**', 'wildcard'],
    ['https://*', 'wildcard'],
    ['https://*/*', 'wildcard'],
    ['https://*.*/app/*', 'wildcard'],
    ['https://*:*/', 'wildcard'],
    ['HTTPS://*', 'wildcard'],
    ['urn:*', 'wildcard'],
    ['urn:*:*', 'wildcard'],
  ];
  for (const [endpoint, match] of matchesEverything) {
    test(`${match} ${endpoint} is invalid`, () => {
      const parsed = parseRelyingPartyConfig({ endpoint, match });
      assert.deepEqual(!parsed.ok && parsed.problems, [everything(endpoint, match)]);
    });
  }

  for (const endpoint of ['https://*.com/', 'https://*.com/app/*', 'https://x*.org/']) {
    test(`wildcard host ${endpoint} is invalid`, () => {
      const parsed = parseRelyingPartyConfig({ endpoint, match: 'wildcard' });
      assert.deepEqual(!parsed.ok && parsed.problems, [
        `endpoint: wildcard pattern ${endpoint} has a wildcard host without a domain of its own after the "*" ` +
          '(such as *.rp.example.com); name at least two labels after the last "*"',
      ]);
    });
  }

  test('wildcard host under a domain is valid', () => {
    assert.ok(parseRelyingPartyConfig({ endpoint: 'https://*.example.com/app/*', match: 'wildcard' }).ok);
  });

  test('pattern without a scheme is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: '*.example.com/*', match: 'wildcard' });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'endpoint: wildcard pattern *.example.com/* must start with a literal URI scheme, such as https:// or urn:',
    ]);
  });

  test('https pattern without slashes is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'https:rp.example.com/', match: 'prefix' });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'endpoint: prefix pattern https:rp.example.com/ must start with "https://" and a host',
    ]);
  });

  test('prefix ending in the host is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'https://pfx.example.com', match: 'prefix' });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'endpoint: prefix https://pfx.example.com ends inside the host and port, so it also matches other hosts ' +
        '(such as https://pfx.example.com.evil.test or https://pfx.example.com@evil.test); ' +
        'end it with "/" (https://pfx.example.com/)',
    ]);
  });

  test('prefix ending in the port is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'https://pfx.example.com:8443', match: 'prefix' });
    assert.equal(parsed.ok, false);
  });

  test('pattern with user info is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'https://user@*.example.com/*', match: 'wildcard' });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'endpoint: wildcard pattern https://user@*.example.com/* contains user info ("@" before the host), ' +
        'and addresses with user info match no pattern',
    ]);
  });

  const validPatterns: Array<[string, 'prefix' | 'wildcard']> = [
    ['https://rp.example.com/', 'prefix'],
    ['https://rp.example.com:8443/apps/', 'prefix'],
    ['https://rp.example.com?', 'prefix'],
    ['urn:example:rp:', 'prefix'],
    ['https://*.example.com/app/*', 'wildcard'],
    ['https://*.example.com', 'wildcard'],
    ['https://rp.example.com:*/', 'wildcard'],
    ['urn:example:*:rp', 'wildcard'],
  ];
  for (const [endpoint, match] of validPatterns) {
    test(`${match} ${endpoint} is valid`, () => {
      assert.equal(parseRelyingPartyConfig({ endpoint, match }).ok, true);
    });
  }

  test('exact endpoints stay unrestricted', () => {
    assert.equal(parseRelyingPartyConfig({ endpoint: 'https://' }).ok, true);
  });

  test('OAEP digest with rsa-1_5 is invalid', () => {
    const parsed = parseRelyingPartyConfig({ endpoint: 'urn:rp', encryption: { keyTransport: 'rsa-1_5', oaepDigest: 'sha256' } });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'encryption.oaepDigest: applies to keyTransport rsa-oaep-mgf1p only; remove it or change keyTransport',
    ]);
  });
});

describe('parseRegistryFile', () => {
  test('names the entry and field', () => {
    const parsed = parseRegistryFile({
      relyingParties: [
        { name: 'a', endpoint: 'urn:a' },
        { name: 'b', endpoint: 'urn:b' },
        { name: 'c', endpoint: 'urn:c', encryption: { content: 'aes512-gcm' } },
      ],
    });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'relyingParties[2].encryption.content: expected one of aes256-gcm, aes128-gcm, aes256-cbc, aes128-cbc',
    ]);
  });

  test('reports repeated names and endpoints', () => {
    const parsed = parseRegistryFile({
      relyingParties: [
        { name: 'a', endpoint: 'urn:a' },
        { name: 'a', endpoint: 'urn:other' },
        { name: 'b', endpoint: 'urn:a' },
        { name: 'c', endpoint: 'urn:a', match: 'prefix' },
      ],
    });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'relyingParties[1].name: "a" is already used by relyingParties[0]',
      'relyingParties[2].endpoint: urn:a (match exact) is already registered by relying party "a"; give each party its own endpoint',
    ]);
  });

  test('rejects invalid names and unknown top fields', () => {
    const parsed = parseRegistryFile({ parties: [], relyingParties: [{ name: '-bad', endpoint: 'urn:a' }] });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'parties: unknown field; the file has one field, relyingParties',
      'relyingParties[0].name: "-bad" is not a valid name; use 1-128 letters, digits or . _ - : @, starting with a letter or digit',
    ]);
  });

  test('escapes control characters in names', () => {
    const parsed = parseRegistryFile({ relyingParties: [{ name: 'a\u001b[31m\u009b', endpoint: 'urn:a' }] });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      'relyingParties[0].name: "a\\u001b[31m\\u009b" is not a valid name; use 1-128 letters, digits or . _ - : @, starting with a letter or digit',
    ]);
  });

  test('returns entries with names', () => {
    const parsed = parseRegistryFile({ relyingParties: [{ name: 'a', endpoint: 'urn:a', claims: ['urn:c'] }] });
    assert.deepEqual(parsed, { ok: true, value: [{ name: 'a', endpoint: 'urn:a', claims: ['urn:c'] }] });
  });
});

describe('relyingPartyWarnings', () => {
  test('warns about legacy algorithms', () => {
    const warnings = relyingPartyWarnings('old', {
      endpoint: 'urn:old',
      signatureAlgorithm: 'rsa-sha1',
      encryption: { enabled: true, content: 'aes128-cbc', keyTransport: 'rsa-1_5' },
    });
    assert.equal(warnings.length, 3);
    assert.match(warnings[0], /rsa-sha1/);
    assert.match(warnings[1], /aes128-cbc/);
    assert.match(warnings[2], /rsa-1_5/);
  });

  test('default party has no warnings', () => {
    assert.deepEqual(relyingPartyWarnings('new', { endpoint: 'urn:new', encryption: { enabled: true } }), []);
  });

  test('warns about open-ended prefix', () => {
    const warnings = relyingPartyWarnings('p', { endpoint: 'https://example.com/app', match: 'prefix' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /end the prefix with "\/"/);
  });
});
