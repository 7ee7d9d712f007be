/** Object identifiers and ASN.1 helpers over node-forge's parser for the PKCS#12 reader. */
import forge from 'node-forge';
import { KeyMaterialError } from './key-material.js';

/** Object identifiers from PKCS#5 (RFC 8018), PKCS#7, PKCS#9 and PKCS#12, and Java's trust mark. */
export const OID = {
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

/** Creates the error for a PKCS#12 structure that breaks the ASN.1 definitions of RFC 7292. */
export function malformedPkcs12(detail: string): KeyMaterialError {
  return new KeyMaterialError(
    `PKCS#12 data is malformed (${detail}): check that the file is complete and is a PKCS#12 file`,
  );
}

/** Parses DER or BER bytes with node-forge, naming `field` when they are not valid ASN.1. */
export function parseAsn1(bytes: Buffer, field: string): forge.asn1.Asn1 {
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
export function sequenceItems(node: forge.asn1.Asn1 | undefined, field: string): forge.asn1.Asn1[] {
  if (node === undefined || !node.constructed || !Array.isArray(node.value)) {
    throw malformedPkcs12(`${field} is missing or not a SEQUENCE or SET`);
  }
  return node.value;
}

/** Returns the single child of an `[n] EXPLICIT` node. */
export function explicitContent(node: forge.asn1.Asn1 | undefined, field: string): forge.asn1.Asn1 {
  const [child] = sequenceItems(node, field);
  if (child === undefined || node?.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC) {
    throw malformedPkcs12(`${field} is not an explicitly tagged value`);
  }
  return child;
}

/** Reads `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }`. */
export function readContentInfo(
  node: forge.asn1.Asn1,
  field: string,
): { contentType: string; content: forge.asn1.Asn1 | undefined } {
  const [typeNode, wrapper] = sequenceItems(node, field);
  const contentType = oidValue(typeNode, `${field} content type`);
  const content = wrapper === undefined ? undefined : explicitContent(wrapper, `${field} content`);
  return { contentType, content };
}

/** Returns an OBJECT IDENTIFIER in dotted form. */
export function oidValue(node: forge.asn1.Asn1 | undefined, field: string): string {
  if (node?.type !== forge.asn1.Type.OID || typeof node.value !== 'string') {
    throw malformedPkcs12(`${field} is not an OBJECT IDENTIFIER`);
  }
  return forge.asn1.derToOid(node.value);
}

/**
 * Returns the bytes of an OCTET STRING, joining the segments of the BER constructed form.
 * With `implicitTag`, any tag is accepted, for `[0] IMPLICIT OCTET STRING` fields.
 */
export function octetStringValue(
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
export function integerValue(node: forge.asn1.Asn1 | undefined, field: string): number {
  if (node?.type !== forge.asn1.Type.INTEGER || typeof node.value !== 'string') {
    throw malformedPkcs12(`${field} is not an INTEGER`);
  }
  const bytes = Buffer.from(node.value, 'binary');
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0] & 0x80) !== 0) {
    throw malformedPkcs12(`${field} is out of range`);
  }
  return bytes.readUIntBE(0, bytes.length);
}
