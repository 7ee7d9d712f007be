import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireTool, samlsignVerify, xmlsecVerify } from '../helpers/verifiers.js';
import { ADMIN_PASSWORD, runCli, startServer, type CliResult, type RunningServer } from './harness.js';
import { issueServerOptions, NS, parseXmlText, REASONS, STS_PATH, TOKEN_TYPES } from './issue-setup.js';

const APPLIES_TO = 'urn:example:rp:alpha';

let server: RunningServer;
let workDir: string;
let stsCertFile: string;

before(async () => {
  server = await startServer(issueServerOptions());
  workDir = mkdtempSync(path.join(os.tmpdir(), 'sts-cli-client-'));
  stsCertFile = path.join(workDir, 'sts-signing.pem');
  writeFileSync(stsCertFile, server.signingCertPem);
});

after(async () => {
  await server?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Runs `sts client` as admin against the HTTPS listener with `extra` options. */
function client(extra: string[], password = ADMIN_PASSWORD): Promise<CliResult> {
  return runCli([
    'client',
    '--endpoint',
    `${server.httpsUrl}${STS_PATH}`,
    '--username',
    'admin',
    '--password',
    password,
    '--applies-to',
    APPLIES_TO,
    ...extra,
  ]);
}

/** Options that trust the server's TLS certificate and check the token against the STS certificate. */
function trusted(): string[] {
  return ['--ca', server.tlsCertFile, '--sts-cert', stsCertFile];
}

function assertNoStackTrace(output: string): void {
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
}

describe('sts client', () => {
  for (const [name, assertionNs, idAttribute] of [
    ['saml2', NS.saml20, 'ID'],
    ['saml11', NS.saml11, 'AssertionID'],
  ] as const) {
    test(`${name} token is printed`, async () => {
      const result = await client(['--token-type', name, ...trusted()]);
      assert.equal(result.code, 0, result.stderr);
      const token = parseXmlText(result.stdout.trim()).documentElement!;
      assert.equal(token.namespaceURI, assertionNs);
      assert.equal(token.localName, 'Assertion');
    });

    test(`${name} summary names the token facts`, async () => {
      const result = await client(['--token-type', name, ...trusted()]);
      assert.equal(result.code, 0, result.stderr);
      const expectedType = name === 'saml2' ? TOKEN_TYPES.saml20Profile : TOKEN_TYPES.saml11Profile;
      assert.match(result.stderr, new RegExp(`^Token type: {2}${expectedType.replace(/[.#]/g, '\\$&')}$`, 'm'));
      assert.match(result.stderr, /^Issuer: {6}https:\/\/localhost:9443\/services\/wso2carbon-sts$/m);
      assert.match(result.stderr, /^Subject: {5}admin$/m);
      assert.match(result.stderr, new RegExp(`^Audience: {4}${APPLIES_TO}$`, 'm'));
      assert.match(result.stderr, /^Valid: {7}\S+ to \S+$/m);
      assert.match(result.stderr, /^Attribute: {3}.*role = admin$/m);
      assert.match(result.stderr, /^Signature: {3}valid/m);
    });

    test(`${name} printed token verifies`, async (t) => {
      const result = await client(['--token-type', name, ...trusted()]);
      assert.equal(result.code, 0, result.stderr);
      const token = result.stdout.trim();
      if (requireTool(t, 'samlsign')) {
        const samlsign = await samlsignVerify(token, server.signingCertPem);
        assert.ok(samlsign.ok, samlsign.output);
      }
      if (requireTool(t, 'xmlsec1')) {
        const xmlsec = await xmlsecVerify(token, server.signingCertPem, {
          name: idAttribute,
          elementNs: assertionNs,
          elementName: 'Assertion',
        });
        assert.ok(xmlsec.ok, xmlsec.output);
      }
    });
  }

  for (const [variant, options] of [
    ['--digest', ['--digest']],
    ['--soap 1.1', ['--soap', '1.1']],
    ['--trust 2005', ['--trust', '2005']],
    ['--soap 1.1 --trust 2005 --digest', ['--soap', '1.1', '--trust', '2005', '--digest']],
  ]) {
    test(`${variant} gets token`, async () => {
      const result = await client([...options, ...trusted()]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^<saml2:Assertion /);
      assert.match(result.stderr, /^Signature: {3}valid/m);
    });
  }

  test('--insecure skips certificate check', async () => {
    const result = await client(['--insecure']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^<saml2:Assertion /);
  });

  test('wrong password prints the fault', async () => {
    const result = await client(trusted(), 'not-the-password');
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /wsse:FailedAuthentication/);
    assert.ok(result.stderr.includes(REASONS.wsseFailedAuthentication), result.stderr);
    assertNoStackTrace(result.stderr);
  });

  test('untrusted certificate gets one-line error', async () => {
    const result = await client([]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^sts client: request to https:\/\/localhost:\d+\S+ failed: .*certificate/);
    assert.match(result.stderr, /pass --ca/);
    assertNoStackTrace(result.stderr);
  });

  test('dropped connection gets one-line error', async () => {
    // A listener of this test that closes every connection at once, so the client sees a reset.
    const dropper = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const { port } = dropper.address() as AddressInfo;
    try {
      const endpoint = `http://127.0.0.1:${port}${STS_PATH}`;
      const result = await runCli(['client', '--endpoint', endpoint, '--username', 'admin', '--password', ADMIN_PASSWORD]);
      assert.equal(result.code, 1);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.ok(result.stderr.startsWith(`sts client: request to ${endpoint} failed: `), result.stderr);
      assertNoStackTrace(result.stderr);
    } finally {
      dropper.close();
    }
  });

  test('missing --ca file is a usage error', async () => {
    const result = await client(['--ca', path.join(workDir, 'missing.pem')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--ca: cannot read .*missing\.pem \(ENOENT\)/);
    assertNoStackTrace(result.stderr);
  });
});

describe('sts client credentials and verification', () => {
  function clientWith(passwordOptions: string[], extra: string[] = [], env: Record<string, string> = {}) {
    return runCli(
      ['client', '--endpoint', `${server.httpsUrl}${STS_PATH}`, '--username', 'admin', ...passwordOptions, '--applies-to', APPLIES_TO, ...extra],
      { env },
    );
  }

  test('password from environment variable', async () => {
    const result = await clientWith(['--password-env', 'CLIENT_PASSWORD'], trusted(), { CLIENT_PASSWORD: ADMIN_PASSWORD });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Signature: {3}valid/m);
  });

  test('empty password is refused', async () => {
    const result = await clientWith(['--password', ''], trusted());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the password is empty/);
  });

  test('wrong STS certificate exits non-zero', async () => {
    const otherCert = path.join(workDir, 'other-cert.pem');
    writeFileSync(otherCert, readFileSync(server.tlsCertFile));
    const result = await clientWith(['--password', ADMIN_PASSWORD], ['--ca', server.tlsCertFile, '--sts-cert', otherCert]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^Signature: {3}INVALID: the token does not verify with the certificate from --sts-cert$/m);
    assert.doesNotMatch(result.stderr, /signature value/);
    assert.equal(result.stdout, '', 'no unverified token is printed');
  });

  test('non-certificate sts-cert is a usage error', async () => {
    const keyFile = path.join(workDir, 'not-a-cert.pem');
    writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const result = await clientWith(['--password', ADMIN_PASSWORD], ['--ca', server.tlsCertFile, '--sts-cert', keyFile]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--sts-cert: .* contains no PEM certificate; use the output of "sts keys cert"/);
  });
});
