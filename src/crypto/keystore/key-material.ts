/**
 * Types and the error of key material reading. They live apart from keystore-formats.ts so
 * that each format reader can import them without importing the format dispatcher.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';

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

/** Formats that {@link readKeyMaterial} reads, as named in error messages. */
export const ACCEPTED_FORMATS = 'PEM, DER (one X.509 certificate), PKCS#12 (.p12, .pfx) or JKS';
