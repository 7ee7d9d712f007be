/**
 * Test certificates and key stores made with openssl and keytool in a temporary directory.
 * Each function takes that directory first and names files relative to it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Minimal `openssl ca` configuration that allows any subject and reuse of subjects. */
const CA_CONFIG = `[ ca ]
default_ca = test_ca

[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no

[ policy_any ]
commonName = supplied
`;

/** Runs openssl with `args` in `dir` and returns its standard output. */
export function runOpenssl(dir: string, ...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
}

/** Runs keytool with `args` in `dir` and returns its standard output. */
export function runKeytool(dir: string, ...args: string[]): string {
  return execFileSync('keytool', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
}

/**
 * Returns the SHA-256 fingerprint of a certificate file as
 * `openssl x509 -noout -fingerprint -sha256` prints it, without the label.
 */
export function opensslFingerprint(
  dir: string,
  name: string,
  inform: 'PEM' | 'DER' = 'PEM',
): string {
  const output = runOpenssl(
    dir,
    'x509',
    '-in',
    name,
    '-inform',
    inform,
    '-noout',
    '-fingerprint',
    '-sha256',
  );
  return output.trim().replace(/^sha256 Fingerprint=/i, '');
}

/** Options of {@link createSelfSigned}. */
export interface SelfSignedOptions {
  /** Validity in days, counted from now. */
  days?: number;
  /** Subject in openssl's `/TYPE=value` form. */
  subject?: string;
}

/**
 * Creates an RSA-2048 key NAME.key without a password and a self-signed certificate NAME.pem
 * signed with SHA-256 by `openssl req -x509`. The subject defaults to CN=NAME, the validity to
 * 365 days.
 */
export function createSelfSigned(
  dir: string,
  name: string,
  { days = 365, subject = `/CN=${name}` }: SelfSignedOptions = {},
): void {
  runOpenssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    String(days),
    '-subj',
    subject,
  );
}

/** Validity dates for `openssl ca`, each in its YYYYMMDDHHMMSSZ form. */
export interface CertificateDates {
  startDate: string;
  endDate: string;
}

/**
 * Creates a key NAME.key and a certificate NAME.pem for CN=NAME with the given dates, which may
 * lie in the past, through `openssl ca`. The certificate is self-signed, or issued by
 * ISSUER.pem with ISSUER.key when `issuer` is given. The first call in `dir` writes the CA
 * files ca.cnf, index.txt and serial.
 */
export function createCertificateWithDates(
  dir: string,
  name: string,
  { startDate, endDate }: CertificateDates,
  issuer?: string,
): void {
  if (!existsSync(path.join(dir, 'ca.cnf'))) {
    writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG);
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'serial'), '01\n');
  }
  runOpenssl(
    dir,
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-subj',
    `/CN=${name}`,
    '-out',
    `${name}.csr`,
  );
  const signer =
    issuer === undefined
      ? ['-selfsign', '-keyfile', `${name}.key`]
      : ['-cert', `${issuer}.pem`, '-keyfile', `${issuer}.key`];
  runOpenssl(
    dir,
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    ...signer,
    '-in',
    `${name}.csr`,
    '-startdate',
    startDate,
    '-enddate',
    endDate,
    '-notext',
    '-out',
    `${name}.pem`,
  );
}

/** Formats a date as `openssl ca -startdate` and `-enddate` expect it (YYYYMMDDHHMMSSZ). */
export function formatCaDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** Options of {@link exportPkcs12}. */
export interface Pkcs12ExportOptions {
  /** Export password. */
  password: string;
  /** friendlyName of the key entry, which keytool and Java show as its alias. */
  friendlyName?: string;
  /** Uses OpenSSL's `-legacy` algorithms, RC2 or 3DES in place of AES-256-CBC. */
  legacy?: boolean;
}

/** Exports NAME.pem with its key NAME.key to NAME.p12 with `openssl pkcs12 -export`. */
export function exportPkcs12(
  dir: string,
  name: string,
  { password, friendlyName, legacy = false }: Pkcs12ExportOptions,
): void {
  runOpenssl(
    dir,
    'pkcs12',
    '-export',
    ...(legacy ? ['-legacy'] : []),
    '-in',
    `${name}.pem`,
    '-inkey',
    `${name}.key`,
    ...(friendlyName === undefined ? [] : ['-name', friendlyName]),
    '-out',
    `${name}.p12`,
    '-passout',
    `pass:${password}`,
  );
}

/** Options of {@link generateJksKeyPair}. */
export interface JksKeyPairOptions {
  /** Key store file, created when missing. */
  keystore: string;
  alias: string;
  storePassword: string;
  /** Password of the private key entry, which JKS allows to differ from the store password. */
  keyPassword: string;
  /** Subject as an X.500 distinguished name, such as `CN=localhost, O=Example`. */
  dname: string;
}

/**
 * Generates an RSA-2048 key pair with a self-signed certificate valid for 365 days in a JKS
 * key store with `keytool -genkeypair`.
 */
export function generateJksKeyPair(dir: string, options: JksKeyPairOptions): void {
  runKeytool(
    dir,
    '-genkeypair',
    '-storetype',
    'JKS',
    '-keystore',
    options.keystore,
    '-storepass',
    options.storePassword,
    '-keypass',
    options.keyPassword,
    '-alias',
    options.alias,
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '365',
    '-dname',
    options.dname,
  );
}
