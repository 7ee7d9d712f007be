/** Reader of PKCS#12 files (RFC 7292), built on node-forge's ASN.1 parser. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import {
  assembleEntries,
  deduplicateCertificates,
  keyMatchesCertificate,
  type KeyPairing,
} from './chain.js';
import { KeyMaterialError, type KeyMaterialEntry } from './key-material.js';
import {
  explicitContent,
  integerValue,
  malformedPkcs12,
  OID,
  octetStringValue,
  oidValue,
  parseAsn1,
  readContentInfo,
  sequenceItems,
} from './pkcs12-asn1.js';
import {
  DecryptionFailedError,
  decryptWithPassword,
  verifyPkcs12Mac,
  type Pkcs12Password,
} from './pkcs12-crypto.js';

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

/**
 * Reads a PKCS#12 PFX: checks its MAC when it has one, decrypts its SafeContents and key bags,
 * and pairs each key with its certificate.
 */
export function readPkcs12(
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
