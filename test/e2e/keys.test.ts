import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { openDataDirectory, type KeyEntryRecord } from '../../src/store/index.js';
import {
  createCertificateWithDates,
  createSelfSigned,
  exportPkcs12,
  generateJksKeyPair,
  opensslFingerprint,
  runKeytool,
  runOpenssl,
} from '../helpers/certificates.js';
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

/** ID attribute of a SAML 2.0 assertion, for xmlsecVerify. */
const SAML2_ID = { name: 'ID', elementNs: SAML2_NS, elementName: 'Assertion' } as const;

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

describe('keys commands', () => {
  let server: RunningServer;
  let dir = '';

  function file(name: string): string {
    return path.join(dir, name);
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

  /**
   * Creates a self-signed key pair NAME.key and NAME.pem, and returns the path of NAME-pair.pem,
   * which contains the certificate and then the key.
   */
  function createPemPair(name: string): string {
    createSelfSigned(dir, name);
    const pair = file(`${name}-pair.pem`);
    writeFileSync(
      pair,
      readFileSync(file(`${name}.pem`), 'utf8') + readFileSync(file(`${name}.key`), 'utf8'),
    );
    return pair;
  }

  /** Runs `sts keys import --alias ALIAS ARGS SOURCE` against the server's data directory. */
  function importKeys(
    alias: string,
    source: string,
    args: string[] = [],
    io?: { input?: string; env?: Record<string, string> },
  ): Promise<CliResult> {
    return server.cli(['keys', 'import', '--alias', alias, ...args, source], io);
  }

  describe('import', () => {
    test('PEM certificate becomes trusted', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      createSelfSigned(dir, 'partner-a');
      const result = await importKeys('partner-a', file('partner-a.pem'));
      assert.equal(result.code, 0, result.stderr);
      const entry = await listed('partner-a');
      assert.equal(entry?.kind, 'trusted');
      assert.equal(entry?.active, false);
      assert.equal(entry?.subject, 'CN=partner-a');
      assert.equal(entry?.sha256Fingerprint, opensslFingerprint(dir, 'partner-a.pem'));
    });

    test('PEM key pair becomes signing', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      const result = await importKeys('pem-signer', createPemPair('pem-signer'));
      assert.equal(result.code, 0, result.stderr);
      const entry = await listed('pem-signer');
      assert.equal(entry?.kind, 'signing');
      assert.equal(entry?.active, false);
      assert.equal(entry?.sha256Fingerprint, opensslFingerprint(dir, 'pem-signer.pem'));
    });

    test('imported private key is owner-only', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      const result = await importKeys('mode-check', createPemPair('mode-check'), ['--signing']);
      assert.equal(result.code, 0, result.stderr);
      const keyFile = path.join(server.dataDir, 'keys', 'mode-check.key.pem');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(keyFile)).mode & 0o777, 0o700);
    });

    test('DER certificate becomes trusted', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      createSelfSigned(dir, 'partner-der');
      runOpenssl(
        dir,
        'x509',
        '-in',
        'partner-der.pem',
        '-outform',
        'DER',
        '-out',
        'partner-der.cer',
      );
      const result = await importKeys('partner-der', file('partner-der.cer'));
      assert.equal(result.code, 0, result.stderr);
      const entry = await listed('partner-der');
      assert.equal(entry?.kind, 'trusted');
      assert.equal(entry?.sha256Fingerprint, opensslFingerprint(dir, 'partner-der.cer', 'DER'));
    });

    for (const variant of ['default', 'legacy'] as const) {
      test(`PKCS#12 ${variant} becomes signing`, async (t) => {
        if (!hasTools(t, 'openssl')) return;
        const name = `p12-${variant}`;
        createSelfSigned(dir, name);
        exportPkcs12(dir, name, {
          password: P12_PASSWORD,
          friendlyName: 'tomcat',
          legacy: variant === 'legacy',
        });

        const result = await importKeys(name, file(`${name}.p12`), ['--password-stdin'], {
          input: `${P12_PASSWORD}\n`,
        });
        assert.equal(result.code, 0, result.stderr);
        assert.ok(!result.stdout.includes(P12_PASSWORD));
        assert.ok(!result.stderr.includes(P12_PASSWORD));

        const entry = await listed(name);
        assert.equal(entry?.kind, 'signing');
        assert.equal(entry?.sha256Fingerprint, opensslFingerprint(dir, `${name}.pem`));
      });
    }

    test('encrypted PEM key reads password file', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      createSelfSigned(dir, 'pem-encrypted');
      runOpenssl(
        dir,
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
      const result = await importKeys('pem-encrypted', file('pem-encrypted-pair.pem'), [
        '--signing',
        '--password-file',
        file('pem-password.txt'),
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await stored('pem-encrypted'))?.kind, 'signing');
    });

    test('JKS key password differs from store', async (t) => {
      if (!hasTools(t, 'keytool')) return;
      generateJksKeyPair(dir, {
        keystore: 'two-passwords.jks',
        alias: 'signer',
        storePassword: JKS_PASSWORD,
        keyPassword: 'Jks-Key-Secret-3',
        dname: 'CN=two-passwords',
      });
      const result = await importKeys(
        'two-passwords',
        file('two-passwords.jks'),
        ['--password-stdin', '--key-password-env', 'KEY_PASSWORD'],
        { input: `${JKS_PASSWORD}\n`, env: { KEY_PASSWORD: 'Jks-Key-Secret-3' } },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stderr.includes('Jks-Key-Secret-3'));
      assert.equal((await stored('two-passwords'))?.kind, 'signing');
    });

    test('source alias picks trusted entry', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool')) return;
      createWso2KeyStore();
      const result = await importKeys(
        'jks-partner',
        file('wso2carbon.jks'),
        ['--source-alias', 'partner', '--password-stdin'],
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
      const result = await importKeys(
        'jks-all',
        file('wso2carbon.jks'),
        ['--password-env', 'KS_PASSWORD'],
        { env: { KS_PASSWORD: JKS_PASSWORD } },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stderr.includes(JKS_PASSWORD));
      const entries = await list();
      const signing = entries.find((entry) => entry.alias === 'jks-all-wso2carbon');
      assert.equal(signing?.kind, 'signing');
      assert.equal(signing?.active, false);
      assert.equal(signing?.sha256Fingerprint, opensslFingerprint(dir, 'wso2carbon.pem'));
      const trusted = entries.find((entry) => entry.alias === 'jks-all-partner');
      assert.equal(trusted?.kind, 'trusted');
      assert.equal(trusted?.sha256Fingerprint, opensslFingerprint(dir, 'jks-partner.pem'));
    });
  });

  /** Creates wso2carbon.jks (JKS) with key entry wso2carbon and trusted entry partner. */
  function createWso2KeyStore(): void {
    if (existsSync(file('wso2carbon.jks'))) return;
    generateJksKeyPair(dir, {
      keystore: 'wso2carbon.jks',
      alias: 'wso2carbon',
      storePassword: JKS_PASSWORD,
      keyPassword: JKS_PASSWORD,
      dname: 'CN=localhost, O=WSO2, L=Mountain View, ST=CA, C=US',
    });
    createSelfSigned(dir, 'jks-partner');
    runKeytool(
      dir,
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
    runKeytool(
      dir,
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
      assert.ok((await xmlsecVerify(before, oldCertificate, SAML2_ID)).ok);

      const imported = await importKeys(
        'wso2',
        file('wso2carbon.jks'),
        ['--source-alias', 'wso2carbon', '--signing', '--activate', '--password-stdin'],
        { input: `${JKS_PASSWORD}\n` },
      );
      assert.equal(imported.code, 0, imported.stderr);

      const jksCertificate = readFileSync(file('wso2carbon.pem'), 'utf8');
      const token = await issueToken();
      const xmlsec = await xmlsecVerify(token, jksCertificate, SAML2_ID);
      assert.ok(xmlsec.ok, xmlsec.output);
      const samlsign = await samlsignVerify(token, jksCertificate);
      assert.ok(samlsign.ok, samlsign.output);
      const withOld = await xmlsecVerify(token, oldCertificate, SAML2_ID);
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
      const imported = await importKeys('roll-back', createPemPair('roll-back'));
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
      const result = await xmlsecVerify(token, certificate, SAML2_ID);
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
      createSelfSigned(dir, 'listed');
      const imported = await importKeys('listed', file('listed.pem'));
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
        block.split('\n').includes(`  sha256:      ${opensslFingerprint(dir, 'listed.pem')}`),
        block,
      );
    });

    test('export round-trips the certificate', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      const imported = await importKeys('export-me', createPemPair('export-me'));
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
      assert.equal(
        opensslFingerprint(dir, 'exported.pem'),
        opensslFingerprint(dir, 'export-me.pem'),
      );
    });

    test('remove deletes alias and key', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      const imported = await importKeys('remove-me', createPemPair('remove-me'));
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
      createCertificateWithDates(dir, 'expired', {
        startDate: '20200101000000Z',
        endDate: '20210101000000Z',
      });
      const imported = await importKeys('old-partner', file('expired.pem'));
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
      createSelfSigned(dir, 'short-lived', { days: 10 });
      const imported = await importKeys('short-lived', file('short-lived.pem'));
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
      const result = await importKeys('wrong-jks', file('wso2carbon.jks'), ['--password-stdin'], {
        input: 'Not-The-Password\n',
      });
      assertUsageError(
        result,
        'cannot read wso2carbon.jks: JKS key store password is incorrect or the key store is corrupted: check the password',
      );
      assert.ok(!result.stderr.includes('Not-The-Password'));
      assert.equal(await stored('wrong-jks'), undefined);
    });

    test('wrong PKCS#12 password is reported', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      createSelfSigned(dir, 'p12-wrong');
      exportPkcs12(dir, 'p12-wrong', { password: P12_PASSWORD });
      const result = await importKeys(
        'p12-wrong',
        file('p12-wrong.p12'),
        ['--password-env', 'KS_PASSWORD'],
        { env: { KS_PASSWORD: 'Not-The-Password' } },
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
      const result = await importKeys('no-password', file('wso2carbon.jks'));
      assertUsageError(
        result,
        'cannot read wso2carbon.jks: JKS key store password is missing: supply the store password, which also verifies ' +
          'the store integrity; give it with --password-stdin, --password-file FILE or --password-env VAR',
      );
    });

    test('password option on command line is rejected', async (t) => {
      if (!hasTools(t, 'openssl', 'keytool')) return;
      createWso2KeyStore();
      const result = await importKeys('argv-password', file('wso2carbon.jks'), [
        '--password',
        JKS_PASSWORD,
      ]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /unknown option '--password'/);
      assert.ok(!result.stderr.includes(JKS_PASSWORD));
      assert.equal(await stored('argv-password'), undefined);
    });

    test('unknown format is rejected', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      createSelfSigned(dir, 'format-check');
      const result = await importKeys('format-check', file('format-check.pem'), [
        '--format',
        'jceks',
      ]);
      assertUsageError(result, '--format: unknown format "jceks"; use pem, der, pkcs12 or jks');
    });

    test('unrecognised content is rejected', async () => {
      writeFileSync(file('notes.txt'), 'not a certificate\n');
      const result = await importKeys('notes', file('notes.txt'));
      assertUsageError(
        result,
        'cannot read notes.txt: Unrecognised format of key material in notes.txt: expected PEM, DER (one X.509 ' +
          'certificate), PKCS#12 (.p12, .pfx) or JKS. Set the format explicitly or convert the file to one of these',
      );
    });

    test('missing file is reported', async () => {
      const missing = file('missing.pem');
      const result = await importKeys('missing', missing);
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
      createSelfSigned(dir, 'dup-one');
      createSelfSigned(dir, 'dup-two');
      const first = await importKeys('dup', file('dup-one.pem'));
      assert.equal(first.code, 0, first.stderr);
      const second = await importKeys('dup', file('dup-two.pem'));
      assertUsageError(
        second,
        'key alias dup exists already: choose another --alias, or replace it with --force',
      );
      assert.equal(
        new X509Certificate((await stored('dup'))!.certificatePem).subject,
        'CN=dup-one',
      );

      const forced = await importKeys('dup', file('dup-two.pem'), ['--force']);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(
        new X509Certificate((await stored('dup'))!.certificatePem).subject,
        'CN=dup-two',
      );
    });

    test('signing import needs a private key', async (t) => {
      if (!hasTools(t, 'openssl')) return;
      createSelfSigned(dir, 'cert-only');
      const result = await importKeys('cert-only', file('cert-only.pem'), ['--signing']);
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
      createSelfSigned(dir, 'not-a-signer');
      const imported = await importKeys('not-a-signer', file('not-a-signer.pem'));
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

describe('keys commands without a data directory', () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'sts-keys-no-data-dir-'));

  after(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  test('keys cert does not create it', async () => {
    const dir = path.join(parent, 'nonexist');
    const result = await runCli(['keys', 'cert', '--data-dir', dir]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `sts: data directory ${dir} not found (no sts.db); check --data-dir or STS_DATA_DIR, ` +
        `or start "sts serve --data-dir ${dir}" once to create it\n`,
    );
    assert.equal(result.stdout, '');
    assert.equal(existsSync(dir), false, 'the directory was not created');
  });
});
