import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';

import {
  certificateToPem,
  describeCertificate,
  generateRsaKeyPair,
  generateSelfSignedCertificate,
} from '../../../src/crypto/certificates.js';
import {
  createCertificateWithDates,
  createSelfSigned,
  formatCaDate,
  runOpenssl,
} from '../../helpers/certificates.js';

const OPENSSL_INSTALLED =
  spawnSync('openssl', ['version'], { stdio: 'ignore' }).error === undefined;
const DAY_MILLISECONDS = 24 * 60 * 60 * 1000;

let dir = '';
let keyPair: { privateKey: KeyObject; publicKey: KeyObject };
let certificate: X509Certificate;

/** Skips the test when openssl is missing, except on CI, where the test fails instead. */
function requireOpenssl(t: TestContext): boolean {
  if (OPENSSL_INSTALLED) {
    return true;
  }
  if (process.env.CI === 'true') {
    assert.fail('openssl is not installed, and CI requires it for this test');
  }
  t.skip('openssl not installed');
  return false;
}

function readCertificate(name: string): X509Certificate {
  return new X509Certificate(readFileSync(join(dir, name)));
}

/** Runs `openssl x509` with `args` on a certificate written to a temporary PEM file. */
function opensslX509(cert: X509Certificate, ...args: string[]): string {
  const name = `generated-${cert.serialNumber}.pem`;
  writeFileSync(join(dir, name), certificateToPem(cert));
  return runOpenssl(dir, 'x509', '-in', name, '-noout', ...args);
}

function createOpensslFixtures(): void {
  createSelfSigned(dir, 'ca', { subject: '/CN=Test CA', days: 3650 });

  const pastDates = { startDate: '20200101000000Z', endDate: '20200201000000Z' };
  createCertificateWithDates(dir, 'expired', pastDates, 'ca');
  const inOneYear = new Date(Date.now() + 365 * DAY_MILLISECONDS);
  const inTwoYears = new Date(Date.now() + 2 * 365 * DAY_MILLISECONDS);
  const futureDates = { startDate: formatCaDate(inOneYear), endDate: formatCaDate(inTwoYears) };
  createCertificateWithDates(dir, 'future', futureDates, 'ca');

  createSelfSigned(dir, 'expiring', { days: 10 });
  createSelfSigned(dir, 'valid', { subject: '/C=US/O=Example Org/CN=sts.example.com' });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sts-certificates-'));
  keyPair = generateRsaKeyPair();
  certificate = generateSelfSignedCertificate({
    ...keyPair,
    commonName: 'sts.example.com',
    dnsNames: ['sts.example.com', 'localhost'],
    ipAddresses: ['127.0.0.1', '::1', '::ffff:192.0.2.1'],
    validityDays: 90,
  });
  if (OPENSSL_INSTALLED) {
    createOpensslFixtures();
  }
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('describeCertificate', () => {
  test('reports expired certificate', (t) => {
    if (!requireOpenssl(t)) return;
    const info = describeCertificate(readCertificate('expired.pem'));
    assert.equal(info.status, 'expired');
    assert.equal(info.notBefore.toISOString(), '2020-01-01T00:00:00.000Z');
    assert.equal(info.notAfter.toISOString(), '2020-02-01T00:00:00.000Z');
  });

  test('reports certificate expiring in 10 days', (t) => {
    if (!requireOpenssl(t)) return;
    const info = describeCertificate(readCertificate('expiring.pem'));
    assert.equal(info.status, 'expiring');
  });

  test('reports valid certificate', (t) => {
    if (!requireOpenssl(t)) return;
    const info = describeCertificate(readCertificate('valid.pem'));
    assert.equal(info.status, 'valid');
  });

  test('reports not-yet-valid certificate', (t) => {
    if (!requireOpenssl(t)) return;
    const info = describeCertificate(readCertificate('future.pem'));
    assert.equal(info.status, 'not-yet-valid');
  });

  test('matches openssl fingerprint and serial', (t) => {
    if (!requireOpenssl(t)) return;
    const info = describeCertificate(readCertificate('valid.pem'));
    const fingerprint = runOpenssl(
      dir, 'x509', '-in', 'valid.pem', '-noout', '-fingerprint', '-sha256',
    );
    const serial = runOpenssl(dir, 'x509', '-in', 'valid.pem', '-noout', '-serial');
    assert.equal(info.sha256Fingerprint, fingerprint.trim().split('=')[1]);
    assert.equal(info.serialNumber, serial.trim().split('=')[1]);
  });

  test('formats subject and issuer', (t) => {
    if (!requireOpenssl(t)) return;
    const info = describeCertificate(readCertificate('expired.pem'));
    assert.equal(info.subject, 'CN=expired');
    assert.equal(info.issuer, 'CN=Test CA');
    const multiAttribute = describeCertificate(readCertificate('valid.pem'));
    assert.equal(multiAttribute.subject, 'C=US, O=Example Org, CN=sts.example.com');
  });

  test('applies expiring window to now', () => {
    const notAfter = new Date(certificate.validTo);
    const tenDaysBefore = new Date(notAfter.getTime() - 10 * DAY_MILLISECONDS);
    assert.equal(describeCertificate(certificate, tenDaysBefore).status, 'expiring');
    assert.equal(describeCertificate(certificate, tenDaysBefore, 5).status, 'valid');
    assert.equal(describeCertificate(certificate, notAfter).status, 'expiring');
    const secondAfter = new Date(notAfter.getTime() + 1000);
    assert.equal(describeCertificate(certificate, secondAfter).status, 'expired');
    assert.equal(describeCertificate(certificate, new Date(0)).status, 'not-yet-valid');
  });

  test('rejects negative expiring window', () => {
    assert.throws(() => describeCertificate(certificate, new Date(), -1), RangeError);
  });
});

describe('generateRsaKeyPair', () => {
  test('generates 2048-bit RSA keys', () => {
    const details = keyPair.privateKey.asymmetricKeyDetails;
    assert.equal(keyPair.privateKey.asymmetricKeyType, 'rsa');
    assert.equal(details?.modulusLength, 2048);
    assert.equal(details?.publicExponent, 65537n);
    assert.equal(keyPair.publicKey.type, 'public');
  });

  test('rejects modulus below 2048 bits', () => {
    assert.throws(() => generateRsaKeyPair(1024), RangeError);
  });
});

describe('generateSelfSignedCertificate', () => {
  test('verifies with own public key', () => {
    assert.ok(certificate.verify(keyPair.publicKey));
    assert.ok(certificate.checkPrivateKey(keyPair.privateKey));
  });

  test('uses sha256WithRSAEncryption', (t) => {
    if (!requireOpenssl(t)) return;
    const text = opensslX509(certificate, '-text');
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  });

  test('lists names and IPs in SAN', (t) => {
    if (!requireOpenssl(t)) return;
    const san = opensslX509(certificate, '-ext', 'subjectAltName');
    assert.match(san, /DNS:sts\.example\.com/);
    assert.match(san, /DNS:localhost/);
    assert.match(san, /IP Address:127\.0\.0\.1/);
    assert.match(san, /IP Address:0:0:0:0:0:0:0:1(,|\s*$)/m);
    assert.match(san, /IP Address:0:0:0:0:0:FFFF:C000:201/);
  });

  test('omits SAN without names', () => {
    const options = { ...keyPair, commonName: 'plain', validityDays: 1 };
    const plain = generateSelfSignedCertificate(options);
    assert.equal(plain.subjectAltName, undefined);
  });

  test('marks end-entity key usage', (t) => {
    if (!requireOpenssl(t)) return;
    const extensions = opensslX509(certificate, '-ext', 'basicConstraints,keyUsage');
    assert.equal(certificate.ca, false);
    assert.match(extensions, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(extensions, /Key Usage: critical\s+Digital Signature, Key Encipherment\s*$/m);
  });

  test('uses random positive serial', () => {
    const options = { ...keyPair, commonName: 'other', validityDays: 1 };
    const other = generateSelfSignedCertificate(options);
    assert.notEqual(other.serialNumber, certificate.serialNumber);
    assert.ok(Number.parseInt(certificate.serialNumber[0], 16) < 8, certificate.serialNumber);
    assert.ok(Number.parseInt(other.serialNumber[0], 16) < 8, other.serialNumber);
  });

  test('sets subject, issuer and validity', () => {
    const info = describeCertificate(certificate);
    const lifetime = info.notAfter.getTime() - info.notBefore.getTime();
    assert.equal(info.subject, 'CN=sts.example.com');
    assert.equal(info.issuer, 'CN=sts.example.com');
    assert.equal(lifetime, 90 * DAY_MILLISECONDS + 5 * 60 * 1000);
    assert.ok(info.notBefore.getTime() <= Date.now());
  });

  test('rejects mismatched key pair', () => {
    const { publicKey } = generateRsaKeyPair();
    const options = { privateKey: keyPair.privateKey, publicKey, commonName: 'x', validityDays: 1 };
    assert.throws(() => generateSelfSignedCertificate(options), /does not belong to privateKey/);
  });

  test('rejects EC key pair', () => {
    const ecKeyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const options = { ...ecKeyPair, commonName: 'x', validityDays: 1 };
    assert.throws(() => generateSelfSignedCertificate(options), /must be an RSA private key/);
  });

  test('rejects invalid IP address', () => {
    const options = { ...keyPair, commonName: 'x', ipAddresses: ['999.1.1.1'], validityDays: 1 };
    assert.throws(() => generateSelfSignedCertificate(options), /invalid IP address: 999\.1\.1\.1/);
  });

  test('rejects non-positive validity', () => {
    const options = { ...keyPair, commonName: 'x', validityDays: 0 };
    assert.throws(() => generateSelfSignedCertificate(options), RangeError);
  });
});

describe('certificateToPem', () => {
  test('round-trips through PEM', () => {
    const pem = certificateToPem(certificate);
    assert.ok(new X509Certificate(pem).raw.equals(certificate.raw));
  });

  test('wraps base64 at 64 characters', () => {
    const lines = certificateToPem(certificate).split('\n');
    assert.equal(lines[0], '-----BEGIN CERTIFICATE-----');
    assert.equal(lines.at(-2), '-----END CERTIFICATE-----');
    assert.equal(lines.at(-1), '');
    assert.ok(lines.every((line) => line.length <= 64));
  });
});
