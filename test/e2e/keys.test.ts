import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { openDataDirectory, type KeyEntryRecord } from '../../src/store/index.js';
import { requireTool, samlsignVerify, xmlsecVerify } from '../helpers/verifiers.js';
import {
  ADMIN_PASSWORD,
  runCli,
  startServer,
  type CliResult,
  type RunningServer,
} from './harness.js';

const SAML2_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const RP = 'https://rp.keys.test/';
const JKS_PASSWORD = 'Jks-Store-Secret-7';
const P12_PASSWORD = 'P12-Store-Secret-9';

/** One row of `sts keys list --json`. */
interface ListedEntry {
  alias: string;
  kind: 'signing' | 'trusted';
  active: boolean;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  sha256Fingerprint: string;
  status: string;
}

/** Minimal `openssl ca` configuration, used only to give a certificate dates in the past. */
const CA_CONFIG = `[ ca ]
default_ca = test_ca

[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no

[ policy_any ]
commonName = supplied
`;

describe('keys commands', () => {
  let server: RunningServer;
  let dir = '';

  function file(name: string): string {
    return path.join(dir, name);
  }

  function openssl(...args: string[]): string {
    return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  }

  function keytool(...args: string[]): string {
    return execFileSync('keytool', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  }

  /** SHA-256 fingerprint as `openssl x509 -noout -fingerprint -sha256` prints it, without the label. */
  function opensslFingerprint(name: string, inform: 'PEM' | 'DER' = 'PEM'): string {
    const output = openssl(
      'x509',
      '-in',
      name,
      '-inform',
      inform,
      '-noout',
      '-fingerprint',
      '-sha256',
    );
    return output.trim().replace(/^sha256 Fingerprint=/i, '');
  }

  async function list(): Promise<ListedEntry[]> {
    const result = await server.cli(['keys', 'list', '--json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as ListedEntry[];
  }

  async function listed(alias: string): Promise<ListedEntry | undefined> {
    return (await list()).find((entry) => entry.alias === alias);
  }

  /** Reads an entry straight from the server's store, which is faster than another CLI run. */
  async function stored(alias: string): Promise<KeyEntryRecord | undefined> {
    const store = await openDataDirectory(server.dataDir);
    try {
      return await store.getKeyEntry(alias);
    } finally {
      await store.close();
    }
  }

  function assertUsageError(result: CliResult, message: string): void {
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `sts: ${message}\n`);
    assert.equal(result.stdout, '');
  }

  /** Requests a SAML 2.0 token with `sts client` and returns the assertion it prints. */
  async function issueToken(): Promise<string> {
    const result = await runCli([
      'client',
      '--endpoint',
      `${server.httpUrl}/services/wso2carbon-sts`,
      '--username',
      'admin',
      '--password',
      ADMIN_PASSWORD,
      '--applies-to',
      RP,
    ]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  }

  function hasTools(t: TestContext, ...tools: string[]): boolean {
    return tools.every((tool) => requireTool(t, tool));
  }

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sts-keys-'));
    server = await startServer({ relyingParties: [{ name: 'keys-rp', config: { endpoint: RP } }] });
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Creates a self-signed RSA key pair NAME.key and certificate NAME.pem valid for `days`. */
  function selfSigned(name: string, days = 365): void {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      String(days),
      '-subj',
      `/CN=${name}`,
    );
  }

  describe('import', () => {
    test('PEM certificate becomes trusted', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('partner-a');
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'partner-a',
        file('partner-a.pem'),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const entry = await listed('partner-a');
      assert.equal(entry?.kind, 'trusted');
      assert.equal(entry?.active, false);
      assert.equal(entry?.subject, 'CN=partner-a');
      assert.equal(entry?.sha256Fingerprint, opensslFingerprint('partner-a.pem'));
    });

    test('PEM key pair becomes signing', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('pem-signer');
      writeFileSync(
        file('pem-pair.pem'),
        readFileSync(file('pem-signer.pem'), 'utf8') + readFileSync(file('pem-signer.key'), 'utf8'),
      );
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'pem-signer',
        file('pem-pair.pem'),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const entry = await listed('pem-signer');
      assert.equal(entry?.kind, 'signing');
      assert.equal(entry?.active, false);
      assert.equal(entry?.sha256Fingerprint, opensslFingerprint('pem-signer.pem'));
    });

    test('imported private key is owner-only', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('mode-check');
      writeFileSync(
        file('mode-pair.pem'),
        readFileSync(file('mode-check.pem'), 'utf8') + readFileSync(file('mode-check.key'), 'utf8'),
      );
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'mode-check',
        '--signing',
        file('mode-pair.pem'),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const keyFile = path.join(server.dataDir, 'keys', 'mode-check.key.pem');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(keyFile)).mode & 0o777, 0o700);
    });

    test('DER certificate becomes trusted', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('partner-der');
      openssl('x509', '-in', 'partner-der.pem', '-outform', 'DER', '-out', 'partner-der.cer');
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'partner-der',
        file('partner-der.cer'),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const entry = await listed('partner-der');
      assert.equal(entry?.kind, 'trusted');
      assert.equal(entry?.sha256Fingerprint, opensslFingerprint('partner-der.cer', 'DER'));
    });

    for (const variant of ['default', 'legacy'] as const) {
      test(`PKCS#12 ${variant} becomes signing`, async (t) => {
        if (!hasTools(t, 'openssl')) return;
        const name = `p12-${variant}`;
        selfSigned(name);
        const legacy = variant === 'legacy' ? ['-legacy'] : [];
        openssl(
          'pkcs12',
          '-export',
          ...legacy,
          '-in',
          `${name}.pem`,
          '-inkey',
          `${name}.key`,
          '-name',
          'tomcat',
          '-out',
          `${name}.p12`,
          '-passout',
          `pass:${P12_PASSWORD}`,
        );

        const result = await server.cli(
          ['keys', 'import', '--alias', name, '--password-stdin', file(`${name}.p12`)],
          {
            input: `${P12_PASSWORD}\n`,
          },
        );
        assert.equal(result.code, 0, result.stderr);
        assert.ok(!result.stdout.includes(P12_PASSWORD));
        assert.ok(!result.stderr.includes(P12_PASSWORD));

        const entry = await listed(name);
        assert.equal(entry?.kind, 'signing');
        assert.equal(entry?.sha256Fingerprint, opensslFingerprint(`${name}.pem`));
      });
    }

    test('encrypted PEM key reads password file', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('pem-encrypted');
      openssl(
        'pkcs8',
        '-topk8',
        '-v2',
        'aes-256-cbc',
        '-in',
        'pem-encrypted.key',
        '-out',
        'pem-encrypted.enc.key',
        '-passout',
        `pass:${P12_PASSWORD}`,
      );
      const pair =
        readFileSync(file('pem-encrypted.pem'), 'utf8') +
        readFileSync(file('pem-encrypted.enc.key'), 'utf8');
      writeFileSync(file('pem-encrypted-pair.pem'), pair);
      writeFileSync(file('pem-password.txt'), `${P12_PASSWORD}\n`, { mode: 0o600 });
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'pem-encrypted',
        '--signing',
        '--password-file',
        file('pem-password.txt'),
        file('pem-encrypted-pair.pem'),
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await stored('pem-encrypted'))?.kind, 'signing');
    });

    test('JKS key password differs from store', async (t) => {
      if (!hasTools(t, 'keytool')) return;
      keytool(
        '-genkeypair',
        '-storetype',
        'JKS',
        '-keystore',
        'two-passwords.jks',
        '-storepass',
        JKS_PASSWORD,
        '-keypass',
        'Jks-Key-Secret-3',
        '-alias',
        'signer',
        '-keyalg',
        'RSA',
        '-keysize',
        '2048',
        '-validity',
        '365',
        '-dname',
        'CN=two-passwords',
      );
      const result = await server.cli(
        [
          'keys',
          'import',
          '--alias',
          'two-passwords',
          '--password-stdin',
          '--key-password-env',
          'KEY_PASSWORD',
          file('two-passwords.jks'),
        ],
        { input: `${JKS_PASSWORD}\n`, env: { KEY_PASSWORD: 'Jks-Key-Secret-3' } },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stderr.includes('Jks-Key-Secret-3'));
      assert.equal((await stored('two-passwords'))?.kind, 'signing');
    });

    test('source alias picks trusted entry', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool')) return;
      createWso2KeyStore();
      const result = await server.cli(
        [
          'keys',
          'import',
          '--alias',
          'jks-partner',
          '--source-alias',
          'partner',
          '--password-stdin',
          file('wso2carbon.jks'),
        ],
        { input: `${JKS_PASSWORD}\n` },
      );
      assert.equal(result.code, 0, result.stderr);
      const entry = await stored('jks-partner');
      assert.equal(entry?.kind, 'trusted');
      assert.equal(entry?.privateKeyFile, null);
      assert.equal(
        new X509Certificate(entry!.certificatePem).fingerprint256,
        new X509Certificate(readFileSync(file('jks-partner.pem'))).fingerprint256,
      );
    });

    test('JKS entries get prefixed aliases', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool')) return;
      createWso2KeyStore();
      const result = await server.cli(
        [
          'keys',
          'import',
          '--alias',
          'jks-all',
          '--password-env',
          'KS_PASSWORD',
          file('wso2carbon.jks'),
        ],
        {
          env: { KS_PASSWORD: JKS_PASSWORD },
        },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stderr.includes(JKS_PASSWORD));
      const entries = await list();
      const signing = entries.find((entry) => entry.alias === 'jks-all-wso2carbon');
      assert.equal(signing?.kind, 'signing');
      assert.equal(signing?.active, false);
      assert.equal(signing?.sha256Fingerprint, opensslFingerprint('wso2carbon.pem'));
      const trusted = entries.find((entry) => entry.alias === 'jks-all-partner');
      assert.equal(trusted?.kind, 'trusted');
      assert.equal(trusted?.sha256Fingerprint, opensslFingerprint('jks-partner.pem'));
    });
  });

  /** Creates wso2carbon.jks (JKS) with key entry wso2carbon and trusted entry partner. */
  function createWso2KeyStore(): void {
    if (existsSync(file('wso2carbon.jks'))) return;
    keytool(
      '-genkeypair',
      '-storetype',
      'JKS',
      '-keystore',
      'wso2carbon.jks',
      '-storepass',
      JKS_PASSWORD,
      '-keypass',
      JKS_PASSWORD,
      '-alias',
      'wso2carbon',
      '-keyalg',
      'RSA',
      '-keysize',
      '2048',
      '-validity',
      '365',
      '-dname',
      'CN=localhost, O=WSO2, L=Mountain View, ST=CA, C=US',
    );
    selfSigned('jks-partner');
    keytool(
      '-importcert',
      '-storetype',
      'JKS',
      '-keystore',
      'wso2carbon.jks',
      '-storepass',
      JKS_PASSWORD,
      '-alias',
      'partner',
      '-file',
      'jks-partner.pem',
      '-noprompt',
    );
    keytool(
      '-exportcert',
      '-rfc',
      '-keystore',
      'wso2carbon.jks',
      '-storepass',
      JKS_PASSWORD,
      '-alias',
      'wso2carbon',
      '-file',
      'wso2carbon.pem',
    );
  }

  describe('rollover', () => {
    test('activated JKS key signs tokens', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool', 'xmlsec1', 'samlsign')) return;
      createWso2KeyStore();
      const before = await issueToken();
      const oldCertificate = server.signingCertPem;
      assert.ok(
        (
          await xmlsecVerify(before, oldCertificate, {
            name: 'ID',
            elementNs: SAML2_NS,
            elementName: 'Assertion',
          })
        ).ok,
      );

      const imported = await server.cli(
        [
          'keys',
          'import',
          '--alias',
          'wso2',
          '--source-alias',
          'wso2carbon',
          '--signing',
          '--activate',
          '--password-stdin',
          file('wso2carbon.jks'),
        ],
        { input: `${JKS_PASSWORD}\n` },
      );
      assert.equal(imported.code, 0, imported.stderr);

      const jksCertificate = readFileSync(file('wso2carbon.pem'), 'utf8');
      const token = await issueToken();
      const xmlsec = await xmlsecVerify(token, jksCertificate, {
        name: 'ID',
        elementNs: SAML2_NS,
        elementName: 'Assertion',
      });
      assert.ok(xmlsec.ok, xmlsec.output);
      const samlsign = await samlsignVerify(token, jksCertificate);
      assert.ok(samlsign.ok, samlsign.output);
      const withOld = await xmlsecVerify(token, oldCertificate, {
        name: 'ID',
        elementNs: SAML2_NS,
        elementName: 'Assertion',
      });
      assert.equal(withOld.ok, false);

      const cert = await server.cli(['keys', 'cert']);
      assert.equal(cert.code, 0, cert.stderr);
      assert.ok(
        new X509Certificate(cert.stdout).raw.equals(new X509Certificate(jksCertificate).raw),
      );
      assert.equal((await stored('wso2'))?.active, true);
    });

    test('activate switches key without restart', async (t) => {
      if (!hasTools(t, 'openssl', 'xmlsec1', 'samlsign')) return;
      selfSigned('roll-back');
      writeFileSync(
        file('roll-back-pair.pem'),
        readFileSync(file('roll-back.pem'), 'utf8') + readFileSync(file('roll-back.key'), 'utf8'),
      );
      const imported = await server.cli([
        'keys',
        'import',
        '--alias',
        'roll-back',
        file('roll-back-pair.pem'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal((await stored('roll-back'))?.active, false);

      const activated = await server.cli(['keys', 'activate', 'roll-back']);
      assert.equal(activated.code, 0, activated.stderr);
      assert.equal(
        activated.stderr,
        'activated signing key roll-back; running servers sign with it from their next request\n',
      );
      const certificate = readFileSync(file('roll-back.pem'), 'utf8');
      const token = await issueToken();
      const result = await xmlsecVerify(token, certificate, {
        name: 'ID',
        elementNs: SAML2_NS,
        elementName: 'Assertion',
      });
      assert.ok(result.ok, result.output);
      const samlsign = await samlsignVerify(token, certificate);
      assert.ok(samlsign.ok, samlsign.output);

      const printed = await server.cli(['keys', 'cert']);
      assert.equal(printed.code, 0, printed.stderr);
      assert.ok(
        new X509Certificate(printed.stdout).raw.equals(new X509Certificate(certificate).raw),
      );
      const signing = (await list()).filter((entry) => entry.kind === 'signing' && entry.active);
      assert.deepEqual(
        signing.map((entry) => entry.alias),
        ['roll-back'],
      );
    });
  });

  describe('list, export and remove', () => {
    test('list text shows openssl fingerprint', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('listed');
      const imported = await server.cli([
        'keys',
        'import',
        '--alias',
        'listed',
        file('listed.pem'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      const result = await server.cli(['keys', 'list']);
      assert.equal(result.code, 0, result.stderr);
      const block = result.stdout
        .split('\n\n')
        .find((text) => text.startsWith('listed (trusted)\n'));
      assert.ok(block, result.stdout);
      assert.match(block, /^ {2}subject: {5}CN=listed$/m);
      assert.match(block, /^ {2}status: {6}valid$/m);
      assert.ok(
        block.split('\n').includes(`  sha256:      ${opensslFingerprint('listed.pem')}`),
        block,
      );
    });

    test('export round-trips the certificate', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('export-me');
      writeFileSync(
        file('export-pair.pem'),
        readFileSync(file('export-me.pem'), 'utf8') + readFileSync(file('export-me.key'), 'utf8'),
      );
      const imported = await server.cli([
        'keys',
        'import',
        '--alias',
        'export-me',
        file('export-pair.pem'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);

      const printed = await server.cli(['keys', 'export', 'export-me']);
      assert.equal(printed.code, 0, printed.stderr);
      assert.ok(!printed.stdout.includes('PRIVATE KEY'));
      assert.ok(
        new X509Certificate(printed.stdout).raw.equals(
          new X509Certificate(readFileSync(file('export-me.pem'))).raw,
        ),
      );

      const written = await server.cli([
        'keys',
        'export',
        'export-me',
        '--out',
        file('exported.pem'),
      ]);
      assert.equal(written.code, 0, written.stderr);
      assert.equal(readFileSync(file('exported.pem'), 'utf8'), printed.stdout);
      assert.equal(opensslFingerprint('exported.pem'), opensslFingerprint('export-me.pem'));
    });

    test('remove deletes alias and key', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('remove-me');
      writeFileSync(
        file('remove-pair.pem'),
        readFileSync(file('remove-me.pem'), 'utf8') + readFileSync(file('remove-me.key'), 'utf8'),
      );
      const imported = await server.cli([
        'keys',
        'import',
        '--alias',
        'remove-me',
        file('remove-pair.pem'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      const keyFile = path.join(server.dataDir, 'keys', 'remove-me.key.pem');
      assert.ok(existsSync(keyFile));

      const removed = await server.cli(['keys', 'remove', 'remove-me']);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(
        removed.stderr,
        'removed signing key alias remove-me and deleted its private key file\n',
      );
      assert.equal(await stored('remove-me'), undefined);
      assert.equal(existsSync(keyFile), false);
    });

    test('remove rejects active signing key', async () => {
      const active = (await list()).find((entry) => entry.kind === 'signing' && entry.active);
      assert.ok(active);
      const result = await server.cli(['keys', 'remove', active.alias]);
      assertUsageError(
        result,
        `key alias ${active.alias} is the active signing key and cannot be removed: ` +
          'activate another signing key first with "sts keys activate ALIAS"',
      );
      assert.equal((await stored(active.alias))?.active, true);
    });
  });

  describe('expiry', () => {
    test('expired certificate is flagged', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      writeFileSync(file('ca.cnf'), CA_CONFIG);
      writeFileSync(file('index.txt'), '');
      writeFileSync(file('serial'), '01\n');
      openssl(
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'expired.key',
        '-subj',
        '/CN=expired',
        '-out',
        'expired.csr',
      );
      openssl(
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-selfsign',
        '-keyfile',
        'expired.key',
        '-in',
        'expired.csr',
        '-startdate',
        '20200101000000Z',
        '-enddate',
        '20210101000000Z',
        '-notext',
        '-out',
        'expired.pem',
      );
      const imported = await server.cli([
        'keys',
        'import',
        '--alias',
        'old-partner',
        file('expired.pem'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(
        imported.stderr,
        /^warning: certificate of trusted key alias old-partner expired on 2021-01-01T00:00:00.000Z$/m,
      );

      const entry = await listed('old-partner');
      assert.equal(entry?.status, 'expired');
      assert.equal(entry?.notAfter, '2021-01-01T00:00:00.000Z');
      const text = await server.cli(['keys', 'list']);
      assert.ok(
        text.stderr.includes(
          'warning: certificate of trusted key alias old-partner expired on 2021-01-01T00:00:00.000Z\n',
        ),
      );
      assert.match(text.stdout, /^old-partner \(trusted\)\n(?: {2}.*\n)* {2}status: {6}expired$/m);
    });

    test('certificate near expiry is flagged', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('short-lived', 10);
      const imported = await server.cli([
        'keys',
        'import',
        '--alias',
        'short-lived',
        file('short-lived.pem'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      const entry = await listed('short-lived');
      assert.equal(entry?.status, 'expiring');
      const text = await server.cli(['keys', 'list']);
      assert.ok(
        text.stderr.includes(
          `warning: certificate of trusted key alias short-lived expires on ${entry?.notAfter}, within 30 days\n`,
        ),
        text.stderr,
      );
    });
  });

  describe('errors', () => {
    test('wrong JKS password is reported', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool')) return;
      createWso2KeyStore();
      const result = await server.cli(
        ['keys', 'import', '--alias', 'wrong-jks', '--password-stdin', file('wso2carbon.jks')],
        {
          input: 'Not-The-Password\n',
        },
      );
      assertUsageError(
        result,
        'cannot read wso2carbon.jks: JKS key store password is incorrect or the key store is corrupted: check the password',
      );
      assert.ok(!result.stderr.includes('Not-The-Password'));
      assert.equal(await stored('wrong-jks'), undefined);
    });

    test('wrong PKCS#12 password is reported', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('p12-wrong');
      openssl(
        'pkcs12',
        '-export',
        '-in',
        'p12-wrong.pem',
        '-inkey',
        'p12-wrong.key',
        '-out',
        'p12-wrong.p12',
        '-passout',
        `pass:${P12_PASSWORD}`,
      );
      const result = await server.cli(
        [
          'keys',
          'import',
          '--alias',
          'p12-wrong',
          '--password-env',
          'KS_PASSWORD',
          file('p12-wrong.p12'),
        ],
        {
          env: { KS_PASSWORD: 'Not-The-Password' },
        },
      );
      assertUsageError(
        result,
        'cannot read p12-wrong.p12: PKCS#12 password is incorrect or the MAC does not verify: check the password',
      );
      assert.equal(await stored('p12-wrong'), undefined);
    });

    test('missing JKS password names sources', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool')) return;
      createWso2KeyStore();
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'no-password',
        file('wso2carbon.jks'),
      ]);
      assertUsageError(
        result,
        'cannot read wso2carbon.jks: JKS key store password is missing: supply the store password, which also verifies ' +
          'the store integrity; give it with --password-stdin, --password-file FILE or --password-env VAR',
      );
    });

    test('password option on command line is rejected', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool')) return;
      createWso2KeyStore();
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'argv-password',
        '--password',
        JKS_PASSWORD,
        file('wso2carbon.jks'),
      ]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /unknown option '--password'/);
      assert.ok(!result.stderr.includes(JKS_PASSWORD));
      assert.equal(await stored('argv-password'), undefined);
    });

    test('unknown format is rejected', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('format-check');
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'format-check',
        '--format',
        'jceks',
        file('format-check.pem'),
      ]);
      assertUsageError(result, '--format: unknown format "jceks"; use pem, der, pkcs12 or jks');
    });

    test('unrecognised content is rejected', async () => {
      writeFileSync(file('notes.txt'), 'not a certificate\n');
      const result = await server.cli(['keys', 'import', '--alias', 'notes', file('notes.txt')]);
      assertUsageError(
        result,
        'cannot read notes.txt: Unrecognised format of key material in notes.txt: expected PEM, DER (one X.509 ' +
          'certificate), PKCS#12 (.p12, .pfx) or JKS. Set the format explicitly or convert the file to one of these',
      );
    });

    test('missing file is reported', async () => {
      const missing = file('missing.pem');
      const result = await server.cli(['keys', 'import', '--alias', 'missing', missing]);
      assertUsageError(result, `file not found: ${missing}`);
    });

    test('unknown alias is reported', async () => {
      for (const command of ['export', 'remove', 'activate']) {
        const result = await server.cli(['keys', command, 'no-such-alias']);
        assertUsageError(
          result,
          'key alias no-such-alias not found: "sts keys list" shows the aliases',
        );
      }
    });

    test('duplicate alias is rejected', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('dup-one');
      selfSigned('dup-two');
      const first = await server.cli(['keys', 'import', '--alias', 'dup', file('dup-one.pem')]);
      assert.equal(first.code, 0, first.stderr);
      const second = await server.cli(['keys', 'import', '--alias', 'dup', file('dup-two.pem')]);
      assertUsageError(
        second,
        'key alias dup exists already: choose another --alias, or replace it with --force',
      );
      assert.equal(
        new X509Certificate((await stored('dup'))!.certificatePem).subject,
        'CN=dup-one',
      );

      const forced = await server.cli([
        'keys',
        'import',
        '--alias',
        'dup',
        '--force',
        file('dup-two.pem'),
      ]);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(
        new X509Certificate((await stored('dup'))!.certificatePem).subject,
        'CN=dup-two',
      );
    });

    test('signing import needs a private key', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('cert-only');
      const result = await server.cli([
        'keys',
        'import',
        '--alias',
        'cert-only',
        '--signing',
        file('cert-only.pem'),
      ]);
      assertUsageError(
        result,
        '--signing: cert-only.pem contains the certificate "CN=cert-only" without its private key; import it ' +
          'without --signing as a trusted certificate, or import a file that also contains the private key ' +
          '(PEM with both blocks, PKCS#12 or JKS)',
      );
      assert.equal(await stored('cert-only'), undefined);
    });

    test('trusted certificate cannot be activated', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      selfSigned('not-a-signer');
      const imported = await server.cli([
        'keys',
        'import',
        '--alias',
        'not-a-signer',
        file('not-a-signer.pem'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      const result = await server.cli(['keys', 'activate', 'not-a-signer']);
      assertUsageError(
        result,
        'key alias not-a-signer is a trusted certificate without a private key, so it cannot sign: ' +
          'import a key pair with "sts keys import --signing" and activate that alias',
      );
    });
  });

  test('server log never contains key store passwords', () => {
    const log = server.output.join('\n');
    assert.ok(!log.includes(JKS_PASSWORD));
    assert.ok(!log.includes(P12_PASSWORD));
  });
});
