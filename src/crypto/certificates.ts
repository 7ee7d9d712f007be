import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** Validity state of a certificate at a point in time. */
export type CertificateStatus = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

/** Summary of an X.509 certificate for listings, logs and health checks. */
export interface CertificateInfo {
  /** Subject distinguished name in certificate order, attributes joined by ', '. */
  subject: string;
  /** Issuer distinguished name in certificate order, attributes joined by ', '. */
  issuer: string;
  /** Serial number as upper-case hex without separators. */
  serialNumber: string;
  /** Start of the validity period. */
  notBefore: Date;
  /** End of the validity period (inclusive, as in RFC 5280). */
  notAfter: Date;
  /** SHA-256 fingerprint of the DER encoding: upper-case hex pairs joined by ':', as in keytool. */
  sha256Fingerprint: string;
  /** Validity state at the time passed to {@link describeCertificate}. */
  status: CertificateStatus;
}

/** Options for {@link generateSelfSignedCertificate}. */
export interface SelfSignedCertificateOptions {
  /** RSA private key that signs the certificate. */
  privateKey: KeyObject;
  /** RSA public key that the certificate certifies, which must belong to `privateKey`. */
  publicKey: KeyObject;
  /** Common name (CN) of the subject and issuer. */
  commonName: string;
  /** DNS names for the subject alternative name extension. */
  dnsNames?: string[];
  /** IPv4 or IPv6 addresses for the subject alternative name extension. */
  ipAddresses?: string[];
  /** Validity period in days, counted from the time of the call. */
  validityDays: number;
}

const MILLISECONDS_PER_DAY = 24 * 60 * 60 * 1000;
const DEFAULT_EXPIRING_WITHIN_DAYS = 30;
const DEFAULT_RSA_BITS = 2048;
const MIN_RSA_BITS = 2048;

/** Backdating of notBefore so that relying parties with slow clocks accept a new certificate. */
const CLOCK_SKEW_MILLISECONDS = 5 * 60 * 1000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Summarises a certificate and classifies its validity at `now`.
 *
 * The status is `expiring` when `notAfter` is at most `expiringWithinDays` days after `now`.
 */
export function describeCertificate(
  cert: X509Certificate,
  now: Date = new Date(),
  expiringWithinDays: number = DEFAULT_EXPIRING_WITHIN_DAYS,
): CertificateInfo {
  if (!Number.isFinite(expiringWithinDays) || expiringWithinDays < 0) {
    throw new RangeError(
      `expiringWithinDays must be a non-negative number of days, got ${expiringWithinDays}`,
    );
  }

  const notBefore = parseOpenSslTime(cert.validFrom);
  const notAfter = parseOpenSslTime(cert.validTo);

  let status: CertificateStatus;
  if (now.getTime() < notBefore.getTime()) {
    status = 'not-yet-valid';
  } else if (now.getTime() > notAfter.getTime()) {
    status = 'expired';
  } else if (notAfter.getTime() - now.getTime() <= expiringWithinDays * MILLISECONDS_PER_DAY) {
    status = 'expiring';
  } else {
    status = 'valid';
  }

  return {
    subject: formatDistinguishedName(cert.subject),
    issuer: formatDistinguishedName(cert.issuer),
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore,
    notAfter,
    sha256Fingerprint: cert.fingerprint256.toUpperCase(),
    status,
  };
}

/**
 * Creates a self-signed X.509 v3 certificate for an RSA key pair.
 *
 * The signature algorithm is sha256WithRSAEncryption and the serial number is a random positive
 * 127-bit integer. The extensions are basicConstraints CA:false and keyUsage digitalSignature
 * and keyEncipherment (both critical), a subject key identifier, and a subject alternative name
 * when DNS names or IP addresses are given. notBefore is set 5 minutes in the past to tolerate
 * clock skew.
 */
export function generateSelfSignedCertificate(
  options: SelfSignedCertificateOptions,
): X509Certificate {
  const { privateKey, publicKey, commonName, validityDays } = options;
  const dnsNames = options.dnsNames ?? [];
  const ipAddresses = options.ipAddresses ?? [];

  validateSelfSignedOptions(options, dnsNames, ipAddresses);

  // node-forge signs only with RSA keys in its own format, so the Node keys cross over as PEM.
  const forgePrivateKey = forge.pki.privateKeyFromPem(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  const forgePublicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );

  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forgePublicKey;
  certificate.serialNumber = randomPositiveSerialNumber();

  const now = Date.now();
  certificate.validity.notBefore = new Date(now - CLOCK_SKEW_MILLISECONDS);
  certificate.validity.notAfter = new Date(now + validityDays * MILLISECONDS_PER_DAY);

  const name = [{ name: 'commonName', value: commonName }];
  certificate.setSubject(name);
  certificate.setIssuer(name);

  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (dnsNames.length > 0 || ipAddresses.length > 0) {
    // Type 2 is dNSName and type 7 is iPAddress in the GeneralName CHOICE of RFC 5280.
    const altNames = [
      ...dnsNames.map((value) => ({ type: 2, value })),
      ...ipAddresses.map((ip) => ({ type: 7, value: ipAddressToBytes(ip).toString('binary') })),
    ];
    extensions.push({ name: 'subjectAltName', altNames });
  }
  certificate.setExtensions(extensions);

  certificate.sign(forgePrivateKey, forge.md.sha256.create());

  return new X509Certificate(forge.pki.certificateToPem(certificate));
}

/** Generates an RSA key pair with Node's crypto (public exponent 65537). */
export function generateRsaKeyPair(bits: number = DEFAULT_RSA_BITS): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  if (!Number.isInteger(bits) || bits < MIN_RSA_BITS) {
    throw new RangeError(
      `RSA modulus length must be an integer of at least ${MIN_RSA_BITS} bits, got ${bits}`,
    );
  }
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/** Encodes a certificate as a PEM `CERTIFICATE` block with 64-character lines and final newline. */
export function certificateToPem(cert: X509Certificate): string {
  const base64 = cert.raw.toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function validateSelfSignedOptions(
  options: SelfSignedCertificateOptions,
  dnsNames: string[],
  ipAddresses: string[],
): void {
  const { privateKey, publicKey, commonName, validityDays } = options;

  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError(
      `privateKey must be an RSA private key, got a ${privateKey.type} ` +
        `${privateKey.asymmetricKeyType ?? 'secret'} key`,
    );
  }
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError(
      `publicKey must be an RSA public key, got a ${publicKey.type} ` +
        `${publicKey.asymmetricKeyType ?? 'secret'} key`,
    );
  }

  const derivedPublicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!derivedPublicKey.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new Error('publicKey does not belong to privateKey: pass the two halves of one key pair');
  }

  if (commonName.trim() === '') {
    throw new RangeError('commonName must not be empty');
  }
  if (!Number.isFinite(validityDays) || validityDays <= 0) {
    throw new RangeError(`validityDays must be a positive number of days, got ${validityDays}`);
  }
  for (const dnsName of dnsNames) {
    if (dnsName.trim() === '') {
      throw new RangeError('dnsNames must not contain empty names');
    }
  }
  for (const ipAddress of ipAddresses) {
    // A zone index such as fe80::1%eth0 is local to one host, so it has no place in a certificate.
    if (isIP(ipAddress) === 0 || ipAddress.includes('%')) {
      throw new RangeError(`ipAddresses contains an invalid IP address: ${ipAddress}`);
    }
  }
}

/**
 * Returns 16 random bytes as hex, with the first byte in 0x01..0x7f so that the DER INTEGER is
 * positive and minimally encoded (node-forge writes the hex bytes as they are).
 */
function randomPositiveSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0] & 0x7f || 0x01;
  return bytes.toString('hex');
}

/**
 * Converts a valid IPv4 or IPv6 address to its 4 or 16 network-order bytes. node-forge's own
 * conversion mistakes IPv6 addresses with an embedded IPv4 part (`::ffff:192.0.2.1`) for IPv4.
 */
function ipAddressToBytes(ipAddress: string): Buffer {
  if (isIP(ipAddress) === 4) {
    return Buffer.from(ipAddress.split('.').map(Number));
  }

  const [headText, tailText] = ipAddress.includes('::')
    ? ipAddress.split('::')
    : [ipAddress, undefined];
  const toGroups = (text: string | undefined): number[] => {
    if (!text) {
      return [];
    }
    return text.split(':').flatMap((group) => {
      if (group.includes('.')) {
        const [a, b, c, d] = group.split('.').map(Number);
        return [(a << 8) | b, (c << 8) | d];
      }
      return [parseInt(group, 16)];
    });
  };
  const head = toGroups(headText);
  const tail = toGroups(tailText);
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];

  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}

/** Parses the time format of `X509Certificate.validFrom`, such as `Jan  1 00:00:00 2020 GMT`. */
function parseOpenSslTime(text: string): Date {
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(text);
  const month = match ? MONTHS.indexOf(match[1]) : -1;
  if (!match || month < 0) {
    throw new Error(`Unrecognised certificate time format: ${text}`);
  }
  const [, , day, hours, minutes, seconds, year] = match;
  return new Date(
    Date.UTC(Number(year), month, Number(day), Number(hours), Number(minutes), Number(seconds)),
  );
}

/** Joins the one-attribute-per-line name that Node returns into a single line. */
function formatDistinguishedName(multiLineName: string): string {
  return multiLineName.split('\n').filter((line) => line !== '').join(', ');
}
