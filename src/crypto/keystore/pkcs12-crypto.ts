/**
 * Password-based cryptography of PKCS#12 (RFC 7292): the MAC check, the PKCS#12 key
 * derivation of appendix B.2, the PBE schemes of appendix C, and PBES2 with PBKDF2 (RFC 8018).
 */
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';
import { KeyMaterialError } from './key-material.js';
import { integerValue, OID, octetStringValue, oidValue, sequenceItems } from './pkcs12-asn1.js';

/** Node hash name and block size in bytes (the `v` of the PKCS#12 key derivation). */
interface HashAlgorithm {
  name: string;
  blockSize: number;
}

const DIGEST_ALGORITHMS: Record<string, HashAlgorithm> = {
  '1.2.840.113549.2.5': { name: 'md5', blockSize: 64 },
  '1.3.14.3.2.26': { name: 'sha1', blockSize: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', blockSize: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', blockSize: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', blockSize: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', blockSize: 128 },
  '2.16.840.1.101.3.4.2.5': { name: 'sha512-224', blockSize: 128 },
  '2.16.840.1.101.3.4.2.6': { name: 'sha512-256', blockSize: 128 },
};

/** Default PBKDF2 pseudo-random function. */
const HMAC_WITH_SHA1 = '1.2.840.113549.2.7';

/** PBKDF2 pseudo-random functions (RFC 8018, appendix B.1) by OID, as Node hash names. */
const PBKDF2_PRF_HASHES: Record<string, string> = {
  [HMAC_WITH_SHA1]: 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

/** PBES2 encryption schemes by OID, as Node cipher names with their key length in bytes. */
const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24 },
};

/**
 * PKCS#12 password-based encryption schemes (RFC 7292, appendix C). RC2 runs on node-forge
 * because Node 20 builds of OpenSSL 3 offer RC2 only through the legacy provider. The RC4
 * schemes have neither implementation and are rejected.
 */
const PKCS12_PBE_CIPHERS: Record<
  string,
  { name: string; cipher: 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2' | undefined; keyLength: number }
> = {
  '1.2.840.113549.1.12.1.1': { name: 'pbeWithSHAAnd128BitRC4', cipher: undefined, keyLength: 16 },
  '1.2.840.113549.1.12.1.2': { name: 'pbeWithSHAAnd40BitRC4', cipher: undefined, keyLength: 5 },
  '1.2.840.113549.1.12.1.3': {
    name: 'pbeWithSHAAnd3-KeyTripleDES-CBC',
    cipher: 'des-ede3-cbc',
    keyLength: 24,
  },
  '1.2.840.113549.1.12.1.4': {
    name: 'pbeWithSHAAnd2-KeyTripleDES-CBC',
    cipher: 'des-ede-cbc',
    keyLength: 16,
  },
  '1.2.840.113549.1.12.1.5': { name: 'pbeWithSHAAnd128BitRC2-CBC', cipher: 'rc2', keyLength: 16 },
  '1.2.840.113549.1.12.1.6': { name: 'pbeWithSHAAnd40BitRC2-CBC', cipher: 'rc2', keyLength: 5 },
};

/**
 * PKCS#12 password. `null` is OpenSSL's absent password, which differs from the empty string
 * in the PKCS#12 key derivation: no bytes instead of the BMPString terminator 0x0000.
 */
export type Pkcs12Password = string | null;

/** Raised when a block cipher reports bad padding, which usually means a wrong password. */
export class DecryptionFailedError extends Error {}

/**
 * Verifies the password-based MAC and returns the password form that verified it. Without a
 * MAC there is nothing to verify, so the given password is returned unchecked.
 */
export function verifyPkcs12Mac(
  macDataNode: forge.asn1.Asn1 | undefined,
  authSafeBytes: Buffer,
  password: string | undefined,
): Pkcs12Password {
  if (macDataNode === undefined) {
    // NOTE: a PFX without MacData (`openssl pkcs12 -export -nomac`) has no integrity check.
    return password ?? null;
  }

  // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
  const [digestInfoNode, saltNode, iterationsNode] = sequenceItems(macDataNode, 'MacData');
  const [algorithmNode, digestNode] = sequenceItems(digestInfoNode, 'MAC DigestInfo');
  const [algorithmOidNode] = sequenceItems(algorithmNode, 'MAC algorithm');
  const algorithmOid = oidValue(algorithmOidNode, 'MAC algorithm');
  const hash = DIGEST_ALGORITHMS[algorithmOid];
  if (hash === undefined) {
    const name = algorithmOid === OID.pbmac1 ? 'PBMAC1' : algorithmOid;
    throw new KeyMaterialError(
      `PKCS#12 MAC algorithm ${name} is not supported: re-export the file with a SHA-1 or ` +
        'SHA-2 MAC (`openssl pkcs12 -export -macalg sha256`)',
    );
  }
  const expected = octetStringValue(digestNode, 'MAC digest');
  const salt = octetStringValue(saltNode, 'MAC salt');
  const iterations =
    iterationsNode === undefined ? 1 : integerValue(iterationsNode, 'MAC iterations');

  // OpenSSL accepts an empty password in either form, so both are tried when none is given.
  const candidates: Pkcs12Password[] =
    password === undefined || password === '' ? ['', null] : [password];
  const digestLength = createHash(hash.name).digest().length;
  for (const candidate of candidates) {
    const macKey = derivePkcs12Key(hash, candidate, salt, 3, iterations, digestLength);
    const actual = createHmac(hash.name, macKey).update(authSafeBytes).digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) {
      return candidate;
    }
  }

  if (password === undefined) {
    throw new KeyMaterialError('PKCS#12 data is password-protected: supply the password');
  }
  throw new KeyMaterialError(
    'PKCS#12 password is incorrect or the MAC does not verify: check the password',
  );
}

/** Decrypts with a PBES2 (PBKDF2) or PKCS#12 PBE scheme given by its AlgorithmIdentifier. */
export function decryptWithPassword(
  algorithmNode: forge.asn1.Asn1,
  ciphertext: Buffer,
  password: Pkcs12Password,
  protectedItem: string,
): Buffer {
  const [oidNode, paramsNode] = sequenceItems(algorithmNode, `${protectedItem} algorithm`);
  const oid = oidValue(oidNode, `${protectedItem} algorithm`);

  if (oid === OID.pbes2) {
    return decryptPbes2(paramsNode, ciphertext, password, protectedItem);
  }

  const scheme = PKCS12_PBE_CIPHERS[oid];
  if (scheme === undefined || scheme.cipher === undefined) {
    const name = scheme?.name ?? oid;
    throw new KeyMaterialError(
      `Encryption algorithm ${name} of the PKCS#12 ${protectedItem} is not supported: ` +
        're-export the file with AES (`openssl pkcs12 -export` without -legacy)',
    );
  }

  // pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
  const [saltNode, iterationsNode] = sequenceItems(paramsNode, `${protectedItem} PBE parameters`);
  const salt = octetStringValue(saltNode, 'PBE salt');
  const iterations = integerValue(iterationsNode, 'PBE iterations');
  const sha1 = DIGEST_ALGORITHMS['1.3.14.3.2.26'];
  const key = derivePkcs12Key(sha1, password, salt, 1, iterations, scheme.keyLength);
  const iv = derivePkcs12Key(sha1, password, salt, 2, iterations, 8);

  if (scheme.cipher === 'rc2') {
    return decryptRc2(key, iv, ciphertext);
  }
  return decipher(scheme.cipher, key, iv, ciphertext);
}

/**
 * Decrypts PBES2 (RFC 8018, section 6.2) with PBKDF2. PBES2 takes the password as UTF-8 bytes,
 * unlike the BMPString of the PKCS#12 schemes.
 */
function decryptPbes2(
  paramsNode: forge.asn1.Asn1 | undefined,
  ciphertext: Buffer,
  password: Pkcs12Password,
  protectedItem: string,
): Buffer {
  // PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier,
  //   encryptionScheme AlgorithmIdentifier }
  const [kdfNode, schemeNode] = sequenceItems(paramsNode, `${protectedItem} PBES2 parameters`);
  const [kdfOidNode, kdfParamsNode] = sequenceItems(kdfNode, 'PBES2 key derivation function');
  const kdfOid = oidValue(kdfOidNode, 'PBES2 key derivation function');
  if (kdfOid !== OID.pbkdf2) {
    throw new KeyMaterialError(
      `Key derivation function ${kdfOid} of the PKCS#12 ${protectedItem} is not supported: ` +
        're-export the file with PBKDF2 (`openssl pkcs12 -export`)',
    );
  }

  // PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER,
  //   keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
  const kdfParams = sequenceItems(kdfParamsNode, 'PBKDF2 parameters');
  const salt = octetStringValue(kdfParams[0], 'PBKDF2 salt');
  const iterations = integerValue(kdfParams[1], 'PBKDF2 iterations');
  const prfNode = kdfParams
    .slice(2)
    .find(
      (node) =>
        node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.SEQUENCE,
    );
  const prfOid =
    prfNode === undefined
      ? HMAC_WITH_SHA1
      : oidValue(sequenceItems(prfNode, 'PBKDF2 PRF')[0], 'PBKDF2 PRF');
  const prfHash = PBKDF2_PRF_HASHES[prfOid];

  const [cipherOidNode, ivNode] = sequenceItems(schemeNode, 'PBES2 encryption scheme');
  const cipherOid = oidValue(cipherOidNode, 'PBES2 encryption scheme');
  const cipher = PBES2_CIPHERS[cipherOid];
  if (prfHash === undefined || cipher === undefined) {
    const unsupported = prfHash === undefined ? `PBKDF2 PRF ${prfOid}` : `Cipher ${cipherOid}`;
    throw new KeyMaterialError(
      `${unsupported} of the PKCS#12 ${protectedItem} is not supported: ` +
        're-export the file with AES-256-CBC and HMAC-SHA-256 (`openssl pkcs12 -export`)',
    );
  }

  const iv = octetStringValue(ivNode, 'PBES2 IV');
  const passwordBytes = Buffer.from(password ?? '', 'utf8');
  const key = pbkdf2Sync(passwordBytes, salt, iterations, cipher.keyLength, prfHash);
  return decipher(cipher.cipher, key, iv, ciphertext);
}

function decipher(cipherName: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  try {
    const decipherer = createDecipheriv(cipherName, key, iv);
    return Buffer.concat([decipherer.update(ciphertext), decipherer.final()]);
  } catch (error) {
    throw new DecryptionFailedError(`${cipherName} decryption failed`, { cause: error });
  }
}

function decryptRc2(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  const rc2 = forge.rc2.createDecryptionCipher(key.toString('binary'), key.length * 8);
  rc2.start(iv.toString('binary'));
  rc2.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!rc2.finish()) {
    throw new DecryptionFailedError('RC2 decryption failed');
  }
  return Buffer.from(rc2.output.getBytes(), 'binary');
}

/**
 * Derives `length` bytes with the PKCS#12 key derivation function (RFC 7292, appendix B.2).
 * `id` is 1 for a cipher key, 2 for an IV and 3 for a MAC key.
 */
function derivePkcs12Key(
  hash: HashAlgorithm,
  password: Pkcs12Password,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const v = hash.blockSize;
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([repeatToBlocks(salt, v), repeatToBlocks(bmpPassword(password), v)]);

  const output: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let digest = createHash(hash.name).update(diversifier).update(input).digest();
    for (let round = 1; round < iterations; round++) {
      digest = createHash(hash.name).update(digest).digest();
    }
    output.push(digest);
    produced += digest.length;
    if (produced >= length) {
      break;
    }

    // Each v-byte block I_j of the input becomes (I_j + B + 1) mod 2^(8v), where B repeats the
    // digest to v bytes.
    const b = repeatToBlocks(digest, v).subarray(0, v);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[offset + k] + b[k] + carry;
        input[offset + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(output).subarray(0, length);
}

/** Repeats `data` to the next multiple of `blockSize` bytes. Empty data stays empty. */
function repeatToBlocks(data: Buffer, blockSize: number): Buffer {
  if (data.length === 0) {
    return data;
  }
  const result = Buffer.alloc(blockSize * Math.ceil(data.length / blockSize));
  for (let offset = 0; offset < result.length; offset += data.length) {
    data.copy(result, offset);
  }
  return result;
}

/** Encodes a password as a BMPString (UTF-16BE) with a 0x0000 terminator, as RFC 7292 requires. */
function bmpPassword(password: Pkcs12Password): Buffer {
  if (password === null) {
    return Buffer.alloc(0);
  }
  const bytes = Buffer.from(`${password}\u0000`, 'utf16le');
  return bytes.swap16();
}
