/**
 * RSA-OAEP with MGF1-SHA-1 (RFC 8017 section 7.1), for OAEP digests other than SHA-1. Node's
 * OAEP padding uses one hash for both the digest and MGF1, so these encodings are done here and
 * the RSA step runs without padding.
 */
import * as crypto from 'node:crypto';
import type { OaepDigest } from './algorithms.js';
import { XmlEncryptionError } from './errors.js';

/** Returns the output length in bytes of the OAEP digest. */
export function hashLength(digest: OaepDigest): number {
  return digest === 'sha1' ? 20 : 32;
}

/** Returns the RSA modulus length in bytes. */
export function rsaModulusLength(key: crypto.KeyObject): number {
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
export function encodeOaep(message: Buffer, modulusLength: number, digest: OaepDigest): Buffer {
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
export function decodeOaep(encoded: Buffer, digest: OaepDigest): Buffer | undefined {
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
