/**
 * XML Encryption of one element (W3C XML Encryption 1.0, and AES-GCM from XML Encryption 1.1).
 *
 * The STS encrypts a signed SAML assertion for a relying party with a fresh AES content key,
 * and wraps that key for the relying party's RSA certificate in an `xenc:EncryptedKey` inside
 * the `xenc:EncryptedData`. Only Node's `crypto` module does the cryptography.
 *
 * This module is the public API and does the encryption. Decryption, the RSA-OAEP encoding for
 * OAEP digests other than SHA-1, and the algorithm tables are in `xmlenc/`.
 */
import * as crypto from 'node:crypto';
import type { Document } from '@xmldom/xmldom';
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
  type KeyTransportAlgorithm,
  type OaepDigest,
} from './xmlenc/algorithms.js';
import { errorMessage, parseXml } from './xmlenc/dom.js';
import { XmlEncryptionError } from './xmlenc/errors.js';
import { encodeOaep, hashLength, rsaModulusLength } from './xmlenc/rsa-oaep.js';

export {
  ContentEncryptionUris,
  KeyTransportUris,
  OaepDigestUris,
  type ContentEncryptionAlgorithm,
  type KeyTransportAlgorithm,
  type OaepDigest,
} from './xmlenc/algorithms.js';
export { decryptElement } from './xmlenc/decrypt.js';
export { XmlDecryptionError, XmlEncryptionError } from './xmlenc/errors.js';

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
