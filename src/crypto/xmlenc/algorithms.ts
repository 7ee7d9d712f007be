/** Algorithms, algorithm URIs and namespaces of XML Encryption that the STS supports. */

/** Content (bulk) encryption algorithm for the element's bytes. */
export type ContentEncryptionAlgorithm = 'aes256-gcm' | 'aes128-gcm' | 'aes256-cbc' | 'aes128-cbc';

/** Key transport algorithm that wraps the content key with the recipient's RSA public key. */
export type KeyTransportAlgorithm = 'rsa-oaep-mgf1p' | 'rsa-1_5';

/** OAEP digest (`ds:DigestMethod`) for `rsa-oaep-mgf1p`. The MGF1 hash is SHA-1 in every case. */
export type OaepDigest = 'sha1' | 'sha256';

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

/** Namespace of XML Encryption 1.0 elements. */
export const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
/** Namespace of XML Signature elements, such as `ds:KeyInfo`. */
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** `xenc:EncryptedData` Type of an encrypted element. */
export const TYPE_ELEMENT = 'http://www.w3.org/2001/04/xmlenc#Element';

/** Node cipher parameters of a content encryption algorithm. */
export interface ContentCipher {
  mode: 'gcm' | 'cbc';
  /** Node cipher name. */
  nodeName: 'aes-256-gcm' | 'aes-128-gcm' | 'aes-256-cbc' | 'aes-128-cbc';
  /** Key length in bytes. */
  keyLength: number;
  /** IV length in bytes: 12 for GCM (XML Encryption 1.1), 16 for CBC. */
  ivLength: number;
}

/** Node cipher parameters of each content encryption algorithm. */
export const CONTENT_CIPHERS: Readonly<Record<ContentEncryptionAlgorithm, ContentCipher>> = {
  'aes256-gcm': { mode: 'gcm', nodeName: 'aes-256-gcm', keyLength: 32, ivLength: 12 },
  'aes128-gcm': { mode: 'gcm', nodeName: 'aes-128-gcm', keyLength: 16, ivLength: 12 },
  'aes256-cbc': { mode: 'cbc', nodeName: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  'aes128-cbc': { mode: 'cbc', nodeName: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
};

/** AES-GCM authentication tag length in bytes, which XML Encryption 1.1 fixes at 128 bits. */
export const GCM_TAG_LENGTH = 16;
/** AES block size in bytes. */
export const AES_BLOCK_SIZE = 16;
