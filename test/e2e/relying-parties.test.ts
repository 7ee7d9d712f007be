import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Element } from '@xmldom/xmldom';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { buildIssueRequest } from '../../src/trust/client.js';
import { requireTool, xmlsecVerify } from '../helpers/verifiers.js';
import { runCli, startServer, type RunningServer } from './harness.js';
import {
  assertFault,
  assertIssued,
  child,
  descendants,
  freshRequest,
  NS,
  REASONS,
  rstrOf,
  send,
  stsUrl,
  textOf,
  tokenElement,
  TOKEN_TYPES,
  USER01,
} from './issue-setup.js';

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const ALICE = {
  name: 'alice',
  password: 'Alice-Secret-01',
  roles: ['admin'],
  claims: { 'http://wso2.org/claims/emailaddress': ['alice@example.test'] },
};

let server: RunningServer;
let directory: string;

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'sts-rp-e2e-'));
  server = await startServer({
    users: [ALICE, USER01],
    relyingParties: [
      { name: 'alpha', config: { endpoint: 'urn:example:rp:alpha' } },
      {
        name: 'exact-app',
        config: { endpoint: 'https://apps.example.test/app/', audiences: ['urn:example:aud:exact-1', 'urn:example:aud:exact-2'] },
      },
      { name: 'any-host', config: { endpoint: 'https://*.apps.example.test/app/*', match: 'wildcard', audiences: ['urn:example:aud:any-host'] } },
      { name: 'team-host', config: { endpoint: 'https://team.apps.example.test/app/*', match: 'wildcard', audiences: ['urn:example:aud:team'] } },
      { name: 'apps-prefix', config: { endpoint: 'https://apps.example.test/', match: 'prefix', audiences: ['urn:example:aud:prefix'] } },
      { name: 'saml11-default', config: { endpoint: 'urn:example:rp:saml11', tokenType: TOKEN_TYPES.saml11Profile } },
      {
        name: 'custom-subject',
        config: {
          endpoint: 'urn:example:rp:custom-subject',
          tokenLifetimeSeconds: 120,
          nameIdFormat: EMAIL_FORMAT,
          subjectClaim: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        },
      },
      { name: 'legacy-sha1', config: { endpoint: 'urn:example:rp:sha1', signatureAlgorithm: 'rsa-sha1' } },
    ],
  });
});

after(async () => {
  await server?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

function requestToken(appliesTo: string | undefined, tokenType?: string) {
  const request = buildIssueRequest({
    endpoint: stsUrl(server, 'http'),
    username: ALICE.name,
    password: ALICE.password,
    digest: false,
    soapVersion: '1.2',
    trustVersion: '1.3',
    tokenType,
    appliesTo,
  });
  return send(server, request.body, { transport: 'http', headers: request.headers });
}

function audiencesOf(token: Element): string[] {
  const saml2 = token.namespaceURI === NS.saml20;
  const ns = saml2 ? NS.saml20 : NS.saml11;
  const restriction = child(child(token, ns, 'Conditions'), ns, saml2 ? 'AudienceRestriction' : 'AudienceRestrictionCondition');
  assert.ok(restriction, 'the token has an audience restriction');
  return descendants(restriction, ns, 'Audience').map((audience) => textOf(audience));
}

async function audiencesFor(appliesTo: string): Promise<string[]> {
  const response = await requestToken(appliesTo, TOKEN_TYPES.saml20Profile);
  assertIssued(response);
  return audiencesOf(tokenElement(response.body));
}

describe('AppliesTo resolution', () => {
  test('unknown AppliesTo gets InvalidScope', async () => {
    const response = await send(server, freshRequest('unknown-appliesto.xml'));
    assertFault(response, { code: `{${NS.wst13}}InvalidScope`, reason: REASONS.invalidScope });
    assert.ok(!response.body.includes('urn:example:rp:not-registered'), 'the fault does not echo the address');
  });

  test('missing AppliesTo gets InvalidRequest', async () => {
    const response = await requestToken(undefined, TOKEN_TYPES.saml20Profile);
    assertFault(response, { code: `{${NS.wst13}}InvalidRequest`, reason: REASONS.invalidRequest('AppliesTo') });
  });

  test('exact endpoint beats patterns', async () => {
    assert.deepEqual(await audiencesFor('https://apps.example.test/app/'), [
      'https://apps.example.test/app/',
      'urn:example:aud:exact-1',
      'urn:example:aud:exact-2',
    ]);
  });

  test('most specific wildcard wins', async () => {
    assert.deepEqual(await audiencesFor('https://team.apps.example.test/app/home'), [
      'https://team.apps.example.test/app/home',
      'urn:example:aud:team',
    ]);
  });

  test('general wildcard matches other hosts', async () => {
    assert.deepEqual(await audiencesFor('https://sales.apps.example.test/app/home'), [
      'https://sales.apps.example.test/app/home',
      'urn:example:aud:any-host',
    ]);
  });

  test('prefix matches the subtree', async () => {
    assert.deepEqual(await audiencesFor('https://apps.example.test/reports/2030/q1'), [
      'https://apps.example.test/reports/2030/q1',
      'urn:example:aud:prefix',
    ]);
  });

  const outsideThePattern: Array<[string, string]> = [
    ['parent segments', 'https://apps.example.test/reports/../../evil'],
    ['encoded parent segment', 'https://apps.example.test/reports/%2E%2e/evil'],
    ['wildcard parent segment', 'https://sales.apps.example.test/app/..'],
    ['embedded newline', 'https://apps.example.test/reports/\nhttps://evil.test/'],
    ['backslash', 'https://apps.example.test/reports\\..\\evil'],
  ];
  for (const [kind, address] of outsideThePattern) {
    test(`${kind} gets InvalidScope`, async () => {
      const response = await requestToken(address, TOKEN_TYPES.saml20Profile);
      assertFault(response, { code: `{${NS.wst13}}InvalidScope`, reason: REASONS.invalidScope });
    });
  }
});

describe('per-party token settings', () => {
  test('default token type is SAML 1.1', async () => {
    const response = await requestToken('urn:example:rp:saml11');
    assertIssued(response);
    assert.equal(tokenElement(response.body).namespaceURI, NS.saml11);
    assert.equal(textOf(child(rstrOf(response.body), NS.wst13, 'TokenType')), TOKEN_TYPES.saml11Urn);
  });

  test('lifetime, NameID format and subject claim apply', async () => {
    const response = await requestToken('urn:example:rp:custom-subject', TOKEN_TYPES.saml20Profile);
    assertIssued(response);
    const token = tokenElement(response.body);
    const conditions = child(token, NS.saml20, 'Conditions')!;
    const issued = Date.parse(token.getAttribute('IssueInstant') ?? '');
    assert.equal(Date.parse(conditions.getAttribute('NotOnOrAfter') ?? '') - issued, 120_000, 'the lifetime is 120 s');
    const nameId = child(child(token, NS.saml20, 'Subject'), NS.saml20, 'NameID');
    assert.equal(nameId?.getAttribute('Format'), EMAIL_FORMAT);
    assert.equal(textOf(nameId), 'alice@example.test');
  });

  test('rsa-sha1 party gets SHA-1 signature', async (t) => {
    const response = await requestToken('urn:example:rp:sha1', TOKEN_TYPES.saml20Profile);
    const tokenXml = assertIssued(response);
    const signedInfo = descendants(tokenElement(response.body), NS.ds, 'SignedInfo')[0];
    assert.equal(child(signedInfo, NS.ds, 'SignatureMethod')?.getAttribute('Algorithm'), 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    const reference = child(signedInfo, NS.ds, 'Reference');
    assert.equal(child(reference, NS.ds, 'DigestMethod')?.getAttribute('Algorithm'), 'http://www.w3.org/2000/09/xmldsig#sha1');
    const warned = server.output.some((line) => line.includes('"relyingParty":"legacy-sha1"') && line.includes('rsa-sha1'));
    assert.ok(warned, 'the log warns about rsa-sha1');
    if (requireTool(t, 'xmlsec1')) {
      const result = await xmlsecVerify(tokenXml, server.signingCertPem, { name: 'ID', elementNs: NS.saml20, elementName: 'Assertion' });
      assert.ok(result.ok, `xmlsec1 verifies the rsa-sha1 token: ${result.output}`);
    }
  });

  test('other parties keep rsa-sha256', async () => {
    const response = await requestToken('urn:example:rp:alpha', TOKEN_TYPES.saml20Profile);
    assertIssued(response);
    const method = descendants(tokenElement(response.body), NS.ds, 'SignatureMethod')[0];
    assert.equal(method?.getAttribute('Algorithm'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  });
});

describe('sts sp commands', () => {
  test('added party works without restart', async () => {
    const address = 'urn:example:rp:added-while-running';
    const before = await requestToken(address, TOKEN_TYPES.saml20Profile);
    assertFault(before, { code: `{${NS.wst13}}InvalidScope`, reason: REASONS.invalidScope });

    const added = await server.cli(['sp', 'add', '--name', 'added-live', '--endpoint', address, '--audience', 'urn:example:aud:live']);
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(await audiencesFor(address), [address, 'urn:example:aud:live']);

    const removed = await server.cli(['sp', 'remove', 'added-live']);
    assert.equal(removed.code, 0, removed.stderr);
    const after = await requestToken(address, TOKEN_TYPES.saml20Profile);
    assertFault(after, { code: `{${NS.wst13}}InvalidScope`, reason: REASONS.invalidScope });
  });

  test('add, update and show agree', async () => {
    const added = await server.cli([
      'sp', 'add', '--name', 'round-trip', '--endpoint', 'https://rt.example.test/*', '--match', 'wildcard',
      '--description', 'Round trip', '--audience', 'urn:example:aud:rt', '--token-type', 'saml11', '--lifetime', '600',
      '--name-id-format', EMAIL_FORMAT, '--subject-claim', 'http://wso2.org/claims/emailaddress',
      '--claim', 'http://wso2.org/claims/givenname', '--signature-algorithm', 'rsa-sha256',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const updated = await server.cli(['sp', 'update', 'round-trip', '--lifetime', '900', '--unset', 'description', '--claim', 'urn:example:c']);
    assert.equal(updated.code, 0, updated.stderr);

    const shown = await server.cli(['sp', 'show', 'round-trip', '--format', 'json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), {
      name: 'round-trip',
      endpoint: 'https://rt.example.test/*',
      match: 'wildcard',
      audiences: ['urn:example:aud:rt'],
      tokenType: TOKEN_TYPES.saml11Profile,
      tokenLifetimeSeconds: 900,
      nameIdFormat: EMAIL_FORMAT,
      subjectClaim: 'http://wso2.org/claims/emailaddress',
      claims: ['urn:example:c'],
      signatureAlgorithm: 'rsa-sha256',
      encryption: { enabled: false, content: 'aes256-gcm', keyTransport: 'rsa-oaep-mgf1p', oaepDigest: 'sha1' },
    });
    const list = await server.cli(['sp', 'list']);
    assert.match(list.stdout, /^round-trip\twildcard\thttps:\/\/rt\.example\.test\/\*\tnot encrypted$/m);
  });

  test('export and import round-trip', async () => {
    const exported = await server.cli(['sp', 'export']);
    assert.equal(exported.code, 0, exported.stderr);
    const registry = parseYaml(exported.stdout) as { relyingParties: Array<Record<string, unknown>> };
    assert.ok(registry.relyingParties.some((party) => party.name === 'exact-app'), 'the export lists seeded parties');

    const verbatim = join(directory, 'exported.yaml');
    writeFileSync(verbatim, exported.stdout);
    const reimported = await server.cli(['sp', 'import', verbatim]);
    assert.equal(reimported.code, 0, reimported.stderr);
    assert.match(reimported.stderr, new RegExp(`^imported ${registry.relyingParties.length} relying parties$`, 'm'));
    assert.match(reimported.stderr, /^sts: warning: relying party "legacy-sha1" signs tokens with rsa-sha1/m);

    const file = join(directory, 'registry.yaml');
    const trimmed = registry.relyingParties.filter((party) => party.name !== 'round-trip');
    writeFileSync(file, stringifyYaml({ relyingParties: trimmed }));
    const imported = await server.cli(['sp', 'import', file, '--replace']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /removed round-trip/);
    const again = await server.cli(['sp', 'export', '--format', 'json']);
    assert.deepEqual(JSON.parse(again.stdout), { relyingParties: trimmed });
  });

  test('add rejects patterns matching any host', async () => {
    const cases: Array<[string, string]> = [
      ['https://', 'prefix'],
      ['*', 'wildcard'],
      ['https://*', 'wildcard'],
    ];
    for (const [endpoint, match] of cases) {
      const result = await server.cli(['sp', 'add', '--name', 'e6', '--endpoint', endpoint, '--match', match]);
      assert.equal(result.code, 2, `exit code for ${endpoint}`);
      assert.equal(
        result.stderr,
        `sts: endpoint (--endpoint): ${match} pattern ${endpoint} has no literal host or name, so it matches unrelated addresses; ` +
          "include the relying party's host or name (such as https://rp.example.com/ or urn:example:rp:), " +
          'or set sts.allowUnregisteredRelyingParties: true in sts.yaml if tokens for every AppliesTo are really wanted\n',
      );
    }
    const shown = await server.cli(['sp', 'show', 'e6']);
    assert.equal(shown.code, 2, 'no party e6 was saved');
  });

  test('add rejects prefix ending in host', async () => {
    const result = await server.cli(['sp', 'add', '--name', 'pfx', '--endpoint', 'https://pfx.example.com', '--match', 'prefix']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'sts: endpoint (--endpoint): prefix https://pfx.example.com ends inside the host and port, so it also matches other hosts ' +
        '(such as https://pfx.example.com.evil.test or https://pfx.example.com@evil.test); end it with "/" (https://pfx.example.com/)\n',
    );
  });

  test('add reports an empty endpoint', async () => {
    const result = await server.cli(['sp', 'add', '--name', 'empty', '--endpoint', '']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'sts: endpoint (--endpoint): must not be empty\n');
  });

  test('match explains an unsafe address', async () => {
    const result = await server.cli(['sp', 'match', 'https://apps.example.test/x/../evil']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'no relying party matches "https://apps.example.test/x/../evil": prefix and wildcard parties never match it, ' +
        'because it contains a "." or ".." path segment\n',
    );
  });

  test('add needs an existing data directory', async () => {
    const missing = join(directory, 'nonexist2');
    const result = await runCli(['sp', 'add', '--name', 'lost', '--endpoint', 'urn:example:lost', '--data-dir', missing]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `sts: data directory ${missing} not found (no sts.db); check --data-dir or STS_DATA_DIR, ` +
        `or start "sts serve --data-dir ${missing}" once to create it\n`,
    );
    assert.equal(existsSync(missing), false, 'the directory was not created');
  });

  test('import names the invalid field', async () => {
    const file = join(directory, 'invalid.yaml');
    writeFileSync(
      file,
      'relyingParties:\n  - name: ok-1\n    endpoint: urn:example:ok-1\n  - name: ok-2\n    endpoint: urn:example:ok-2\n' +
        '  - name: bad\n    endpoint: urn:example:bad\n    encryption:\n      enabled: true\n      content: aes512-gcm\n',
    );
    const result = await server.cli(['sp', 'import', file]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'sts: relyingParties[2].encryption.content: expected one of aes256-gcm, aes128-gcm, aes256-cbc, aes128-cbc\n',
    );
    const list = await server.cli(['sp', 'list']);
    assert.ok(!/^ok-1\t/m.test(list.stdout), 'nothing from the invalid file was saved');
  });
});
