import {
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  pbkdf2Sync,
  timingSafeEqual,
  X509Certificate,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { extname } from 'node:path';
import jks from 'jks-js';
import forge from 'node-forge';

/** File format of certificates and private keys that {@link readKeyMaterial} accepts. */
export type KeyMaterialFormat = 'pem' | 'der' | 'pkcs12' | 'jks';

/** One certificate, with its chain and private key for key entries, read from key material. */
export interface KeyMaterialEntry {
  /** JKS alias or PKCS#12 friendlyName, when the file stores one. */
  alias?: string;
  /** End-entity certificate, or the trusted certificate of a trusted-certificate entry. */
  certificate: X509Certificate;
  /** Rest of the chain with the issuer of `certificate` first, possibly empty. */
  chain: X509Certificate[];
  /** Private key of `certificate`, present for key entries only. */
  privateKey?: KeyObject;
}

/** Options for {@link readKeyMaterial}. */
export interface ReadKeyMaterialOptions {
  /** Format to read. When absent, it is detected from the content and then the file name. */
  format?: KeyMaterialFormat;
  /** PKCS#12 or JKS store password, or the password of an encrypted PEM private key. */
  password?: string;
  /** Password of JKS or PKCS#12 private keys when it differs from `password`. */
  keyPassword?: string;
  /** File name, used only to detect the format from its extension. */
  fileName?: string;
}

/** Error raised for unreadable key material. Its message names the problem and the fix. */
export class KeyMaterialError extends Error {
  override readonly name = 'KeyMaterialError';

  /** Creates the error. `options.cause` carries the underlying library error, if any. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

const ACCEPTED_FORMATS = 'PEM, DER (one X.509 certificate), PKCS#12 (.p12, .pfx) or JKS';

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

const FORMAT_BY_EXTENSION: Record<string, KeyMaterialFormat> = {
  '.pem': 'pem',
  '.key': 'pem',
  '.der': 'der',
  '.cer': 'der',
  '.crt': 'der',
  '.p12': 'pkcs12',
  '.pfx': 'pkcs12',
  '.jks': 'jks',
  '.keystore': 'jks',
  '.truststore': 'jks',
};

/**
 * Detects the format of key material from its content, falling back to the file extension.
 *
 * JKS is recognised by the magic number 0xFEEDFEED, PKCS#12 by a DER SEQUENCE whose first
 * element is INTEGER 3, DER by any other DER SEQUENCE that spans the whole data, and PEM by a
 * `-----BEGIN ` line. A PKCS#12 file named `.jks` is therefore reported as `pkcs12`.
 */
export function detectFormat(data: Buffer, fileName?: string): KeyMaterialFormat {
  if (data.length >= 4 && data.readUInt32BE(0) === JKS_MAGIC) {
    return 'jks';
  }
  if (data.length >= 4 && data.readUInt32BE(0) === JCEKS_MAGIC) {
    throw new KeyMaterialError(
      'JCEKS key stores are not supported: convert the store with ' +
        '`keytool -importkeystore -srcstoretype JCEKS -deststoretype PKCS12`',
    );
  }

  const derKind = classifyDer(data);
  if (derKind === 'pfx') {
    return 'pkcs12';
  }
  if (derKind === 'sequence') {
    return 'der';
  }

  if (data.toString('latin1').includes('-----BEGIN ')) {
    return 'pem';
  }

  const extension = fileName === undefined ? '' : extname(fileName).toLowerCase();
  const formatByExtension = FORMAT_BY_EXTENSION[extension];
  if (formatByExtension !== undefined) {
    return formatByExtension;
  }

  const source = fileName === undefined ? 'key material' : `key material in ${fileName}`;
  throw new KeyMaterialError(
    `Unrecognised format of ${source}: expected ${ACCEPTED_FORMATS}. ` +
      'Set the format explicitly or convert the file to one of these',
  );
}

/**
 * Reads the certificates and private keys in PEM, DER, PKCS#12 or JKS data.
 *
 * Each private key is paired with the certificate whose public key matches, and its chain is
 * built from the other certificates by issuer and signature. Certificates that are neither an
 * end-entity certificate nor part of a chain become trusted-certificate entries, one each.
 * Key entries come first. A `format` of `jks` is read as PKCS#12 when the content is a PKCS#12
 * PFX, because keytool has created PKCS12 stores by default since Java 9.
 *
 * @throws KeyMaterialError when the data cannot be read. Its message names the fix.
 */
export function readKeyMaterial(
  data: Buffer,
  options: ReadKeyMaterialOptions = {},
): KeyMaterialEntry[] {
  const format = resolveFormat(data, options);
  switch (format) {
    case 'pem':
      return readPem(data, options.password);
    case 'der':
      return readDer(data);
    case 'pkcs12':
      return readPkcs12(data, options.password, options.keyPassword);
    case 'jks':
      return readJks(data, options.password, options.keyPassword);
  }
}

function resolveFormat(data: Buffer, options: ReadKeyMaterialOptions): KeyMaterialFormat {
  const { format } = options;
  if (format === undefined) {
    return detectFormat(data, options.fileName);
  }
  if (!['pem', 'der', 'pkcs12', 'jks'].includes(format)) {
    throw new KeyMaterialError(
      `Unknown key material format "${String(format)}": use pem, der, pkcs12 or jks`,
    );
  }
  if (format === 'jks' && classifyDer(data) === 'pfx') {
    return 'pkcs12';
  }
  return format;
}

/**
 * Classifies data as a PKCS#12 PFX, another DER SEQUENCE that spans the whole data, or neither,
 * by reading only the outer tag and length and the first inner element.
 */
function classifyDer(data: Buffer): 'pfx' | 'sequence' | undefined {
  const outer = readDerHeader(data, 0);
  if (outer === undefined || data[0] !== 0x30) {
    return undefined;
  }
  const definiteAndExact =
    outer.length !== undefined && outer.headerLength + outer.length === data.length;

  // PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
  const first = outer.headerLength;
  const isPfx =
    data.length >= first + 3 &&
    data[first] === 0x02 &&
    data[first + 1] === 0x01 &&
    data[first + 2] === 0x03;
  if (isPfx && (definiteAndExact || outer.length === undefined)) {
    return 'pfx';
  }
  return definiteAndExact ? 'sequence' : undefined;
}

/** Reads a DER tag and length. `length` is undefined for the BER indefinite form. */
function readDerHeader(
  data: Buffer,
  offset: number,
): { headerLength: number; length: number | undefined } | undefined {
  if (data.length < offset + 2) {
    return undefined;
  }
  const firstLengthByte = data[offset + 1];
  if (firstLengthByte < 0x80) {
    return { headerLength: 2, length: firstLengthByte };
  }
  if (firstLengthByte === 0x80) {
    return { headerLength: 2, length: undefined };
  }
  const lengthBytes = firstLengthByte & 0x7f;
  if (lengthBytes > 4 || data.length < offset + 2 + lengthBytes) {
    return undefined;
  }
  return {
    headerLength: 2 + lengthBytes,
    length: data.readUIntBE(offset + 2, lengthBytes),
  };
}

// ---------------------------------------------------------------------------------------------
// Shared entry assembly
// ---------------------------------------------------------------------------------------------

interface KeyPairing {
  alias?: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
}

interface CandidateCertificate {
  alias?: string;
  certificate: X509Certificate;
  /** Marked as a trust anchor by the store, so it becomes an entry even when it is in a chain. */
  trusted: boolean;
}

/**
 * Builds key entries with their chains from `others`, then turns every certificate in `others`
 * that is marked trusted or is in no chain into a trusted-certificate entry.
 */
function assembleEntries(
  pairings: KeyPairing[],
  others: CandidateCertificate[],
): KeyMaterialEntry[] {
  const pool = others.map((candidate) => candidate.certificate);
  const inChain = new Set<X509Certificate>();

  const keyEntries = pairings.map((pairing): KeyMaterialEntry => {
    const chain = buildChain(pairing.certificate, pool);
    chain.forEach((certificate) => inChain.add(certificate));
    return withAlias(pairing.alias, {
      certificate: pairing.certificate,
      chain,
      privateKey: pairing.privateKey,
    });
  });

  const trustedEntries = others
    .filter((candidate) => candidate.trusted || !inChain.has(candidate.certificate))
    .map((candidate) =>
      withAlias(candidate.alias, { certificate: candidate.certificate, chain: [] }),
    );

  return [...keyEntries, ...trustedEntries];
}

/** Follows issuers from `leaf` through `candidates` until a self-issued certificate or a gap. */
function buildChain(leaf: X509Certificate, candidates: X509Certificate[]): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let current = leaf;
  while (!isIssuedBy(current, current)) {
    const issuer = candidates.find(
      (candidate) =>
        candidate !== leaf && !chain.includes(candidate) && isIssuedBy(current, candidate),
    );
    if (issuer === undefined) {
      break;
    }
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}

/** Checks names and key identifiers with OpenSSL's X509_check_issued, then the signature. */
function isIssuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function keyMatchesCertificate(privateKey: KeyObject, certificate: X509Certificate): boolean {
  try {
    return certificate.checkPrivateKey(privateKey);
  } catch {
    return false;
  }
}

/** Removes repeated certificates, keeping the first copy's alias and any copy's trusted mark. */
function deduplicateCertificates(candidates: CandidateCertificate[]): CandidateCertificate[] {
  const unique: CandidateCertificate[] = [];
  for (const candidate of candidates) {
    const existing = unique.find((other) =>
      other.certificate.raw.equals(candidate.certificate.raw),
    );
    if (existing === undefined) {
      unique.push({ ...candidate });
    } else {
      existing.alias ??= candidate.alias;
      existing.trusted ||= candidate.trusted;
    }
  }
  return unique;
}

function withAlias(alias: string | undefined, entry: KeyMaterialEntry): KeyMaterialEntry {
  return alias === undefined ? entry : { alias, ...entry };
}

// ---------------------------------------------------------------------------------------------
// PEM and DER
// ---------------------------------------------------------------------------------------------

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PEM_CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

/**
 * Reads CERTIFICATE blocks and at most one private key block. Blocks with other labels, such
 * as EC PARAMETERS or CERTIFICATE REQUEST, are ignored.
 */
function readPem(data: Buffer, password: string | undefined): KeyMaterialEntry[] {
  const text = data.toString('utf8');
  const certificates: X509Certificate[] = [];
  const keyBlocks: { label: string; block: string }[] = [];

  for (const match of text.matchAll(PEM_BLOCK)) {
    const [block, label] = match;
    if (PEM_CERTIFICATE_LABELS.has(label)) {
      certificates.push(parsePemCertificate(block, certificates.length + 1));
    } else if (label.endsWith('PRIVATE KEY')) {
      keyBlocks.push({ label, block });
    }
  }

  if (keyBlocks.length > 1) {
    throw new KeyMaterialError(
      `PEM data contains ${keyBlocks.length} private keys but at most one is supported: ` +
        'split it into one file per key',
    );
  }
  if (certificates.length === 0) {
    throw new KeyMaterialError(
      keyBlocks.length === 1
        ? 'PEM data contains a private key but no certificate: ' +
            'add the certificate issued for this key'
        : 'No certificate found in PEM data: ' +
            'expected at least one -----BEGIN CERTIFICATE----- block',
    );
  }

  const candidates = deduplicateCertificates(
    certificates.map((certificate) => ({ certificate, trusted: false })),
  );
  if (keyBlocks.length === 0) {
    return assembleEntries([], candidates);
  }

  const privateKey = parsePemPrivateKey(keyBlocks[0].label, keyBlocks[0].block, password);
  const leaf = candidates.find((candidate) =>
    keyMatchesCertificate(privateKey, candidate.certificate),
  );
  if (leaf === undefined) {
    throw new KeyMaterialError(
      'PEM private key does not match any certificate in the PEM data: ' +
        'add the certificate issued for this key',
    );
  }
  return assembleEntries(
    [{ privateKey, certificate: leaf.certificate }],
    candidates.filter((candidate) => candidate !== leaf),
  );
}

function parsePemCertificate(block: string, position: number): X509Certificate {
  try {
    return new X509Certificate(block);
  } catch (error) {
    throw new KeyMaterialError(
      `PEM certificate block ${position} is not a valid X.509 certificate: replace or remove it`,
      { cause: error },
    );
  }
}

function parsePemPrivateKey(
  label: string,
  block: string,
  password: string | undefined,
): KeyObject {
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block);
  if (encrypted && password === undefined) {
    throw new KeyMaterialError('PEM private key is encrypted: supply its password');
  }
  try {
    return createPrivateKey({ key: block, format: 'pem', passphrase: password });
  } catch (error) {
    if (encrypted) {
      throw new KeyMaterialError('PEM private key could not be decrypted: check the password', {
        cause: error,
      });
    }
    throw new KeyMaterialError(
      `PEM ${label} block is invalid or uses an unsupported algorithm: ` +
        'export the key as PKCS#8 (`openssl pkcs8 -topk8`)',
      { cause: error },
    );
  }
}

function readDer(data: Buffer): KeyMaterialEntry[] {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(data);
  } catch (error) {
    if (isPrivateKeyDer(data)) {
      throw new KeyMaterialError(
        'DER data contains a private key but no certificate: supply the certificate too, ' +
          'for example as a PEM file with both blocks or as a PKCS#12 file',
      );
    }
    throw new KeyMaterialError(
      'DER data is not an X.509 certificate: supply one DER-encoded certificate, ' +
        `or use another format (${ACCEPTED_FORMATS})`,
      { cause: error },
    );
  }
  return [{ certificate, chain: [] }];
}

function isPrivateKeyDer(data: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: data, format: 'der', type });
      return true;
    } catch (error) {
      // Node reports an encrypted PKCS#8 key without a passphrase as ERR_MISSING_PASSPHRASE.
      if ((error as { code?: unknown }).code === 'ERR_MISSING_PASSPHRASE') {
        return true;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// PKCS#12 (RFC 7292)
// ---------------------------------------------------------------------------------------------

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  // Oracle's "trusted key usage" attribute, which Java's PKCS12KeyStore sets on trustedCertEntry
  // certificates.
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
} as const;

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
type Pkcs12Password = string | null;

/** Raised when a block cipher reports bad padding, which usually means a wrong password. */
class DecryptionFailedError extends Error {}

interface Pkcs12Attributes {
  friendlyName?: string;
  localKeyId?: Buffer;
  javaTrusted: boolean;
}

interface Pkcs12KeyBag extends Pkcs12Attributes {
  privateKey: KeyObject;
}

interface Pkcs12CertificateBag extends Pkcs12Attributes {
  certificate: X509Certificate;
}

interface Pkcs12Bags {
  keys: Pkcs12KeyBag[];
  certificates: Pkcs12CertificateBag[];
}

function readPkcs12(
  data: Buffer,
  password: string | undefined,
  keyPassword: string | undefined,
): KeyMaterialEntry[] {
  const pfx = parseAsn1(data, 'PKCS#12 data');
  const [versionNode, authSafeNode, macDataNode] = sequenceItems(pfx, 'PFX');
  if (integerValue(versionNode, 'PFX version') !== 3) {
    throw malformedPkcs12('PFX version is not 3');
  }

  const authSafe = readContentInfo(authSafeNode, 'authSafe');
  if (authSafe.contentType === OID.signedData) {
    throw new KeyMaterialError(
      'PKCS#12 data uses public-key integrity mode (signedData), which is not supported: ' +
        're-export it with a password (`openssl pkcs12 -export`)',
    );
  }
  if (authSafe.contentType !== OID.data || authSafe.content === undefined) {
    throw malformedPkcs12('authSafe is not a PKCS#7 data content');
  }
  const authSafeBytes = octetStringValue(authSafe.content, 'authSafe content');

  const storePassword = verifyPkcs12Mac(macDataNode, authSafeBytes, password);
  const bags: Pkcs12Bags = { keys: [], certificates: [] };
  readAuthenticatedSafe(authSafeBytes, storePassword, keyPassword ?? storePassword, bags);
  return assemblePkcs12Entries(bags);
}

/**
 * Verifies the password-based MAC and returns the password form that verified it. Without a
 * MAC there is nothing to verify, so the given password is returned unchecked.
 */
function verifyPkcs12Mac(
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

/** Reads `AuthenticatedSafe ::= SEQUENCE OF ContentInfo` and collects the bags in `bags`. */
function readAuthenticatedSafe(
  authSafeBytes: Buffer,
  storePassword: Pkcs12Password,
  keyPassword: Pkcs12Password,
  bags: Pkcs12Bags,
): void {
  const authSafe = parseAsn1(authSafeBytes, 'PKCS#12 AuthenticatedSafe');
  const contentInfos = sequenceItems(authSafe, 'AuthenticatedSafe');
  for (const contentInfoNode of contentInfos) {
    const { contentType, content } = readContentInfo(contentInfoNode, 'AuthenticatedSafe item');
    if (content === undefined) {
      continue;
    }
    if (contentType === OID.data) {
      const safeContents = octetStringValue(content, 'SafeContents data');
      readSafeContents(parseAsn1(safeContents, 'PKCS#12 SafeContents'), keyPassword, bags);
    } else if (contentType === OID.encryptedData) {
      const safeContents = decryptEncryptedData(content, storePassword);
      readSafeContents(parseAsn1(safeContents, 'PKCS#12 SafeContents'), keyPassword, bags);
    } else if (contentType === OID.envelopedData) {
      throw new KeyMaterialError(
        'PKCS#12 data uses public-key privacy mode (envelopedData), which is not supported: ' +
          're-export it with password-based encryption (`openssl pkcs12 -export`)',
      );
    } else {
      throw malformedPkcs12(`AuthenticatedSafe contains unknown content type ${contentType}`);
    }
  }
}

/**
 * Decrypts `EncryptedData ::= SEQUENCE { version, EncryptedContentInfo }`, where
 * `EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm,
 * encryptedContent [0] IMPLICIT OCTET STRING }`.
 */
function decryptEncryptedData(node: forge.asn1.Asn1, password: Pkcs12Password): Buffer {
  const [, encryptedContentInfoNode] = sequenceItems(node, 'EncryptedData');
  const [, algorithmNode, encryptedContentNode] = sequenceItems(
    encryptedContentInfoNode,
    'EncryptedContentInfo',
  );
  if (encryptedContentNode === undefined) {
    return Buffer.alloc(0);
  }
  const ciphertext = octetStringValue(encryptedContentNode, 'encrypted content', true);
  try {
    return decryptWithPassword(algorithmNode, ciphertext, password, 'SafeContents');
  } catch (error) {
    if (error instanceof DecryptionFailedError) {
      throw new KeyMaterialError(
        'PKCS#12 SafeContents could not be decrypted: check the password',
        { cause: error },
      );
    }
    throw error;
  }
}

/** Reads `SafeContents ::= SEQUENCE OF SafeBag`; CRL and secret bags are skipped. */
function readSafeContents(
  node: forge.asn1.Asn1,
  keyPassword: Pkcs12Password,
  bags: Pkcs12Bags,
): void {
  for (const safeBagNode of sequenceItems(node, 'SafeContents')) {
    // SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OPTIONAL }
    const [bagIdNode, bagValueWrapper, attributesNode] = sequenceItems(safeBagNode, 'SafeBag');
    const bagId = oidValue(bagIdNode, 'SafeBag type');
    const bagValue = explicitContent(bagValueWrapper, 'SafeBag value');
    const attributes = readBagAttributes(attributesNode);

    if (bagId === OID.keyBag) {
      const privateKeyInfo = Buffer.from(forge.asn1.toDer(bagValue).getBytes(), 'binary');
      bags.keys.push({ ...attributes, privateKey: parsePkcs8(privateKeyInfo, attributes) });
    } else if (bagId === OID.pkcs8ShroudedKeyBag) {
      const privateKeyInfo = decryptShroudedKey(bagValue, keyPassword, attributes);
      bags.keys.push({ ...attributes, privateKey: parsePkcs8(privateKeyInfo, attributes) });
    } else if (bagId === OID.certBag) {
      // CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING }
      const [certIdNode, certValueWrapper] = sequenceItems(bagValue, 'CertBag');
      if (oidValue(certIdNode, 'CertBag type') !== OID.x509Certificate) {
        continue;
      }
      const certValue = explicitContent(certValueWrapper, 'CertBag value');
      const der = octetStringValue(certValue, 'certificate');
      bags.certificates.push({ ...attributes, certificate: parsePkcs12Certificate(der) });
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(bagValue, keyPassword, bags);
    }
  }
}

/** Decrypts `EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }`. */
function decryptShroudedKey(
  node: forge.asn1.Asn1,
  keyPassword: Pkcs12Password,
  attributes: Pkcs12Attributes,
): Buffer {
  const [algorithmNode, encryptedDataNode] = sequenceItems(node, 'EncryptedPrivateKeyInfo');
  const ciphertext = octetStringValue(encryptedDataNode, 'encrypted private key');
  try {
    return decryptWithPassword(algorithmNode, ciphertext, keyPassword, 'private key');
  } catch (error) {
    if (error instanceof DecryptionFailedError) {
      throw keyDecryptionError(attributes, error);
    }
    throw error;
  }
}

function parsePkcs8(privateKeyInfo: Buffer, attributes: Pkcs12Attributes): KeyObject {
  try {
    return createPrivateKey({ key: privateKeyInfo, format: 'der', type: 'pkcs8' });
  } catch (error) {
    // Decryption with a wrong key password passes the padding check about once in 256 tries.
    throw keyDecryptionError(attributes, error);
  }
}

function keyDecryptionError(attributes: Pkcs12Attributes, cause: unknown): KeyMaterialError {
  const alias = attributes.friendlyName === undefined ? '' : ` "${attributes.friendlyName}"`;
  return new KeyMaterialError(
    `PKCS#12 private key${alias} could not be decrypted or parsed: check the password, ` +
      'or supply keyPassword if the key has its own password',
    { cause },
  );
}

function parsePkcs12Certificate(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new KeyMaterialError(
      'PKCS#12 certificate bag does not contain a valid X.509 certificate: re-export the file',
      { cause: error },
    );
  }
}

/** Reads friendlyName (BMPString), localKeyId and Java's trusted-certificate mark. */
function readBagAttributes(node: forge.asn1.Asn1 | undefined): Pkcs12Attributes {
  const attributes: Pkcs12Attributes = { javaTrusted: false };
  if (node === undefined) {
    return attributes;
  }
  for (const attributeNode of sequenceItems(node, 'bag attributes')) {
    // Attribute ::= SEQUENCE { attrId OID, attrValues SET OF ANY }
    const [idNode, valuesNode] = sequenceItems(attributeNode, 'bag attribute');
    const id = oidValue(idNode, 'bag attribute type');
    const [firstValue] = sequenceItems(valuesNode, 'bag attribute values');
    if (id === OID.friendlyName && firstValue !== undefined) {
      attributes.friendlyName = decodeFriendlyName(firstValue);
    } else if (id === OID.localKeyId && firstValue !== undefined) {
      attributes.localKeyId = octetStringValue(firstValue, 'localKeyId');
    } else if (id === OID.javaTrustedKeyUsage) {
      attributes.javaTrusted = true;
    }
  }
  return attributes;
}

/**
 * Pairs each key with the certificate of the same localKeyId, or else with the first
 * certificate whose public key matches, and assembles the entries.
 */
function assemblePkcs12Entries(bags: Pkcs12Bags): KeyMaterialEntry[] {
  const certificates = bags.certificates;
  const endEntities = new Set<Pkcs12CertificateBag>();

  const pairings = bags.keys.map((key): KeyPairing => {
    const keyId = key.localKeyId;
    const byKeyId =
      keyId === undefined
        ? undefined
        : certificates.find((bag) => bag.localKeyId?.equals(keyId) === true);
    const match =
      byKeyId ??
      certificates.find(
        (bag) => !endEntities.has(bag) && keyMatchesCertificate(key.privateKey, bag.certificate),
      );
    const alias = key.friendlyName === undefined ? '' : ` "${key.friendlyName}"`;
    if (match === undefined) {
      throw new KeyMaterialError(
        `PKCS#12 private key${alias} has no matching certificate: re-export the file ` +
          'with the certificate (`openssl pkcs12 -export -in cert.pem -inkey key.pem`)',
      );
    }
    if (!keyMatchesCertificate(key.privateKey, match.certificate)) {
      throw new KeyMaterialError(
        `PKCS#12 private key${alias} does not match the certificate with its localKeyId: ` +
          're-export the file with the matching certificate',
      );
    }
    endEntities.add(match);
    return {
      alias: key.friendlyName ?? match.friendlyName,
      privateKey: key.privateKey,
      certificate: match.certificate,
    };
  });

  const others = deduplicateCertificates(
    certificates
      .filter((bag) => !endEntities.has(bag))
      .map((bag) => ({
        alias: bag.friendlyName,
        certificate: bag.certificate,
        trusted: bag.javaTrusted,
      })),
  );
  if (pairings.length === 0 && others.length === 0) {
    throw new KeyMaterialError(
      'No certificate found in PKCS#12 data: re-export the file with its certificates',
    );
  }
  return assembleEntries(pairings, others);
}

/** Decrypts with a PBES2 (PBKDF2) or PKCS#12 PBE scheme given by its AlgorithmIdentifier. */
function decryptWithPassword(
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

/** Decodes friendlyName, which RFC 7292 defines as a BMPString. UTF8String is also accepted. */
function decodeFriendlyName(node: forge.asn1.Asn1): string | undefined {
  if (typeof node.value !== 'string') {
    return undefined;
  }
  // node-forge decodes BMPString values to JavaScript strings while parsing.
  if (node.type === forge.asn1.Type.BMPSTRING) {
    return node.value;
  }
  return Buffer.from(node.value, 'binary').toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// ASN.1 helpers over node-forge's parser
// ---------------------------------------------------------------------------------------------

function malformedPkcs12(detail: string): KeyMaterialError {
  return new KeyMaterialError(
    `PKCS#12 data is malformed (${detail}): check that the file is complete and is a PKCS#12 file`,
  );
}

function parseAsn1(bytes: Buffer, field: string): forge.asn1.Asn1 {
  try {
    return forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')), true);
  } catch (error) {
    throw new KeyMaterialError(
      `${field} is not valid ASN.1: check that the file is complete and is a PKCS#12 file`,
      { cause: error },
    );
  }
}

/** Returns the children of a constructed node (SEQUENCE, SET or explicit tag). */
function sequenceItems(node: forge.asn1.Asn1 | undefined, field: string): forge.asn1.Asn1[] {
  if (node === undefined || !node.constructed || !Array.isArray(node.value)) {
    throw malformedPkcs12(`${field} is missing or not a SEQUENCE or SET`);
  }
  return node.value;
}

/** Returns the single child of an `[n] EXPLICIT` node. */
function explicitContent(node: forge.asn1.Asn1 | undefined, field: string): forge.asn1.Asn1 {
  const [child] = sequenceItems(node, field);
  if (child === undefined || node?.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC) {
    throw malformedPkcs12(`${field} is not an explicitly tagged value`);
  }
  return child;
}

/** Reads `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }`. */
function readContentInfo(
  node: forge.asn1.Asn1,
  field: string,
): { contentType: string; content: forge.asn1.Asn1 | undefined } {
  const [typeNode, wrapper] = sequenceItems(node, field);
  const contentType = oidValue(typeNode, `${field} content type`);
  const content = wrapper === undefined ? undefined : explicitContent(wrapper, `${field} content`);
  return { contentType, content };
}

function oidValue(node: forge.asn1.Asn1 | undefined, field: string): string {
  if (node?.type !== forge.asn1.Type.OID || typeof node.value !== 'string') {
    throw malformedPkcs12(`${field} is not an OBJECT IDENTIFIER`);
  }
  return forge.asn1.derToOid(node.value);
}

/**
 * Returns the bytes of an OCTET STRING, joining the segments of the BER constructed form.
 * With `implicitTag`, any tag is accepted, for `[0] IMPLICIT OCTET STRING` fields.
 */
function octetStringValue(
  node: forge.asn1.Asn1 | undefined,
  field: string,
  implicitTag = false,
): Buffer {
  const isOctetString =
    node !== undefined &&
    (implicitTag ||
      (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.OCTETSTRING));
  if (!isOctetString) {
    throw malformedPkcs12(`${field} is not an OCTET STRING`);
  }
  if (typeof node.value === 'string') {
    return Buffer.from(node.value, 'binary');
  }
  return Buffer.concat(node.value.map((segment) => octetStringValue(segment, field)));
}

/** Reads a non-negative INTEGER that fits in a JavaScript safe integer. */
function integerValue(node: forge.asn1.Asn1 | undefined, field: string): number {
  if (node?.type !== forge.asn1.Type.INTEGER || typeof node.value !== 'string') {
    throw malformedPkcs12(`${field} is not an INTEGER`);
  }
  const bytes = Buffer.from(node.value, 'binary');
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0] & 0x80) !== 0) {
    throw malformedPkcs12(`${field} is out of range`);
  }
  return bytes.readUIntBE(0, bytes.length);
}

// ---------------------------------------------------------------------------------------------
// JKS
// ---------------------------------------------------------------------------------------------

function readJks(
  data: Buffer,
  password: string | undefined,
  keyPassword: string | undefined,
): KeyMaterialEntry[] {
  // jks-js skips the integrity check when the password is empty, so one is required here.
  if (password === undefined || password === '') {
    throw new KeyMaterialError(
      'JKS key store password is missing: supply the store password, which also verifies ' +
        'the store integrity',
    );
  }

  let storeEntries: ReturnType<typeof jks.parseJks>;
  try {
    storeEntries = jks.parseJks(data, password);
  } catch (error) {
    throw jksStoreError(error);
  }

  const entries: KeyMaterialEntry[] = [];
  for (const storeEntry of storeEntries) {
    if ('protectedPrivateKey' in storeEntry) {
      const [certificate, ...chain] = storeEntry.chain.map((cert) =>
        parseJksCertificate(cert.value, storeEntry.alias),
      );
      if (certificate === undefined) {
        throw new KeyMaterialError(
          `JKS key entry "${storeEntry.alias}" has no certificate chain: re-import the key ` +
            'with its certificate',
        );
      }
      const privateKey = decryptJksKey(
        storeEntry.protectedPrivateKey,
        keyPassword ?? password,
        storeEntry.alias,
      );
      if (!keyMatchesCertificate(privateKey, certificate)) {
        throw new KeyMaterialError(
          `JKS key entry "${storeEntry.alias}" has a private key that does not match its ` +
            'certificate: re-import the key with its certificate',
        );
      }
      entries.push({ alias: storeEntry.alias, certificate, chain, privateKey });
    } else {
      const certificate = parseJksCertificate(storeEntry.cert.value, storeEntry.alias);
      entries.push({ alias: storeEntry.alias, certificate, chain: [] });
    }
  }

  if (entries.length === 0) {
    throw new KeyMaterialError('No certificate found in JKS data: the key store is empty');
  }
  return [
    ...entries.filter((entry) => entry.privateKey !== undefined),
    ...entries.filter((entry) => entry.privateKey === undefined),
  ];
}

/** Maps jks-js errors, which carry no codes, to messages with a fix by their text. */
function jksStoreError(error: unknown): KeyMaterialError {
  const message = error instanceof Error ? error.message : '';
  // NOTE: these texts are those of jks-js 1.1.7 and may change in other versions.
  if (message === 'Password verification failed') {
    return new KeyMaterialError(
      'JKS key store password is incorrect or the key store is corrupted: check the password',
      { cause: error },
    );
  }
  if (message === 'Unrecognized keystore entry') {
    return new KeyMaterialError(
      'JKS data contains an entry type other than PrivateKeyEntry and trustedCertEntry: ' +
        'move secret keys to another store',
      { cause: error },
    );
  }
  return new KeyMaterialError(
    'JKS data is truncated or not a JKS key store: check that the file is complete',
    { cause: error },
  );
}

function decryptJksKey(protectedKey: Buffer, password: string, alias: string): KeyObject {
  let pem: string;
  try {
    pem = jks.decrypt(protectedKey, password);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (message === 'Cannot recover key') {
      throw new KeyMaterialError(
        `JKS key password for alias "${alias}" is incorrect: supply keyPassword when the key ` +
          'password differs from the store password',
        { cause: error },
      );
    }
    throw new KeyMaterialError(
      `JKS private key for alias "${alias}" uses an unsupported protection or key algorithm: ` +
        'convert the store to PKCS#12 (`keytool -importkeystore -deststoretype PKCS12`)',
      { cause: error },
    );
  }
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new KeyMaterialError(
      `JKS private key for alias "${alias}" could not be parsed: convert the store to PKCS#12 ` +
        '(`keytool -importkeystore -deststoretype PKCS12`)',
      { cause: error },
    );
  }
}

function parseJksCertificate(der: Buffer, alias: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new KeyMaterialError(
      `JKS entry "${alias}" does not contain a valid X.509 certificate: re-import it`,
      { cause: error },
    );
  }
}
