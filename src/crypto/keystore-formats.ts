/**
 * Reading of certificates and private keys from PEM, DER, PKCS#12 and JKS data. This module is
 * the public API and detects the format. The reader of each format is in `keystore/`.
 */
import { extname } from 'node:path';
import { readJks } from './keystore/jks.js';
import {
  ACCEPTED_FORMATS,
  KeyMaterialError,
  type KeyMaterialEntry,
  type KeyMaterialFormat,
  type ReadKeyMaterialOptions,
} from './keystore/key-material.js';
import { readDer, readPem } from './keystore/pem-der.js';
import { readPkcs12 } from './keystore/pkcs12.js';

export { KeyMaterialError } from './keystore/key-material.js';
export type {
  KeyMaterialEntry,
  KeyMaterialFormat,
  ReadKeyMaterialOptions,
} from './keystore/key-material.js';

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
