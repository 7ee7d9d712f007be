import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';

import {
  ContentEncryptionUris,
  KeyTransportUris,
  OaepDigestUris,
  XmlDecryptionError,
  XmlEncryptionError,
  decryptElement,
  encryptElement,
} from '../../../src/crypto/xmlenc.js';
import type {
  ContentEncryptionAlgorithm,
  EncryptionOptions,
  KeyTransportAlgorithm,
  OaepDigest,
} from '../../../src/crypto/xmlenc.js';

const IN_CI = process.env.CI === 'true';

const CONTENT_ALGORITHMS: ContentEncryptionAlgorithm[] = [
  'aes256-gcm',
  'aes128-gcm',
  'aes256-cbc',
  'aes128-cbc',
];
const KEY_TRANSPORTS: KeyTransportAlgorithm[] = ['rsa-oaep-mgf1p', 'rsa-1_5'];
const OAEP_DIGESTS: OaepDigest[] = ['sha1', 'sha256'];

/** SAML-like element with namespaces, escaped text and non-ASCII characters. */
const SAMPLE_ELEMENT =
  '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" ' +
  'IssueInstant="2024-01-01T00:00:00Z" Version="2.0">' +
  '<saml2:Issuer>https://sts.example.test/</saml2:Issuer>' +
  '<saml2:AttributeStatement><saml2:Attribute Name="name">' +
  '<saml2:AttributeValue>Zoë &amp; Łukasz &lt;😀&gt;</saml2:AttributeValue>' +
  '</saml2:Attribute></saml2:AttributeStatement></saml2:Assertion>';

// ---------------------------------------------------------------------------------------------
// External tools
// ---------------------------------------------------------------------------------------------

function runsSuccessfully(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

const xmlsecVersion = spawnSync('xmlsec1', ['--version'], { encoding: 'utf8' }).stdout ?? '';
const xmlsecInstalled = xmlsecVersion.startsWith('xmlsec1');
const pythonCommand = ['python3', '/usr/bin/python3'].find((command) =>
  runsSuccessfully(command, ['-c', 'import cryptography.hazmat.primitives.ciphers.aead']),
);
const pythonInstalled = pythonCommand !== undefined;

/** Skip reason when a tool is missing outside CI. In CI the test runs and fails instead. */
function missingToolSkip(installed: boolean, name: string): string | false {
  return installed || IN_CI ? false : `${name} not installed`;
}

const xmlsecSkip = missingToolSkip(xmlsecInstalled, 'xmlsec1');
const pythonSkip = missingToolSkip(pythonInstalled, 'python3 with cryptography');

// xmlsec1 1.2.37 accepts only SHA-1 as the OAEP DigestMethod of rsa-oaep-mgf1p and reports:
// digest algorithm="http://www.w3.org/2001/04/xmlenc#sha256" is not supported for rsa/oaep.
// NOTE: the skip covers every 1.2.x release, which was checked on 1.2.37 only.
const xmlsecRejectsOaepSha256 = /^xmlsec1 1\.2\./.test(xmlsecVersion);

function xmlsecSkipFor(keyTransport: KeyTransportAlgorithm, digest: OaepDigest): string | false {
  if (xmlsecSkip !== false) {
    return xmlsecSkip;
  }
  if (xmlsecRejectsOaepSha256 && keyTransport === 'rsa-oaep-mgf1p' && digest === 'sha256') {
    return `${xmlsecVersion.trim()} rejects DigestMethod sha256 for rsa-oaep-mgf1p`;
  }
  return false;
}

/**
 * Decrypts with pyca/cryptography only, independent of the code under test. Arguments: the
 * mode, the EncryptedData file, the private key PEM, the OAEP digest and the MGF1 hash. Mode
 * `decrypt` prints the plaintext. Mode `rewrap` prints the content key, wrapped again with
 * Python's OAEP, in base64.
 */
const PYTHON_SCRIPT = `
import base64, sys, xml.etree.ElementTree as ET
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

XENC = '{http://www.w3.org/2001/04/xmlenc#}'
DS = '{http://www.w3.org/2000/09/xmldsig#}'
HASHES = {'sha1': hashes.SHA1, 'sha256': hashes.SHA256}

mode, path, key_path, digest, mgf_hash = sys.argv[1:6]
root = ET.parse(path).getroot()
key_cipher = root.find(f'{DS}KeyInfo/{XENC}EncryptedKey/{XENC}CipherData/{XENC}CipherValue').text
data_cipher = root.find(f'{XENC}CipherData/{XENC}CipherValue').text
with open(key_path, 'rb') as key_file:
    private_key = serialization.load_pem_private_key(key_file.read(), password=None)
oaep = padding.OAEP(mgf=padding.MGF1(HASHES[mgf_hash]()), algorithm=HASHES[digest](), label=None)
content_key = private_key.decrypt(base64.b64decode(key_cipher), oaep)
if mode == 'rewrap':
    print(base64.b64encode(private_key.public_key().encrypt(content_key, oaep)).decode())
else:
    blob = base64.b64decode(data_cipher)
    sys.stdout.buffer.write(AESGCM(content_key).decrypt(blob[:12], blob[12:], None))
`;

// ---------------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------------

let workDir = '';
let keyPath = '';
let certificate: crypto.X509Certificate;
let privateKey: crypto.KeyObject;
let ecCertificate: crypto.X509Certificate;
let fileCounter = 0;

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'xmlenc-test-'));
  keyPath = join(workDir, 'key.pem');
  const certPath = join(workDir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath].concat([
      '-subj',
      '/CN=xmlenc-test',
      '-days',
      '1',
    ]),
    { stdio: 'pipe' },
  );
  certificate = new crypto.X509Certificate(readFileSync(certPath));
  privateKey = crypto.createPrivateKey(readFileSync(keyPath));

  const ecKeyPath = join(workDir, 'ec-key.pem');
  const ecCertPath = join(workDir, 'ec-cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      ecKeyPath,
      '-out',
      ecCertPath,
      '-subj',
      '/CN=xmlenc-ec',
      '-days',
      '1',
    ]),
    { stdio: 'pipe' },
  );
  ecCertificate = new crypto.X509Certificate(readFileSync(ecCertPath));
});

after(() => {
  if (workDir !== '') {
    rmSync(workDir, { recursive: true, force: true });
  }
});

function options(
  contentAlgorithm: ContentEncryptionAlgorithm,
  keyTransport: KeyTransportAlgorithm = 'rsa-oaep-mgf1p',
  oaepDigest: OaepDigest = 'sha1',
): EncryptionOptions {
  return { recipientCertificate: certificate, contentAlgorithm, keyTransport, oaepDigest };
}

function writeTempFile(xml: string): string {
  fileCounter += 1;
  const path = join(workDir, `encrypted-${fileCounter}.xml`);
  writeFileSync(path, xml);
  return path;
}

/** Returns the base64 CipherValues: index 0 is the EncryptedKey's, index 1 the content's. */
function cipherValues(xml: string): string[] {
  return Array.from(xml.matchAll(/<xenc:CipherValue>([^<]*)<\/xenc:CipherValue>/g), (m) => m[1]);
}

function replaceCipherValue(xml: string, index: number, value: Buffer): string {
  const original = cipherValues(xml)[index];
  return xml.replace(`>${original}<`, `>${value.toString('base64')}<`);
}

function flipBit(base64: string, byteIndex: number, mask: number): Buffer {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byteIndex] ^= mask;
  return bytes;
}

/** Recovers the content key of output made with rsa-oaep-mgf1p and the sha1 digest. */
function unwrapSha1ContentKey(xml: string): Buffer {
  return crypto.privateDecrypt(
    { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(cipherValues(xml)[0], 'base64'),
  );
}

/** Returns a copy of CBC output whose content is encrypted again with the given padding. */
function withCbcPadding(xml: string, algorithm: 'aes128-cbc' | 'aes256-cbc', pad: Buffer): string {
  const key = unwrapSha1ContentKey(xml);
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv(algorithm.replace(/^aes(\d+)/, 'aes-$1'), key, iv);
  cipher.setAutoPadding(false);
  const padded = Buffer.concat([Buffer.from(SAMPLE_ELEMENT, 'utf8'), pad]);
  const ciphertext = Buffer.concat([cipher.update(padded), cipher.final()]);
  return replaceCipherValue(xml, 1, Buffer.concat([iv, ciphertext]));
}

function runXmlsecDecrypt(path: string): { status: number | null; stdout: Buffer; stderr: string } {
  const result = spawnSync('xmlsec1', ['--decrypt', '--privkey-pem', keyPath, path]);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
}

function runPython(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const result = spawnSync(pythonCommand ?? 'python3', ['-c', PYTHON_SCRIPT, ...args]);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr?.toString() ?? '' };
}

/** Serializes the document element again, so entity and character references compare equal. */
function normalizeXml(xml: string): string {
  const document = new DOMParser().parseFromString(xml, 'application/xml');
  return new XMLSerializer().serializeToString(document.documentElement!);
}

// Placeholders in the expected output that expectedShape turns into patterns.
const ID = '\u0000ID\u0000';
const BASE64 = '\u0000BASE64\u0000';

function expectedShape(variant: EncryptionOptions): RegExp {
  const keyMethod =
    variant.keyTransport === 'rsa-oaep-mgf1p'
      ? `<xenc:EncryptionMethod Algorithm="${KeyTransportUris['rsa-oaep-mgf1p']}">` +
        `<ds:DigestMethod Algorithm="${OaepDigestUris[variant.oaepDigest]}"/>` +
        '</xenc:EncryptionMethod>'
      : `<xenc:EncryptionMethod Algorithm="${KeyTransportUris['rsa-1_5']}"/>`;
  const source =
    '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" ' +
    `Id="${ID}" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
    `<xenc:EncryptionMethod Algorithm="${ContentEncryptionUris[variant.contentAlgorithm]}"/>` +
    '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">' +
    `<xenc:EncryptedKey Id="${ID}">` +
    keyMethod +
    '<ds:KeyInfo><ds:X509Data>' +
    `<ds:X509Certificate>${certificate.raw.toString('base64')}</ds:X509Certificate>` +
    '</ds:X509Data></ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${BASE64}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedKey></ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${BASE64}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedData>';
  const escaped = source.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const pattern = escaped
    .replaceAll(ID, '_[0-9a-f]{32}')
    .replaceAll(BASE64, '[A-Za-z0-9+/]+={0,2}');
  return new RegExp(`^${pattern}$`);
}

// ---------------------------------------------------------------------------------------------
// Every content algorithm x key transport x OAEP digest
// ---------------------------------------------------------------------------------------------

for (const contentAlgorithm of CONTENT_ALGORITHMS) {
  for (const keyTransport of KEY_TRANSPORTS) {
    for (const oaepDigest of OAEP_DIGESTS) {
      const variant = `${contentAlgorithm}/${keyTransport}/${oaepDigest}`;
      const isGcm = contentAlgorithm.endsWith('-gcm');
      const ivLength = isGcm ? 12 : 16;

      describe(variant, () => {
        let encrypted = '';
        before(() => {
          encrypted = encryptElement(
            SAMPLE_ELEMENT,
            options(contentAlgorithm, keyTransport, oaepDigest),
          );
        });

        test(`output shape matches ${variant}`, () => {
          const shape = expectedShape(options(contentAlgorithm, keyTransport, oaepDigest));
          assert.match(encrypted, shape);
        });

        test(`content length matches ${variant}`, () => {
          const content = Buffer.from(cipherValues(encrypted)[1], 'base64');
          const plaintextLength = Buffer.byteLength(SAMPLE_ELEMENT, 'utf8');
          const expected = isGcm
            ? ivLength + plaintextLength + 16
            : ivLength + (Math.floor(plaintextLength / 16) + 1) * 16;
          assert.equal(content.length, expected);
        });

        test(
          `decryptElement round-trips ${variant}`,
          {
            skip:
              keyTransport === 'rsa-1_5'
                ? 'decryptElement rejects rsa-1_5 because Node.js refuses PKCS#1 v1.5 decryption'
                : false,
          },
          () => {
            assert.equal(decryptElement(encrypted, privateKey), SAMPLE_ELEMENT);
          },
        );

        test(
          `xmlsec1 decrypts ${variant}`,
          { skip: xmlsecSkipFor(keyTransport, oaepDigest) },
          () => {
            assert.ok(xmlsecInstalled, 'xmlsec1 not installed');

            // With Type="#Element", xmlsec1 prints the document with the element in place.
            const replaced = runXmlsecDecrypt(writeTempFile(encrypted));
            assert.equal(replaced.status, 0, replaced.stderr);
            assert.equal(normalizeXml(replaced.stdout.toString()), normalizeXml(SAMPLE_ELEMENT));

            // Without a Type, xmlsec1 prints the decrypted bytes as they are.
            const raw = runXmlsecDecrypt(writeTempFile(encrypted.replace(/ Type="[^"]*"/, '')));
            assert.equal(raw.status, 0, raw.stderr);
            assert.equal(raw.stdout.toString('utf8'), SAMPLE_ELEMENT);
          },
        );

        if (isGcm && keyTransport === 'rsa-oaep-mgf1p') {
          test(`python cryptography decrypts ${variant}`, { skip: pythonSkip }, () => {
            assert.ok(pythonInstalled, 'python3 with cryptography not installed');
            const path = writeTempFile(encrypted);
            const result = runPython(['decrypt', path, keyPath, oaepDigest, 'sha1']);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.stdout.toString('utf8'), SAMPLE_ELEMENT);
          });
        }
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Randomness, tampering and MGF1
// ---------------------------------------------------------------------------------------------

for (const contentAlgorithm of CONTENT_ALGORITHMS) {
  const ivLength = contentAlgorithm.endsWith('-gcm') ? 12 : 16;

  test(`fresh IV and key ${contentAlgorithm}`, () => {
    const first = encryptElement(SAMPLE_ELEMENT, options(contentAlgorithm));
    const second = encryptElement(SAMPLE_ELEMENT, options(contentAlgorithm));
    const firstIv = Buffer.from(cipherValues(first)[1], 'base64').subarray(0, ivLength);
    const secondIv = Buffer.from(cipherValues(second)[1], 'base64').subarray(0, ivLength);
    assert.notDeepEqual(firstIv, secondIv);
    assert.notDeepEqual(unwrapSha1ContentKey(first), unwrapSha1ContentKey(second));
  });
}

/**
 * Returns output with one content ciphertext bit flipped. AES-GCM detects any flipped bit.
 * AES-CBC has no integrity check, so for CBC this flips the top bit of the byte that
 * decrypts into the pad length, which always makes the pad length exceed 16.
 */
function flipContentBit(contentAlgorithm: ContentEncryptionAlgorithm): string {
  const encrypted = encryptElement(SAMPLE_ELEMENT, options(contentAlgorithm));
  const content = cipherValues(encrypted)[1];
  const contentLength = Buffer.from(content, 'base64').length;
  const flipped = contentAlgorithm.endsWith('-gcm')
    ? flipBit(content, 12, 0x01)
    : flipBit(content, contentLength - 17, 0x80);
  return replaceCipherValue(encrypted, 1, flipped);
}

for (const contentAlgorithm of CONTENT_ALGORITHMS) {
  test(`decryptElement rejects flipped bit ${contentAlgorithm}`, () => {
    assert.throws(() => decryptElement(flipContentBit(contentAlgorithm), privateKey), {
      name: 'XmlDecryptionError',
      message: 'failed to decrypt the content of xenc:EncryptedData',
    });
  });

  test(`xmlsec1 rejects flipped bit ${contentAlgorithm}`, { skip: xmlsecSkip }, () => {
    assert.ok(xmlsecInstalled, 'xmlsec1 not installed');
    const result = runXmlsecDecrypt(writeTempFile(flipContentBit(contentAlgorithm)));
    assert.notEqual(result.status, 0);
  });
}

for (const oaepDigest of OAEP_DIGESTS) {
  test(`flipped EncryptedKey bit fails ${oaepDigest}`, () => {
    const encrypted = encryptElement(
      SAMPLE_ELEMENT,
      options('aes256-gcm', 'rsa-oaep-mgf1p', oaepDigest),
    );
    const tampered = replaceCipherValue(
      encrypted,
      0,
      flipBit(cipherValues(encrypted)[0], 100, 0x04),
    );
    assert.throws(() => decryptElement(tampered, privateKey), {
      name: 'XmlDecryptionError',
      message: 'failed to decrypt the content key in xenc:EncryptedKey',
    });
  });
}

test('python MGF1-SHA256 unwrap fails', { skip: pythonSkip }, () => {
  assert.ok(pythonInstalled, 'python3 with cryptography not installed');
  const encrypted = encryptElement(
    SAMPLE_ELEMENT,
    options('aes256-gcm', 'rsa-oaep-mgf1p', 'sha256'),
  );
  const result = runPython(['decrypt', writeTempFile(encrypted), keyPath, 'sha256', 'sha256']);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /ValueError/);
});

test('Node MGF1-SHA256 unwrap fails', () => {
  const encrypted = encryptElement(
    SAMPLE_ELEMENT,
    options('aes256-gcm', 'rsa-oaep-mgf1p', 'sha256'),
  );
  const wrappedKey = Buffer.from(cipherValues(encrypted)[0], 'base64');
  // Node's OAEP uses oaepHash for both the label hash and MGF1.
  assert.throws(() =>
    crypto.privateDecrypt(
      { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      wrappedKey,
    ),
  );
});

test('decryptElement unwraps python OAEP key', { skip: pythonSkip }, () => {
  assert.ok(pythonInstalled, 'python3 with cryptography not installed');
  const encrypted = encryptElement(
    SAMPLE_ELEMENT,
    options('aes256-gcm', 'rsa-oaep-mgf1p', 'sha256'),
  );
  const result = runPython(['rewrap', writeTempFile(encrypted), keyPath, 'sha256', 'sha1']);
  assert.equal(result.status, 0, result.stderr);
  const rewrapped = Buffer.from(result.stdout.toString().trim(), 'base64');
  assert.notDeepEqual(rewrapped, Buffer.from(cipherValues(encrypted)[0], 'base64'));
  const decrypted = decryptElement(replaceCipherValue(encrypted, 0, rewrapped), privateKey);
  assert.equal(decrypted, SAMPLE_ELEMENT);
});

// ---------------------------------------------------------------------------------------------
// CBC padding
// ---------------------------------------------------------------------------------------------

describe('CBC padding', () => {
  const plaintextLength = Buffer.byteLength(SAMPLE_ELEMENT, 'utf8');
  const padLength = 16 - (plaintextLength % 16);

  test('decryptElement accepts arbitrary pad bytes', () => {
    const encrypted = encryptElement(SAMPLE_ELEMENT, options('aes128-cbc'));
    const pad = Buffer.concat([crypto.randomBytes(padLength - 1), Buffer.of(padLength)]);
    assert.equal(
      decryptElement(withCbcPadding(encrypted, 'aes128-cbc', pad), privateKey),
      SAMPLE_ELEMENT,
    );
  });

  test('decryptElement rejects pad length 0', () => {
    const encrypted = encryptElement(SAMPLE_ELEMENT, options('aes256-cbc'));
    const pad = Buffer.alloc(padLength, 0);
    assert.throws(() => decryptElement(withCbcPadding(encrypted, 'aes256-cbc', pad), privateKey), {
      message: 'failed to decrypt the content of xenc:EncryptedData',
    });
  });

  test('decryptElement rejects pad length 17', () => {
    const encrypted = encryptElement(SAMPLE_ELEMENT, options('aes256-cbc'));
    const pad = Buffer.alloc(padLength, 17);
    assert.throws(() => decryptElement(withCbcPadding(encrypted, 'aes256-cbc', pad), privateKey), {
      message: 'failed to decrypt the content of xenc:EncryptedData',
    });
  });

  test('full-block input gets 16 pad bytes', () => {
    const element = `<a>${'x'.repeat(16 - 7)}</a>`;
    assert.equal(Buffer.byteLength(element) % 16, 0);
    const encrypted = encryptElement(element, options('aes128-cbc'));
    const content = Buffer.from(cipherValues(encrypted)[1], 'base64');
    assert.equal(content.length, 16 + element.length + 16);
    assert.equal(decryptElement(encrypted, privateKey), element);
  });
});

// ---------------------------------------------------------------------------------------------
// Input validation
// ---------------------------------------------------------------------------------------------

describe('encryptElement input', () => {
  test('URI maps match the specifications', () => {
    assert.deepEqual(ContentEncryptionUris, {
      'aes256-gcm': 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
      'aes128-gcm': 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
      'aes256-cbc': 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
      'aes128-cbc': 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
    });
    assert.deepEqual(KeyTransportUris, {
      'rsa-oaep-mgf1p': 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      'rsa-1_5': 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
    });
    assert.deepEqual(OaepDigestUris, {
      sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
      sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
  });

  test('rejects non-RSA certificate', () => {
    const ecOptions = { ...options('aes256-gcm'), recipientCertificate: ecCertificate };
    assert.throws(() => encryptElement(SAMPLE_ELEMENT, ecOptions), {
      name: 'XmlEncryptionError',
      message: /has a key of type ec, but XML key transport needs an RSA key/,
    });
  });

  test('rejects unknown content algorithm', () => {
    const bad = {
      ...options('aes256-gcm'),
      contentAlgorithm: 'aes192-gcm' as ContentEncryptionAlgorithm,
    };
    assert.throws(() => encryptElement(SAMPLE_ELEMENT, bad), {
      name: 'XmlEncryptionError',
      message: /invalid contentAlgorithm "aes192-gcm"/,
    });
  });

  test('rejects unknown OAEP digest', () => {
    const bad = { ...options('aes256-gcm'), oaepDigest: 'md5' as OaepDigest };
    assert.throws(() => encryptElement(SAMPLE_ELEMENT, bad), {
      name: 'XmlEncryptionError',
      message: /invalid oaepDigest "md5"/,
    });
  });

  const invalidElements: Array<[string, string, RegExp]> = [
    ['empty string', '', /is empty$/],
    [
      'XML declaration',
      '<?xml version="1.0"?><a/>',
      /contains a processing instruction or an XML declaration outside/,
    ],
    ['DOCTYPE', '<!DOCTYPE a><a/>', /contains a DOCTYPE outside/],
    ['DOCTYPE with entity', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /entity not found/],
    ['trailing comment', '<a/><!-- c -->', /contains a comment outside/],
    ['two elements', '<a/><b/>', /is invalid/],
    ['unclosed element', '<a>', /is invalid/],
    ['unbound prefix', '<p:a/>', /is invalid/],
    ['text only', 'hello', /is invalid/],
  ];
  for (const [description, xml, message] of invalidElements) {
    test(`rejects ${description}`, () => {
      assert.throws(() => encryptElement(xml, options('aes256-gcm')), {
        name: 'XmlEncryptionError',
        message,
      });
    });
  }

  test('accepts surrounding whitespace', () => {
    const element = `\n  ${SAMPLE_ELEMENT}\n`;
    const encrypted = encryptElement(element, options('aes256-gcm'));
    assert.equal(decryptElement(encrypted, privateKey), element);
  });
});

test('error classes extend Error', () => {
  assert.throws(() => encryptElement('', options('aes256-gcm')), XmlEncryptionError);
  assert.throws(() => decryptElement('<x/>', privateKey), XmlDecryptionError);
  assert.ok(new XmlEncryptionError('test') instanceof Error);
  assert.ok(new XmlDecryptionError('test') instanceof Error);
});

describe('decryptElement input', () => {
  let encrypted = '';
  before(() => {
    encrypted = encryptElement(SAMPLE_ELEMENT, options('aes256-gcm'));
  });

  test('rejects DOCTYPE', () => {
    const withDoctype = `<!DOCTYPE x [<!ENTITY e "x">]>${encrypted}`;
    assert.throws(() => decryptElement(withDoctype, privateKey), {
      name: 'XmlDecryptionError',
      message: 'xenc:EncryptedData XML must not contain a DOCTYPE',
    });
  });

  test('rejects rsa-1_5 key transport', () => {
    const rsa15 = encryptElement(SAMPLE_ELEMENT, options('aes256-gcm', 'rsa-1_5'));
    assert.throws(() => decryptElement(rsa15, privateKey), {
      name: 'XmlDecryptionError',
      message: /^rsa-1_5 key transport is not supported for decryption/,
    });
  });

  test('rejects wrong private key', () => {
    const { privateKey: otherKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.throws(() => decryptElement(encrypted, otherKey), {
      name: 'XmlDecryptionError',
      message: 'failed to decrypt the content key in xenc:EncryptedKey',
    });
  });

  test('rejects wrong private key sha256', () => {
    const sha256 = encryptElement(
      SAMPLE_ELEMENT,
      options('aes256-gcm', 'rsa-oaep-mgf1p', 'sha256'),
    );
    const { privateKey: otherKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.throws(() => decryptElement(sha256, otherKey), {
      name: 'XmlDecryptionError',
      message: 'failed to decrypt the content key in xenc:EncryptedKey',
    });
  });

  test('rejects EC private key', () => {
    const { privateKey: ecKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    assert.throws(() => decryptElement(encrypted, ecKey), {
      name: 'XmlDecryptionError',
      message: 'privateKey must be an RSA private crypto.KeyObject',
    });
  });

  test('rejects unknown content algorithm', () => {
    const unknown = encrypted.replace(ContentEncryptionUris['aes256-gcm'], 'urn:example:cipher');
    assert.throws(() => decryptElement(unknown, privateKey), {
      name: 'XmlDecryptionError',
      message: /^unsupported content encryption algorithm "urn:example:cipher"/,
    });
  });

  test('rejects unknown OAEP digest', () => {
    const unknown = encrypted.replace(OaepDigestUris.sha1, 'urn:example:digest');
    assert.throws(() => decryptElement(unknown, privateKey), {
      name: 'XmlDecryptionError',
      message: /^unsupported OAEP DigestMethod "urn:example:digest"/,
    });
  });

  test('missing DigestMethod means SHA-1', () => {
    const withoutDigest = encrypted.replace(/<ds:DigestMethod [^>]*\/>/, '');
    assert.equal(decryptElement(withoutDigest, privateKey), SAMPLE_ELEMENT);
  });

  test('rejects wrong root element', () => {
    const wrapped = `<x:Wrapper xmlns:x="urn:example">${encrypted}</x:Wrapper>`;
    assert.throws(() => decryptElement(wrapped, privateKey), {
      name: 'XmlDecryptionError',
      message: /found \{urn:example\}Wrapper$/,
    });
  });

  test('rejects missing EncryptedKey', () => {
    const withoutKey = encrypted.replace(/<xenc:EncryptedKey .*<\/xenc:EncryptedKey>/, '');
    assert.throws(() => decryptElement(withoutKey, privateKey), {
      name: 'XmlDecryptionError',
      message: /found 0$/,
    });
  });

  test('rejects invalid base64', () => {
    const invalid = replaceCipherValue(encrypted, 1, Buffer.alloc(0)).replace(
      '<xenc:CipherValue></xenc:CipherValue>',
      '<xenc:CipherValue>not*base64</xenc:CipherValue>',
    );
    assert.throws(() => decryptElement(invalid, privateKey), {
      name: 'XmlDecryptionError',
      message: 'xenc:CipherValue of xenc:EncryptedData is not valid base64',
    });
  });

  test('rejects truncated GCM content', () => {
    const truncated = replaceCipherValue(encrypted, 1, crypto.randomBytes(20));
    assert.throws(() => decryptElement(truncated, privateKey), {
      name: 'XmlDecryptionError',
      message: 'failed to decrypt the content of xenc:EncryptedData',
    });
  });

  test('rejects malformed XML', () => {
    assert.throws(() => decryptElement(encrypted.slice(0, -5), privateKey), {
      name: 'XmlDecryptionError',
      message: /^xenc:EncryptedData XML is invalid/,
    });
  });
});
