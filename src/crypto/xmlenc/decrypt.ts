import * as crypto from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import {
  AES_BLOCK_SIZE,
  CONTENT_CIPHERS,
  ContentEncryptionUris,
  DSIG_NS,
  GCM_TAG_LENGTH,
  KeyTransportUris,
  OaepDigestUris,
  TYPE_ELEMENT,
  XENC_NS,
  type ContentCipher,
  type ContentEncryptionAlgorithm,
  type OaepDigest,
} from './algorithms.js';
import {
  algorithmOf,
  childElements,
  cipherValueOf,
  errorMessage,
  findKeyByValue,
  optionalChild,
  parseXml,
  requiredChild,
} from './dom.js';
import { XmlDecryptionError } from './errors.js';
import { decodeOaep, rsaModulusLength } from './rsa-oaep.js';

const DECRYPT_KEY_FAILED = 'failed to decrypt the content key in xenc:EncryptedKey';
const DECRYPT_CONTENT_FAILED = 'failed to decrypt the content of xenc:EncryptedData';

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
