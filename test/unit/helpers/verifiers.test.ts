import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import {
  requireTool,
  samlsignVerify,
  xmlsecDecrypt,
  xmlsecVerify,
} from '../../helpers/verifiers.js';

const run = promisify(execFile);

const SAML20_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAML11_NS = 'urn:oasis:names:tc:SAML:1.0:assertion';
const SAML20_ID = { name: 'ID', elementNs: SAML20_NS, elementName: 'Assertion' } as const;
const SAML11_ID = { name: 'AssertionID', elementNs: SAML11_NS, elementName: 'Assertion' } as const;

/** Enveloped exc-c14n rsa-sha256 signature template that xmlsec1 --sign fills in. */
function signatureTemplate(id: string): string {
  return (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
    `<ds:Reference URI="#${id}"><ds:Transforms>` +
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>' +
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>' +
    '<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>' +
    '<ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>'
  );
}

/** SAML 2.0 assertion template with the signature directly after Issuer, as the schema requires. */
function saml20Template(id: string, nameId: string, signature = signatureTemplate(id)): string {
  return (
    `<saml2:Assertion xmlns:saml2="${SAML20_NS}" ID="${id}" ` +
    'IssueInstant="2030-01-01T00:00:30Z" Version="2.0">' +
    '<saml2:Issuer>https://sts.example.test/</saml2:Issuer>' +
    signature +
    `<saml2:Subject><saml2:NameID>${nameId}</saml2:NameID>` +
    '<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"/></saml2:Subject>' +
    '<saml2:Conditions NotBefore="2030-01-01T00:00:00Z" NotOnOrAfter="2030-01-01T01:00:30Z">' +
    '<saml2:AudienceRestriction><saml2:Audience>urn:example:rp:alpha</saml2:Audience>' +
    '</saml2:AudienceRestriction></saml2:Conditions></saml2:Assertion>'
  );
}

/** SAML 1.1 assertion template with the signature as the last child, as the schema requires. */
function saml11Template(id: string, nameId: string): string {
  return (
    `<saml:Assertion xmlns:saml="${SAML11_NS}" AssertionID="${id}" ` +
    'IssueInstant="2030-01-01T00:00:30Z" Issuer="https://sts.example.test/" ' +
    'MajorVersion="1" MinorVersion="1">' +
    '<saml:AuthenticationStatement AuthenticationInstant="2030-01-01T00:00:30Z" ' +
    'AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password"><saml:Subject>' +
    `<saml:NameIdentifier>${nameId}</saml:NameIdentifier><saml:SubjectConfirmation>` +
    '<saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod>' +
    '</saml:SubjectConfirmation></saml:Subject></saml:AuthenticationStatement>' +
    signatureTemplate(id) +
    '</saml:Assertion>'
  );
}

/** EncryptedData template: AES-256-CBC content, RSA-OAEP (MGF1 with SHA-1) key transport. */
const ENCRYPTION_TEMPLATE =
  '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" ' +
  'Type="http://www.w3.org/2001/04/xmlenc#Element">' +
  '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>' +
  '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>' +
  '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p">' +
  '<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod>' +
  '<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>' +
  '<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>';

interface KeyPair {
  keyPath: string;
  certPath: string;
  keyPem: string;
  certPem: string;
}

const workDirectory = mkdtemp(join(tmpdir(), 'sts-verifiers-test-'));
let keyPairs: Promise<{ signer: KeyPair; other: KeyPair }> | undefined;
let fileCounter = 0;

after(async () => {
  await rm(await workDirectory, { recursive: true, force: true });
});

async function createKeyPair(name: string): Promise<KeyPair> {
  const directory = await workDirectory;
  const keyPath = join(directory, `${name}-key.pem`);
  const certPath = join(directory, `${name}-cert.pem`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
  const keyPem = await readFile(keyPath, 'utf8');
  const certPem = await readFile(certPath, 'utf8');
  return { keyPath, certPath, keyPem, certPem };
}

/** Creates the signer's and an unrelated key pair once per test run. */
function testKeys(): Promise<{ signer: KeyPair; other: KeyPair }> {
  keyPairs ??= (async () => ({
    signer: await createKeyPair('signer'),
    other: await createKeyPair('other'),
  }))();
  return keyPairs;
}

async function writeWorkFile(content: string): Promise<string> {
  fileCounter += 1;
  const path = join(await workDirectory, `input-${fileCounter}.xml`);
  await writeFile(path, content);
  return path;
}

/** Signs a template with xmlsec1 and returns the signed document without the XML declaration. */
async function signWithXmlsec(template: string, idAttribute: typeof SAML20_ID | typeof SAML11_ID) {
  const { signer } = await testKeys();
  const { stdout } = await run('xmlsec1', [
    '--sign',
    '--privkey-pem',
    `${signer.keyPath},${signer.certPath}`,
    `--id-attr:${idAttribute.name}`,
    `${idAttribute.elementNs}:${idAttribute.elementName}`,
    await writeWorkFile(template),
  ]);
  return stdout.replace(/^<\?xml[^>]*\?>\s*/, '');
}

/** Encrypts the document's saml2:Assertion with xmlsec1 for the signer's certificate. */
async function encryptWithXmlsec(document: string): Promise<string> {
  const { signer } = await testKeys();
  const { stdout } = await run('xmlsec1', [
    '--encrypt',
    '--pubkey-cert-pem',
    signer.certPath,
    '--session-key',
    'aes-256',
    '--xml-data',
    await writeWorkFile(document),
    '--node-name',
    `${SAML20_NS}:Assertion`,
    await writeWorkFile(ENCRYPTION_TEMPLATE),
  ]);
  return stdout;
}

function tamper(signed: string): string {
  const tampered = signed.replace('user01@example.test', 'user02@example.test');
  assert.notEqual(tampered, signed, 'tampering changed nothing');
  return tampered;
}

/**
 * Moves the genuine signature into a new assertion with another ID and subject, and hides the
 * signed assertion (without its signature) in that assertion's Advice.
 */
function wrapSignature(signed: string): string {
  const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0];
  assert.ok(signature, 'signed assertion has no ds:Signature');
  const original = signed.replace(signature, '');
  const outer = saml20Template('_wrapper', 'admin@example.test', signature);
  return outer.replace(
    '</saml2:Assertion>',
    `<saml2:Advice>${original}</saml2:Advice></saml2:Assertion>`,
  );
}

function fakeContext(): { context: TestContext; skipped: string[] } {
  const skipped: string[] = [];
  const context = {
    skip: (message?: string) => {
      skipped.push(message ?? '');
    },
  } as unknown as TestContext;
  return { context, skipped };
}

async function withCi<T>(value: string | undefined, action: () => T): Promise<T> {
  const previous = process.env.CI;
  if (value === undefined) {
    delete process.env.CI;
  } else {
    process.env.CI = value;
  }
  try {
    return action();
  } finally {
    if (previous === undefined) {
      delete process.env.CI;
    } else {
      process.env.CI = previous;
    }
  }
}

describe('requireTool', () => {
  it('returns true for a command on PATH', (t) => {
    assert.equal(requireTool(t, 'sh'), true);
  });

  it('skips outside CI when the command is missing', async () => {
    const { context, skipped } = fakeContext();
    const found = await withCi(undefined, () => requireTool(context, 'no-such-tool-4f1c'));
    assert.equal(found, false);
    assert.deepEqual(skipped, ['no-such-tool-4f1c not installed']);
  });

  it('fails in CI when the command is missing', async () => {
    const { context, skipped } = fakeContext();
    await withCi('true', () => {
      assert.throws(
        () => requireTool(context, 'no-such-tool-4f1c'),
        /no-such-tool-4f1c not found on PATH/,
      );
    });
    assert.deepEqual(skipped, []);
  });
});

describe('xmlsecVerify', () => {
  it('accepts a signed SAML 2.0 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml20Template('_a20', 'user01@example.test'), SAML20_ID);
    const result = await xmlsecVerify(signed, signer.certPem, SAML20_ID);
    assert.equal(result.ok, true, result.output);
    assert.match(result.output, /^OK$/m);
  });

  it('accepts a signed SAML 1.1 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml11Template('_a11', 'user01@example.test'), SAML11_ID);
    const result = await xmlsecVerify(signed, signer.certPem, SAML11_ID);
    assert.equal(result.ok, true, result.output);
  });

  it('rejects a tampered SAML 2.0 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml20Template('_t20', 'user01@example.test'), SAML20_ID);
    const result = await xmlsecVerify(tamper(signed), signer.certPem, SAML20_ID);
    assert.equal(result.ok, false, result.output);
    assert.match(result.output, /FAIL/);
  });

  it('rejects a tampered SAML 1.1 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml11Template('_t11', 'user01@example.test'), SAML11_ID);
    const result = await xmlsecVerify(tamper(signed), signer.certPem, SAML11_ID);
    assert.equal(result.ok, false, result.output);
  });

  it('rejects a signature checked with another certificate', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { other } = await testKeys();
    const signed = await signWithXmlsec(saml20Template('_k20', 'user01@example.test'), SAML20_ID);
    const result = await xmlsecVerify(signed, other.certPem, SAML20_ID);
    assert.equal(result.ok, false, result.output);
  });

  it('accepts a wrapped signature, unlike samlsign', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml20Template('_w20', 'user01@example.test'), SAML20_ID);
    const result = await xmlsecVerify(wrapSignature(signed), signer.certPem, SAML20_ID);
    assert.equal(result.ok, true, result.output);
  });
});

describe('samlsignVerify', () => {
  it('accepts a signed SAML 2.0 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    if (!requireTool(t, 'samlsign')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml20Template('_s20', 'user01@example.test'), SAML20_ID);
    const result = await samlsignVerify(signed, signer.certPem);
    assert.equal(result.ok, true, result.output);
  });

  it('accepts a signed SAML 1.1 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    if (!requireTool(t, 'samlsign')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml11Template('_s11', 'user01@example.test'), SAML11_ID);
    const result = await samlsignVerify(signed, signer.certPem);
    assert.equal(result.ok, true, result.output);
  });

  it('rejects a tampered SAML 2.0 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    if (!requireTool(t, 'samlsign')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml20Template('_u20', 'user01@example.test'), SAML20_ID);
    const result = await samlsignVerify(tamper(signed), signer.certPem);
    assert.equal(result.ok, false, result.output);
  });

  it('rejects a tampered SAML 1.1 assertion', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    if (!requireTool(t, 'samlsign')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml11Template('_u11', 'user01@example.test'), SAML11_ID);
    const result = await samlsignVerify(tamper(signed), signer.certPem);
    assert.equal(result.ok, false, result.output);
  });

  it('rejects a signature checked with another certificate', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    if (!requireTool(t, 'samlsign')) return;
    const { other } = await testKeys();
    const signed = await signWithXmlsec(saml11Template('_k11', 'user01@example.test'), SAML11_ID);
    const result = await samlsignVerify(signed, other.certPem);
    assert.equal(result.ok, false, result.output);
  });

  it('rejects a wrapped signature', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    if (!requireTool(t, 'samlsign')) return;
    const { signer } = await testKeys();
    const signed = await signWithXmlsec(saml20Template('_x20', 'user01@example.test'), SAML20_ID);
    const result = await samlsignVerify(wrapSignature(signed), signer.certPem);
    assert.equal(result.ok, false, result.output);
    assert.match(result.output, /signature reference does not match parent object ID/);
  });
});

describe('xmlsecDecrypt', () => {
  const plainAssertion =
    `<saml2:EncryptedAssertion xmlns:saml2="${SAML20_NS}">` +
    saml20Template('_e20', 'user01@example.test', '') +
    '</saml2:EncryptedAssertion>';

  it('decrypts an EncryptedData with an inline EncryptedKey', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { signer } = await testKeys();
    const encrypted = await encryptWithXmlsec(plainAssertion);
    assert.doesNotMatch(encrypted, /user01@example\.test/);
    const result = await xmlsecDecrypt(encrypted, signer.keyPem);
    assert.equal(result.ok, true, result.output);
    assert.match(result.output, /<saml2:NameID>user01@example\.test<\/saml2:NameID>/);
    assert.doesNotMatch(result.output, /EncryptedData/);
  });

  it('decrypts with a sibling EncryptedKey found by RetrievalMethod', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { signer } = await testKeys();
    const encrypted = await encryptWithXmlsec(plainAssertion);
    const encryptedKey = /<xenc:EncryptedKey>[\s\S]*<\/xenc:EncryptedKey>/.exec(encrypted)?.[0];
    assert.ok(encryptedKey, 'no xenc:EncryptedKey in the encrypted document');
    const retrieval =
      '<ds:RetrievalMethod URI="#ek-1" Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey"/>';
    const sibling = encryptedKey.replace(
      '<xenc:EncryptedKey>',
      '<xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" ' +
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="ek-1">',
    );
    const detached = encrypted
      .replace(encryptedKey, retrieval)
      .replace('</xenc:EncryptedData>', `</xenc:EncryptedData>${sibling}`);
    const result = await xmlsecDecrypt(detached, signer.keyPem);
    assert.equal(result.ok, true, result.output);
    assert.match(result.output, /<saml2:NameID>user01@example\.test<\/saml2:NameID>/);
  });

  it('fails with another private key', async (t) => {
    if (!requireTool(t, 'openssl') || !requireTool(t, 'xmlsec1')) return;
    const { other } = await testKeys();
    const encrypted = await encryptWithXmlsec(plainAssertion);
    const result = await xmlsecDecrypt(encrypted, other.keyPem);
    assert.equal(result.ok, false);
    assert.doesNotMatch(result.output, /user01@example\.test/);
  });
});
