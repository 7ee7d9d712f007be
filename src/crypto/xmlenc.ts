/**
 * XML Encryption of one element (W3C XML Encryption 1.0, and AES-GCM from XML Encryption 1.1).
 *
 * The STS encrypts a signed SAML assertion for a relying party with a fresh AES content key,
 * and wraps that key for the relying party's RSA certificate in an `xenc:EncryptedKey` inside
 * the `xenc:EncryptedData`. Only Node's `crypto` module does the cryptography.
 */
import * as crypto from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';

/** Content (bulk) encryption algorithm for the element's bytes. */
export type ContentEncryptionAlgorithm = 'aes256-gcm' | 'aes128-gcm' | 'aes256-cbc' | 'aes128-cbc';

/** Key transport algorithm that wraps the content key with the recipient's RSA public key. */
export type KeyTransportAlgorithm = 'rsa-oaep-mgf1p' | 'rsa-1_5';

/** OAEP digest (`ds:DigestMethod`) for `rsa-oaep-mgf1p`. The MGF1 hash is SHA-1 in every case. */
export type OaepDigest = 'sha1' | 'sha256';

/** Settings for {@link encryptElement}. */
export interface EncryptionOptions {
  /** Relying party's certificate, which must contain an RSA public key. */
  recipientCertificate: crypto.X509Certificate;
  /** Content encryption algorithm. Callers use `aes256-gcm` by default. */
  contentAlgorithm: ContentEncryptionAlgorithm;
  /** Key transport algorithm. Callers use `rsa-oaep-mgf1p` by default. */
  keyTransport: KeyTransportAlgorithm;
  /** OAEP digest for `rsa-oaep-mgf1p`, ignored for `rsa-1_5`. MGF1 always uses SHA-1. */
  oaepDigest: OaepDigest;
}

/** Algorithm URI of each content encryption algorithm. */
export const ContentEncryptionUris: Readonly<Record<ContentEncryptionAlgorithm, string>> = {
  'aes256-gcm': 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'aes128-gcm': 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'aes256-cbc': 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'aes128-cbc': 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
};

/** Algorithm URI of each key transport algorithm. */
export const KeyTransportUris: Readonly<Record<KeyTransportAlgorithm, string>> = {
  'rsa-oaep-mgf1p': 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  'rsa-1_5': 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
};

/** `ds:DigestMethod` algorithm URI of each OAEP digest. */
export const OaepDigestUris: Readonly<Record<OaepDigest, string>> = {
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
};

/** Error for invalid input to {@link encryptElement} or a failure while encrypting. */
export class XmlEncryptionError extends Error {
  override readonly name = 'XmlEncryptionError';
}

/**
 * Error for malformed or unsupported `xenc:EncryptedData`, or a failed decryption in
 * {@link decryptElement}. All failures to unwrap the content key share one message, and all
 * failures to decrypt the content share another, so a message does not tell which check failed.
 */
export class XmlDecryptionError extends Error {
  override readonly name = 'XmlDecryptionError';
}

const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const TYPE_ELEMENT = 'http://www.w3.org/2001/04/xmlenc#Element';

interface ContentCipher {
  mode: 'gcm' | 'cbc';
  /** Node cipher name. */
  nodeName: 'aes-256-gcm' | 'aes-128-gcm' | 'aes-256-cbc' | 'aes-128-cbc';
  /** Key length in bytes. */
  keyLength: number;
  /** IV length in bytes: 12 for GCM (XML Encryption 1.1), 16 for CBC. */
  ivLength: number;
}

const CONTENT_CIPHERS: Readonly<Record<ContentEncryptionAlgorithm, ContentCipher>> = {
  'aes256-gcm': { mode: 'gcm', nodeName: 'aes-256-gcm', keyLength: 32, ivLength: 12 },
  'aes128-gcm': { mode: 'gcm', nodeName: 'aes-128-gcm', keyLength: 16, ivLength: 12 },
  'aes256-cbc': { mode: 'cbc', nodeName: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  'aes128-cbc': { mode: 'cbc', nodeName: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
};

const GCM_TAG_LENGTH = 16;
const AES_BLOCK_SIZE = 16;

const DECRYPT_KEY_FAILED = 'failed to decrypt the content key in xenc:EncryptedKey';
const DECRYPT_CONTENT_FAILED = 'failed to decrypt the content of xenc:EncryptedData';

// ---------------------------------------------------------------------------------------------
// Encryption
// ---------------------------------------------------------------------------------------------

/**
 * Encrypts one XML element for the recipient and returns a compact `xenc:EncryptedData`
 * (Type `#Element`) that replaces the element. The element's exact UTF-8 bytes are encrypted,
 * so an enveloped signature inside it stays valid. Each call uses a fresh random content key
 * and IV. The `ds:KeyInfo` contains an `xenc:EncryptedKey` with the recipient's certificate.
 *
 * @throws XmlEncryptionError when an option is invalid, the certificate has no RSA key, the
 *   RSA key is too small, or `elementXml` is not a single well-formed element.
 */
export function encryptElement(elementXml: string, options: EncryptionOptions): string {
  const cipher = resolveOption(CONTENT_CIPHERS, options.contentAlgorithm, 'contentAlgorithm');
  resolveOption(KeyTransportUris, options.keyTransport, 'keyTransport');
  if (options.keyTransport === 'rsa-oaep-mgf1p') {
    resolveOption(OaepDigestUris, options.oaepDigest, 'oaepDigest');
  }
  const publicKey = recipientPublicKey(options.recipientCertificate);
  validateElementXml(elementXml);

  const contentKey = crypto.randomBytes(cipher.keyLength);
  try {
    const contentCipherValue = encryptContent(cipher, contentKey, Buffer.from(elementXml, 'utf8'));
    const keyCipherValue = encryptContentKey(publicKey, contentKey, options);
    return serializeEncryptedData(options, keyCipherValue, contentCipherValue);
  } finally {
    contentKey.fill(0);
  }
}

function resolveOption<K extends string, V>(
  table: Readonly<Record<K, V>>,
  value: K,
  name: string,
): V {
  if (typeof value !== 'string' || !Object.hasOwn(table, value)) {
    const allowed = Object.keys(table).join(', ');
    throw new XmlEncryptionError(
      `invalid ${name} ${JSON.stringify(value)}: expected one of ${allowed}`,
    );
  }
  return table[value];
}

function recipientPublicKey(certificate: crypto.X509Certificate): crypto.KeyObject {
  if (!(certificate instanceof crypto.X509Certificate)) {
    throw new XmlEncryptionError('recipientCertificate must be a crypto.X509Certificate');
  }
  const publicKey = certificate.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new XmlEncryptionError(
      `recipient certificate (subject ${JSON.stringify(certificate.subject)}, serial ` +
        `${certificate.serialNumber}) has a key of type ` +
        `${publicKey.asymmetricKeyType ?? 'unknown'}, but XML key transport needs an RSA key`,
    );
  }
  return publicKey;
}

/**
 * Rejects anything but one well-formed element with optional surrounding whitespace, so that
 * the decrypted bytes can replace the `xenc:EncryptedData` element in a document.
 */
function validateElementXml(elementXml: string): void {
  if (typeof elementXml !== 'string' || elementXml.trim() === '') {
    throw new XmlEncryptionError('element XML to encrypt is empty');
  }
  let document: Document;
  try {
    document = parseXml(elementXml);
  } catch (error) {
    throw new XmlEncryptionError(`element XML to encrypt is invalid: ${errorMessage(error)}`);
  }
  for (const node of Array.from(document.childNodes)) {
    const isWhitespace = node.nodeType === node.TEXT_NODE && (node.nodeValue ?? '').trim() === '';
    if (node.nodeType !== node.ELEMENT_NODE && !isWhitespace) {
      throw new XmlEncryptionError(
        `element XML to encrypt must be a single element, but it contains ` +
          `${describeNodeType(node.nodeType)} outside the element`,
      );
    }
  }
}

function describeNodeType(nodeType: number): string {
  switch (nodeType) {
    case 3:
      return 'text';
    case 4:
      return 'a CDATA section';
    case 7:
      return 'a processing instruction or an XML declaration';
    case 8:
      return 'a comment';
    case 10:
      return 'a DOCTYPE';
    default:
      return `a node of type ${nodeType}`;
  }
}

function encryptContent(cipher: ContentCipher, key: Buffer, plaintext: Buffer): Buffer {
  const iv = crypto.randomBytes(cipher.ivLength);
  if (cipher.mode === 'gcm') {
    const gcm = crypto.createCipheriv(cipher.nodeName as crypto.CipherGCMTypes, key, iv, {
      authTagLength: GCM_TAG_LENGTH,
    });
    const ciphertext = Buffer.concat([gcm.update(plaintext), gcm.final()]);
    return Buffer.concat([iv, ciphertext, gcm.getAuthTag()]);
  }

  // XML Encryption 1.0 block padding: 1 to 16 bytes, the last of which is the pad length. The
  // other pad bytes may be anything, and this writes the pad length into all of them (the
  // PKCS#7 form), so strict PKCS#7 decryptors accept the output too.
  const padLength = AES_BLOCK_SIZE - (plaintext.length % AES_BLOCK_SIZE);
  const padded = Buffer.concat([plaintext, Buffer.alloc(padLength, padLength)]);
  const cbc = crypto.createCipheriv(cipher.nodeName, key, iv);
  cbc.setAutoPadding(false);
  return Buffer.concat([iv, cbc.update(padded), cbc.final()]);
}

function encryptContentKey(
  publicKey: crypto.KeyObject,
  contentKey: Buffer,
  options: EncryptionOptions,
): Buffer {
  if (options.keyTransport === 'rsa-1_5') {
    return crypto.publicEncrypt(
      { key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
      contentKey,
    );
  }
  const modulusLength = rsaModulusLength(publicKey);
  const maxMessageLength = modulusLength - 2 * hashLength(options.oaepDigest) - 2;
  if (contentKey.length > maxMessageLength) {
    throw new XmlEncryptionError(
      `recipient RSA key of ${modulusLength * 8} bits is too small for rsa-oaep-mgf1p with ` +
        `${options.oaepDigest} and a ${contentKey.length}-byte content key`,
    );
  }
  if (options.oaepDigest === 'sha1') {
    // Node's OAEP uses oaepHash for MGF1 as well, which is right only when both are SHA-1.
    return crypto.publicEncrypt(
      { key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      contentKey,
    );
  }
  const encodedMessage = encodeOaep(contentKey, modulusLength, options.oaepDigest);
  return crypto.publicEncrypt(
    { key: publicKey, padding: crypto.constants.RSA_NO_PADDING },
    encodedMessage,
  );
}

function serializeEncryptedData(
  options: EncryptionOptions,
  keyCipherValue: Buffer,
  contentCipherValue: Buffer,
): string {
  const keyTransportUri = KeyTransportUris[options.keyTransport];
  const keyEncryptionMethod =
    options.keyTransport === 'rsa-oaep-mgf1p'
      ? `<xenc:EncryptionMethod Algorithm="${keyTransportUri}">` +
        `<ds:DigestMethod Algorithm="${OaepDigestUris[options.oaepDigest]}"/>` +
        '</xenc:EncryptionMethod>'
      : `<xenc:EncryptionMethod Algorithm="${keyTransportUri}"/>`;
  const certificateBase64 = options.recipientCertificate.raw.toString('base64');

  return (
    `<xenc:EncryptedData xmlns:xenc="${XENC_NS}" Id="${generateId()}" Type="${TYPE_ELEMENT}">` +
    `<xenc:EncryptionMethod Algorithm="${ContentEncryptionUris[options.contentAlgorithm]}"/>` +
    `<ds:KeyInfo xmlns:ds="${DSIG_NS}">` +
    `<xenc:EncryptedKey Id="${generateId()}">` +
    keyEncryptionMethod +
    '<ds:KeyInfo><ds:X509Data>' +
    `<ds:X509Certificate>${certificateBase64}</ds:X509Certificate>` +
    '</ds:X509Data></ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${keyCipherValue.toString('base64')}</xenc:CipherValue>` +
    '</xenc:CipherData>' +
    '</xenc:EncryptedKey>' +
    '</ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${contentCipherValue.toString('base64')}` +
    '</xenc:CipherValue></xenc:CipherData>' +
    '</xenc:EncryptedData>'
  );
}

/** Returns an XML ID: `_` followed by 32 random hex digits. */
function generateId(): string {
  return `_${crypto.randomBytes(16).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// RSA-OAEP with MGF1-SHA-1 (RFC 8017 section 7.1), for OAEP digests other than SHA-1
// ---------------------------------------------------------------------------------------------

function hashLength(digest: OaepDigest): number {
  return digest === 'sha1' ? 20 : 32;
}

/** Returns the RSA modulus length in bytes. */
function rsaModulusLength(key: crypto.KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined) {
    throw new XmlEncryptionError('RSA key has no modulus length in its key details');
  }
  return Math.ceil(bits / 8);
}

/** Computes MGF1 (RFC 8017) with SHA-1, as `rsa-oaep-mgf1p` requires. */
function mgf1Sha1(seed: Buffer, maskLength: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let produced = 0, i = 0; produced < maskLength; produced += 20, i++) {
    counter.writeUInt32BE(i);
    blocks.push(crypto.createHash('sha1').update(seed).update(counter).digest());
  }
  return Buffer.concat(blocks).subarray(0, maskLength);
}

function xorInPlace(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) {
    target[i] ^= mask[i];
  }
}

/**
 * Encodes `message` with EME-OAEP (RFC 8017 section 7.1.1 step 2): empty label, label hash and
 * seed length from `digest`, MGF1 with SHA-1. Returns `modulusLength` bytes that start with 0.
 */
function encodeOaep(message: Buffer, modulusLength: number, digest: OaepDigest): Buffer {
  const hLen = hashLength(digest);
  const labelHash = crypto.createHash(digest).digest();
  const dataBlockLength = modulusLength - hLen - 1;

  // DB = lHash || PS (zero bytes) || 0x01 || M
  const dataBlock = Buffer.alloc(dataBlockLength);
  labelHash.copy(dataBlock, 0);
  dataBlock[dataBlockLength - message.length - 1] = 0x01;
  message.copy(dataBlock, dataBlockLength - message.length);

  const seed = crypto.randomBytes(hLen);
  xorInPlace(dataBlock, mgf1Sha1(seed, dataBlockLength));
  xorInPlace(seed, mgf1Sha1(dataBlock, hLen));

  return Buffer.concat([Buffer.alloc(1), seed, dataBlock]);
}

/**
 * Decodes EME-OAEP (RFC 8017 section 7.1.2 step 3) with the same parameters as
 * {@link encodeOaep}. Returns undefined on any failure. The checks run without early exits
 * and combine into one flag, so the timing varies little with where the encoding is wrong.
 */
function decodeOaep(encoded: Buffer, digest: OaepDigest): Buffer | undefined {
  const hLen = hashLength(digest);
  if (encoded.length < 2 * hLen + 2) {
    return undefined;
  }
  const labelHash = crypto.createHash(digest).digest();
  const seed = Buffer.from(encoded.subarray(1, 1 + hLen));
  const dataBlock = Buffer.from(encoded.subarray(1 + hLen));
  xorInPlace(seed, mgf1Sha1(dataBlock, hLen));
  xorInPlace(dataBlock, mgf1Sha1(seed, dataBlock.length));

  let invalid = encoded[0];
  invalid |= crypto.timingSafeEqual(dataBlock.subarray(0, hLen), labelHash) ? 0 : 1;

  // Find the 0x01 separator after the zero padding. `found` becomes 1 at the separator, and
  // any byte other than 0x00 before it makes the encoding invalid.
  let found = 0;
  let separatorIndex = 0;
  for (let i = hLen; i < dataBlock.length; i++) {
    const byte = dataBlock[i];
    const isOne = ((byte ^ 0x01) - 1) >>> 31;
    const isZero = (byte - 1) >>> 31;
    const notFound = found ^ 1;
    separatorIndex |= i & -(notFound & isOne);
    invalid |= notFound & ~(isOne | isZero) & 1;
    found |= isOne;
  }
  invalid |= found ^ 1;

  return invalid === 0 ? dataBlock.subarray(separatorIndex + 1) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Decryption
// ---------------------------------------------------------------------------------------------

/**
 * Decrypts an `xenc:EncryptedData` (Type `#Element` or absent) whose `ds:KeyInfo` contains one
 * `xenc:EncryptedKey`, and returns the plaintext element XML. This is the inverse of
 * {@link encryptElement} for `rsa-oaep-mgf1p`.
 *
 * NOTE: `rsa-1_5` key transport is rejected, because Node.js 20 refuses RSA PKCS#1 v1.5
 * private decryption (CVE-2023-46809, the Marvin attack). EncryptedKey elements outside the
 * EncryptedData, `ds:RetrievalMethod`, `xenc:CipherReference` and OAEP labels are not
 * supported either.
 *
 * @throws XmlDecryptionError when the XML is malformed or contains a DOCTYPE, an algorithm is
 *   unsupported, or decryption fails (one message for every cryptographic failure).
 */
export function decryptElement(encryptedDataXml: string, privateKey: crypto.KeyObject): string {
  if (
    !(privateKey instanceof crypto.KeyObject) ||
    privateKey.type !== 'private' ||
    privateKey.asymmetricKeyType !== 'rsa'
  ) {
    throw new XmlDecryptionError('privateKey must be an RSA private crypto.KeyObject');
  }

  const encryptedData = parseEncryptedData(encryptedDataXml);
  const contentAlgorithm = contentAlgorithmOf(encryptedData);
  const encryptedKey = singleEncryptedKey(encryptedData);
  const cipher = CONTENT_CIPHERS[contentAlgorithm];

  const contentKey = decryptContentKey(encryptedKey, privateKey, cipher.keyLength);
  try {
    const cipherValue = cipherValueOf(encryptedData, 'xenc:EncryptedData');
    const plaintext = decryptContent(cipher, contentKey, cipherValue);
    return decodeUtf8(plaintext);
  } finally {
    contentKey.fill(0);
  }
}

function parseEncryptedData(encryptedDataXml: string): Element {
  if (typeof encryptedDataXml !== 'string') {
    throw new XmlDecryptionError('xenc:EncryptedData XML must be a string');
  }

  // Checking the raw text as well as the parsed tree also rejects a DOCTYPE that the parser
  // would drop after an error.
  if (/<!DOCTYPE/i.test(encryptedDataXml)) {
    throw new XmlDecryptionError('xenc:EncryptedData XML must not contain a DOCTYPE');
  }
  let document: Document;
  try {
    document = parseXml(encryptedDataXml);
  } catch (error) {
    throw new XmlDecryptionError(`xenc:EncryptedData XML is invalid: ${errorMessage(error)}`);
  }
  if (document.doctype !== null) {
    throw new XmlDecryptionError('xenc:EncryptedData XML must not contain a DOCTYPE');
  }

  const root = document.documentElement;
  if (root === null || root.namespaceURI !== XENC_NS || root.localName !== 'EncryptedData') {
    const found = root === null ? 'no element' : `{${root.namespaceURI ?? ''}}${root.localName}`;
    throw new XmlDecryptionError(
      `expected the root element {${XENC_NS}}EncryptedData, but found ${found}`,
    );
  }

  const type = root.getAttribute('Type');
  if (type !== null && type !== '' && type !== TYPE_ELEMENT) {
    throw new XmlDecryptionError(
      `unsupported xenc:EncryptedData Type ${JSON.stringify(type)}: expected ${TYPE_ELEMENT}`,
    );
  }
  return root;
}

function contentAlgorithmOf(encryptedData: Element): ContentEncryptionAlgorithm {
  const uri = algorithmOf(encryptedData, 'xenc:EncryptedData');
  const name = findKeyByValue(ContentEncryptionUris, uri);
  if (name === undefined) {
    throw new XmlDecryptionError(
      `unsupported content encryption algorithm ${JSON.stringify(uri)}: expected one of ` +
        Object.values(ContentEncryptionUris).join(', '),
    );
  }
  return name;
}

function singleEncryptedKey(encryptedData: Element): Element {
  const keyInfo = optionalChild(encryptedData, DSIG_NS, 'KeyInfo', 'xenc:EncryptedData');
  const encryptedKeys =
    keyInfo === undefined ? [] : childElements(keyInfo, XENC_NS, 'EncryptedKey');
  if (encryptedKeys.length !== 1) {
    throw new XmlDecryptionError(
      `expected one xenc:EncryptedKey in the ds:KeyInfo of xenc:EncryptedData, found ` +
        `${encryptedKeys.length}`,
    );
  }
  return encryptedKeys[0];
}

function decryptContentKey(
  encryptedKey: Element,
  privateKey: crypto.KeyObject,
  expectedLength: number,
): Buffer {
  const uri = algorithmOf(encryptedKey, 'xenc:EncryptedKey');
  if (uri === KeyTransportUris['rsa-1_5']) {
    throw new XmlDecryptionError(
      'rsa-1_5 key transport is not supported for decryption, because Node.js rejects RSA ' +
        'PKCS#1 v1.5 private decryption (CVE-2023-46809): use rsa-oaep-mgf1p',
    );
  }
  if (uri !== KeyTransportUris['rsa-oaep-mgf1p']) {
    throw new XmlDecryptionError(
      `unsupported key transport algorithm ${JSON.stringify(uri)}: expected ` +
        KeyTransportUris['rsa-oaep-mgf1p'],
    );
  }
  const digest = oaepDigestOf(encryptedKey);
  const ciphertext = cipherValueOf(encryptedKey, 'xenc:EncryptedKey');

  const contentKey = unwrapOaep(privateKey, ciphertext, digest);
  if (contentKey === undefined || contentKey.length !== expectedLength) {
    throw new XmlDecryptionError(DECRYPT_KEY_FAILED);
  }
  return contentKey;
}

function oaepDigestOf(encryptedKey: Element): OaepDigest {
  const method = requiredChild(encryptedKey, XENC_NS, 'EncryptionMethod', 'xenc:EncryptedKey');
  const oaepParams = optionalChild(method, XENC_NS, 'OAEPparams', 'xenc:EncryptionMethod');
  if (oaepParams !== undefined && (oaepParams.textContent ?? '').trim() !== '') {
    throw new XmlDecryptionError('xenc:OAEPparams (an OAEP label) is not supported');
  }
  const digestMethod = optionalChild(method, DSIG_NS, 'DigestMethod', 'xenc:EncryptionMethod');
  if (digestMethod === undefined) {
    // XML Encryption 1.0 makes SHA-1 the default OAEP digest of rsa-oaep-mgf1p.
    return 'sha1';
  }
  const uri = digestMethod.getAttribute('Algorithm') ?? '';
  const digest = findKeyByValue(OaepDigestUris, uri);
  if (digest === undefined) {
    throw new XmlDecryptionError(
      `unsupported OAEP DigestMethod ${JSON.stringify(uri)}: expected one of ` +
        Object.values(OaepDigestUris).join(', '),
    );
  }
  return digest;
}

/** Returns the OAEP-decoded key, or undefined on any RSA or OAEP failure. */
function unwrapOaep(
  privateKey: crypto.KeyObject,
  ciphertext: Buffer,
  digest: OaepDigest,
): Buffer | undefined {
  try {
    if (digest === 'sha1') {
      return crypto.privateDecrypt(
        { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
        ciphertext,
      );
    }
    if (ciphertext.length !== rsaModulusLength(privateKey)) {
      return undefined;
    }
    const encoded = crypto.privateDecrypt(
      { key: privateKey, padding: crypto.constants.RSA_NO_PADDING },
      ciphertext,
    );
    return decodeOaep(encoded, digest);
  } catch {
    return undefined;
  }
}

function decryptContent(cipher: ContentCipher, key: Buffer, cipherValue: Buffer): Buffer {
  const iv = cipherValue.subarray(0, cipher.ivLength);
  try {
    if (cipher.mode === 'gcm') {
      if (cipherValue.length < cipher.ivLength + GCM_TAG_LENGTH) {
        throw new XmlDecryptionError(DECRYPT_CONTENT_FAILED);
      }
      const ciphertext = cipherValue.subarray(cipher.ivLength, -GCM_TAG_LENGTH);
      const tag = cipherValue.subarray(cipherValue.length - GCM_TAG_LENGTH);
      const gcm = crypto.createDecipheriv(cipher.nodeName as crypto.CipherGCMTypes, key, iv, {
        authTagLength: GCM_TAG_LENGTH,
      });
      gcm.setAuthTag(tag);
      return Buffer.concat([gcm.update(ciphertext), gcm.final()]);
    }

    // NOTE: AES-CBC has no integrity check, so a changed ciphertext often decrypts to garbage
    // without an error, and callers that parse the result can become a decryption oracle.
    // Only AES-GCM detects tampering, so inbound messages should use it.
    const ciphertext = cipherValue.subarray(cipher.ivLength);
    if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK_SIZE !== 0) {
      throw new XmlDecryptionError(DECRYPT_CONTENT_FAILED);
    }
    const cbc = crypto.createDecipheriv(cipher.nodeName, key, iv);
    cbc.setAutoPadding(false);
    const padded = Buffer.concat([cbc.update(ciphertext), cbc.final()]);
    // XML Encryption 1.0 padding: only the last byte (the pad length, 1 to 16) is checked,
    // because the other pad bytes may be arbitrary.
    const padLength = padded[padded.length - 1];
    if (padLength < 1 || padLength > AES_BLOCK_SIZE) {
      throw new XmlDecryptionError(DECRYPT_CONTENT_FAILED);
    }
    return padded.subarray(0, padded.length - padLength);
  } catch {
    throw new XmlDecryptionError(DECRYPT_CONTENT_FAILED);
  }
}

function decodeUtf8(plaintext: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(plaintext);
  } catch {
    // Invalid UTF-8 after AES-CBC is a sign of tampering, so it gets the generic message.
    throw new XmlDecryptionError(DECRYPT_CONTENT_FAILED);
  }
}

// ---------------------------------------------------------------------------------------------
// XML helpers
// ---------------------------------------------------------------------------------------------

/** Parses XML and raises on every parser error or warning, not only on fatal errors. */
function parseXml(xml: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message.trim()}`);
    },
  });
  return parser.parseFromString(xml, 'application/xml');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function childElements(parent: Element, namespace: string, localName: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (node): node is Element =>
      node.nodeType === node.ELEMENT_NODE &&
      (node as Element).namespaceURI === namespace &&
      (node as Element).localName === localName,
  );
}

function optionalChild(
  parent: Element,
  namespace: string,
  localName: string,
  parentName: string,
): Element | undefined {
  const children = childElements(parent, namespace, localName);
  if (children.length > 1) {
    throw new XmlDecryptionError(`${parentName} contains more than one {${namespace}}${localName}`);
  }
  return children[0];
}

function requiredChild(
  parent: Element,
  namespace: string,
  localName: string,
  parentName: string,
): Element {
  const child = optionalChild(parent, namespace, localName, parentName);
  if (child === undefined) {
    throw new XmlDecryptionError(`${parentName} is missing {${namespace}}${localName}`);
  }
  return child;
}

/** Returns the Algorithm attribute of the element's `xenc:EncryptionMethod` child. */
function algorithmOf(parent: Element, parentName: string): string {
  const method = requiredChild(parent, XENC_NS, 'EncryptionMethod', parentName);
  const algorithm = method.getAttribute('Algorithm');
  if (algorithm === null || algorithm === '') {
    throw new XmlDecryptionError(`xenc:EncryptionMethod of ${parentName} has no Algorithm`);
  }
  return algorithm;
}

/** Returns the base64-decoded `xenc:CipherData/xenc:CipherValue` of the element. */
function cipherValueOf(parent: Element, parentName: string): Buffer {
  const cipherData = requiredChild(parent, XENC_NS, 'CipherData', parentName);
  if (childElements(cipherData, XENC_NS, 'CipherReference').length > 0) {
    throw new XmlDecryptionError(`xenc:CipherReference in ${parentName} is not supported`);
  }
  const cipherValue = requiredChild(cipherData, XENC_NS, 'CipherValue', 'xenc:CipherData');
  return decodeBase64Strict(cipherValue.textContent ?? '', `xenc:CipherValue of ${parentName}`);
}

/** Decodes base64 after removing XML whitespace, raising on any other non-base64 character. */
function decodeBase64Strict(text: string, valueName: string): Buffer {
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new XmlDecryptionError(`${valueName} is not valid base64`);
  }
  return Buffer.from(compact, 'base64');
}

function findKeyByValue<K extends string>(
  table: Readonly<Record<K, string>>,
  value: string,
): K | undefined {
  return (Object.keys(table) as K[]).find((key) => table[key] === value);
}
