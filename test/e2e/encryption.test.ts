import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Element } from '@xmldom/xmldom';
import { openDataDirectory } from '../../src/store/index.js';
import { buildIssueRequest } from '../../src/trust/client.js';
import { requireTool, samlsignVerify, xmlsecDecrypt, xmlsecVerify } from '../helpers/verifiers.js';
import { startServer, type RunningServer } from './harness.js';
import {
  assertFault,
  assertIssued,
  child,
  descendants,
  elementChildren,
  NS,
  parseXmlText,
  rstrOf,
  send,
  stsUrl,
  TOKEN_TYPES,
} from './issue-setup.js';

const XENC = 'http://www.w3.org/2001/04/xmlenc#';
const ALGORITHMS = {
  aes256gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  aes128cbc: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  rsaOaep: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  rsa15: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
};

const USER = { name: 'alice', password: 'Alice-Secret-01', roles: ['admin'] };

const PARTIES = {
  gcm: 'urn:example:rp:encrypted',
  sha256: 'urn:example:rp:encrypted-oaep-sha256',
  legacy: 'urn:example:rp:encrypted-legacy',
  removed: 'urn:example:rp:certificate-removed',
};

const SAML2_ID = { name: 'ID', elementNs: NS.saml20, elementName: 'Assertion' } as const;
const SAML11_ID = { name: 'AssertionID', elementNs: NS.saml11, elementName: 'Assertion' } as const;

/**
 * Reference decryptor in Python's cryptography package: RSA-OAEP with MGF1(SHA-1) and the given
 * OAEP digest unwraps the content key, and AES-GCM takes the first 12 bytes of the CipherValue
 * as IV and the last 16 as tag.
 */
const PYTHON_DECRYPT = `
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
request = json.load(sys.stdin)
private_key = serialization.load_pem_private_key(request["key"].encode(), None)
digest = hashes.SHA256() if request["digest"] == "sha256" else hashes.SHA1()
content_key = private_key.decrypt(
    base64.b64decode(request["encryptedKey"]),
    padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=digest, label=None),
)
data = base64.b64decode(request["cipherValue"])
iv, ciphertext, tag = data[:12], data[12:-16], data[-16:]
decryptor = Cipher(algorithms.AES(content_key), modes.GCM(iv, tag)).decryptor()
plaintext = decryptor.update(ciphertext) + decryptor.finalize()
print(json.dumps({"key": content_key.hex(), "iv": iv.hex(), "plaintext": plaintext.decode()}))
`;

interface ReferenceResult {
  key: string;
  iv: string;
  plaintext: string;
}

let server: RunningServer;
let directory: string;
let rpKeyPem: string;
let rpCertPem: string;

/** Makes an RSA-2048 key and a self-signed certificate for a relying party with openssl. */
function makeCertificate(name: string): { keyPem: string; certPem: string } {
  const keyFile = join(directory, `${name}.key`);
  const certFile = join(directory, `${name}.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', `/CN=${name}`],
    { stdio: 'ignore' },
  );
  return { keyPem: readFileSync(keyFile, 'utf8'), certPem: readFileSync(certFile, 'utf8') };
}

/** Puts a certificate into the running server's trust store, as `sts keys import` does. */
async function trustCertificate(alias: string, certificatePem: string): Promise<void> {
  const store = await openDataDirectory(server.dataDir);
  try {
    await store.putKeyEntry({ alias, kind: 'trusted', certificatePem, chainPem: '', privateKeyFile: null, active: false });
  } finally {
    await store.close();
  }
}

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'sts-encryption-'));
  ({ keyPem: rpKeyPem, certPem: rpCertPem } = makeCertificate('rp-encrypted'));
  const encrypted = { enabled: true };
  server = await startServer({
    users: [USER],
    relyingParties: [
      { name: 'encrypted-oaep-sha256', config: { endpoint: PARTIES.sha256, certAlias: 'rp-encrypted', encryption: { ...encrypted, oaepDigest: 'sha256' } } },
      {
        name: 'encrypted-legacy',
        config: {
          endpoint: PARTIES.legacy,
          certAlias: 'rp-encrypted',
          encryption: { ...encrypted, content: 'aes128-cbc', keyTransport: 'rsa-1_5' },
        },
      },
      { name: 'certificate-removed', config: { endpoint: PARTIES.removed, certAlias: 'rp-removed', encryption: encrypted } },
    ],
  });
  await trustCertificate('rp-encrypted', rpCertPem);
  await trustCertificate('rp-removed', makeCertificate('rp-removed').certPem);
  const added = await server.cli(['sp', 'add', '--name', 'encrypted', '--endpoint', PARTIES.gcm, '--cert-alias', 'rp-encrypted', '--encrypt']);
  assert.equal(added.code, 0, `sts sp add succeeds: ${added.stderr}`);
});

after(async () => {
  await server?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

function requestToken(appliesTo: string, saml: '2.0' | '1.1' = '2.0') {
  const request = buildIssueRequest({
    endpoint: stsUrl(server, 'http'),
    username: USER.name,
    password: USER.password,
    digest: false,
    soapVersion: '1.2',
    trustVersion: '1.3',
    tokenType: saml === '1.1' ? TOKEN_TYPES.saml11Profile : TOKEN_TYPES.saml20Profile,
    appliesTo,
  });
  return send(server, request.body, { transport: 'http', headers: request.headers });
}

/** The parts of an encrypted token that the checks look at. */
interface EncryptedToken {
  /** The token as sent inside RequestedSecurityToken. */
  xml: string;
  /** The element inside RequestedSecurityToken. */
  token: Element;
  encryptedData: Element;
  encryptedKey: Element;
  contentAlgorithm: string;
  keyTransport: string;
  oaepDigest?: string;
  cipherValue: string;
  encryptedKeyValue: string;
}

async function issueEncrypted(appliesTo: string, saml: '2.0' | '1.1' = '2.0'): Promise<EncryptedToken> {
  const xml = assertIssued(await requestToken(appliesTo, saml));
  const token = parseXmlText(xml).documentElement!;
  const encryptedData = saml === '2.0' ? child(token, XENC, 'EncryptedData') : token;
  assert.ok(encryptedData, 'EncryptedData is present');
  assert.equal(encryptedData.namespaceURI, XENC, 'EncryptedData namespace');
  assert.equal(encryptedData.localName, 'EncryptedData', 'EncryptedData local name');
  const encryptedKey = descendants(encryptedData, XENC, 'EncryptedKey')[0];
  assert.ok(encryptedKey, 'EncryptedKey is present');
  const keyMethod = child(encryptedKey, XENC, 'EncryptionMethod');
  return {
    xml,
    token,
    encryptedData,
    encryptedKey,
    contentAlgorithm: child(encryptedData, XENC, 'EncryptionMethod')?.getAttribute('Algorithm') ?? '',
    keyTransport: keyMethod?.getAttribute('Algorithm') ?? '',
    oaepDigest: child(keyMethod, NS.ds, 'DigestMethod')?.getAttribute('Algorithm') ?? undefined,
    cipherValue: child(child(encryptedData, XENC, 'CipherData'), XENC, 'CipherValue')?.textContent ?? '',
    encryptedKeyValue: child(child(encryptedKey, XENC, 'CipherData'), XENC, 'CipherValue')?.textContent ?? '',
  };
}

function referenceDecrypt(token: EncryptedToken, digest: 'sha1' | 'sha256', cipherValue = token.cipherValue): Promise<ReferenceResult> {
  const input = JSON.stringify({ key: rpKeyPem, digest, encryptedKey: token.encryptedKeyValue, cipherValue });
  return new Promise((resolve, reject) => {
    const python = execFile('python3', ['-c', PYTHON_DECRYPT], (error, stdout, stderr) => {
      if (error) reject(new Error(`reference decryption failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as ReferenceResult);
    });
    python.stdin!.end(input);
  });
}

/** Cuts the assertion out of a decrypted document, because samlsign needs it as the root element. */
function cutAssertion(document: string, saml: '2.0' | '1.1'): string {
  const prefix = saml === '2.0' ? 'saml2' : 'saml';
  const match = new RegExp(`<${prefix}:Assertion[\\s\\S]*</${prefix}:Assertion>`).exec(document);
  assert.ok(match, `the decrypted document holds an assertion: ${document.slice(0, 300)}`);
  return match[0];
}

async function assertSignatureVerifies(t: TestContext, assertion: string, saml: '2.0' | '1.1'): Promise<void> {
  if (requireTool(t, 'xmlsec1')) {
    const result = await xmlsecVerify(assertion, server.signingCertPem, saml === '2.0' ? SAML2_ID : SAML11_ID);
    assert.ok(result.ok, `xmlsec1 verifies the decrypted assertion: ${result.output}`);
  }
  if (requireTool(t, 'samlsign')) {
    const result = await samlsignVerify(assertion, server.signingCertPem);
    assert.ok(result.ok, `samlsign verifies the decrypted assertion: ${result.output}`);
  }
}

describe('SAML 2.0 token encryption', () => {
  test('token is an EncryptedAssertion', async () => {
    const token = await issueEncrypted(PARTIES.gcm);
    assert.equal(token.token.namespaceURI, NS.saml20);
    assert.equal(token.token.localName, 'EncryptedAssertion');
    assert.deepEqual(elementChildren(token.token).map((element) => element.localName), ['EncryptedData']);
  });

  test('defaults are AES-256-GCM and RSA-OAEP', async () => {
    const token = await issueEncrypted(PARTIES.gcm);
    assert.equal(token.contentAlgorithm, ALGORITHMS.aes256gcm);
    assert.equal(token.keyTransport, ALGORITHMS.rsaOaep);
    assert.equal(token.oaepDigest, ALGORITHMS.sha1);
    assert.ok(!token.xml.includes(ALGORITHMS.rsa15), 'rsa-1_5 appears nowhere');
  });

  test('xmlsec1 decrypts and signature verifies', async (t) => {
    if (!requireTool(t, 'xmlsec1')) return;
    const token = await issueEncrypted(PARTIES.gcm);
    const decrypted = await xmlsecDecrypt(token.xml, rpKeyPem);
    assert.ok(decrypted.ok, `xmlsec1 decrypts the token: ${decrypted.output}`);
    await assertSignatureVerifies(t, cutAssertion(decrypted.output, '2.0'), '2.0');
  });

  test('reference decryption recovers assertion', async (t) => {
    if (!requireTool(t, 'python3')) return;
    const token = await issueEncrypted(PARTIES.gcm);
    const bytes = Buffer.from(token.cipherValue, 'base64');
    const result = await referenceDecrypt(token, 'sha1');
    assert.equal(result.key.length, 64, 'the content key has 32 bytes');
    assert.equal(result.iv, bytes.subarray(0, 12).toString('hex'), 'the IV is the first 12 bytes');
    assert.match(result.plaintext, /^<saml2:Assertion /);
    await assertSignatureVerifies(t, result.plaintext, '2.0');
  });

  test('each token gets fresh IV and key', async (t) => {
    if (!requireTool(t, 'python3')) return;
    const first = await referenceDecrypt(await issueEncrypted(PARTIES.gcm), 'sha1');
    const second = await referenceDecrypt(await issueEncrypted(PARTIES.gcm), 'sha1');
    assert.notEqual(first.iv, second.iv, 'the IVs differ');
    assert.notEqual(first.key, second.key, 'the content keys differ');
  });

  test('flipped ciphertext bit fails decryption', async (t) => {
    if (!requireTool(t, 'xmlsec1')) return;
    const token = await issueEncrypted(PARTIES.gcm);
    const bytes = Buffer.from(token.cipherValue, 'base64');
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    const tampered = token.xml.replace(token.cipherValue, bytes.toString('base64'));
    const result = await xmlsecDecrypt(tampered, rpKeyPem);
    assert.equal(result.ok, false, 'xmlsec1 rejects the tampered token');
    if (requireTool(t, 'python3')) {
      await assert.rejects(referenceDecrypt(token, 'sha1', bytes.toString('base64')), /reference decryption failed/);
    }
  });

  test('OAEP SHA-256 digest decrypts', async (t) => {
    if (!requireTool(t, 'python3')) return;
    const token = await issueEncrypted(PARTIES.sha256);
    assert.equal(token.keyTransport, ALGORITHMS.rsaOaep);
    assert.equal(token.oaepDigest, ALGORITHMS.sha256);
    const result = await referenceDecrypt(token, 'sha256');
    await assertSignatureVerifies(t, result.plaintext, '2.0');
  });

  test('legacy algorithms only when set', async (t) => {
    const token = await issueEncrypted(PARTIES.legacy);
    assert.equal(token.contentAlgorithm, ALGORITHMS.aes128cbc);
    assert.equal(token.keyTransport, ALGORITHMS.rsa15);
    const warnings = server.output.filter((line) => line.includes('"relyingParty":"encrypted-legacy"') && line.includes('"level":40'));
    assert.ok(warnings.some((line) => line.includes('aes128-cbc')), 'the log warns about AES-CBC');
    assert.ok(warnings.some((line) => line.includes('rsa-1_5')), 'the log warns about rsa-1_5');
    if (requireTool(t, 'xmlsec1')) {
      const decrypted = await xmlsecDecrypt(token.xml, rpKeyPem);
      assert.ok(decrypted.ok, `xmlsec1 decrypts the legacy token: ${decrypted.output}`);
      await assertSignatureVerifies(t, cutAssertion(decrypted.output, '2.0'), '2.0');
    }
  });
});

describe('SAML 1.1 token encryption', () => {
  test('EncryptedData sits in RequestedSecurityToken', async () => {
    const response = await requestToken(PARTIES.gcm, '1.1');
    assertIssued(response);
    const requested = child(rstrOf(response.body), NS.wst13, 'RequestedSecurityToken');
    const children = elementChildren(requested!);
    assert.equal(children.length, 1);
    assert.equal(children[0].namespaceURI, XENC);
    assert.equal(children[0].localName, 'EncryptedData');
  });

  test('xmlsec1 decrypts and signature verifies', async (t) => {
    if (!requireTool(t, 'xmlsec1')) return;
    const token = await issueEncrypted(PARTIES.gcm, '1.1');
    assert.equal(token.contentAlgorithm, ALGORITHMS.aes256gcm);
    const decrypted = await xmlsecDecrypt(token.xml, rpKeyPem);
    assert.ok(decrypted.ok, `xmlsec1 decrypts the token: ${decrypted.output}`);
    await assertSignatureVerifies(t, cutAssertion(decrypted.output, '1.1'), '1.1');
  });
});

describe('encryption without usable certificate', () => {
  test('sp add without alias fails', async () => {
    const result = await server.cli(['sp', 'add', '--name', 'no-alias', '--endpoint', 'urn:example:rp:no-alias', '--encrypt']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sts: certAlias \(--cert-alias\): required when encryption\.enabled is true/);
  });

  test('sp add with unknown alias fails', async () => {
    const result = await server.cli([
      'sp', 'add', '--name', 'unknown-alias', '--endpoint', 'urn:example:rp:unknown-alias', '--cert-alias', 'no-such-alias', '--encrypt',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /certAlias \(--cert-alias\): certificate alias "no-such-alias" is not in the trust store/);
    const list = await server.cli(['sp', 'list']);
    assert.ok(!list.stdout.includes('unknown-alias'), 'the party was not saved');
  });

  test('removed certificate fails issue', async () => {
    await issueEncrypted(PARTIES.removed);
    const store = await openDataDirectory(server.dataDir);
    try {
      assert.ok(await store.deleteKeyEntry('rp-removed'), 'the certificate is removed');
    } finally {
      await store.close();
    }
    const response = await requestToken(PARTIES.removed);
    assertFault(response, { code: `{${NS.wst13}}RequestFailed`, reason: 'The request failed' });
  });
});
