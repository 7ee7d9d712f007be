import { X509Certificate } from 'node:crypto';
import { describeCertificate } from '../crypto/certificates.js';
import type { SignatureAlgorithmName } from '../crypto/xmldsig.js';
import type { ContentEncryptionAlgorithm, KeyTransportAlgorithm } from '../crypto/xmlenc.js';

/** Encryption settings of a relying party, with its certificate already loaded. */
export interface TokenEncryption {
  certificate: X509Certificate;
  contentAlgorithm: ContentEncryptionAlgorithm;
  keyTransport: KeyTransportAlgorithm;
  oaepDigest: 'sha1' | 'sha256';
}

/** The relying party an AppliesTo address resolved to, as the Issue operation uses it. */
export interface ResolvedRelyingParty {
  /** Registered name; undefined for an unregistered address allowed by configuration. */
  name?: string;
  /** Audience values, copied verbatim into AudienceRestriction. */
  audiences: string[];
  tokenType?: string;
  tokenLifetimeSeconds?: number;
  nameIdFormat?: string;
  /** Claim URI whose first value becomes the subject name; the user name when unset. */
  subjectClaim?: string;
  /** Claims included when the request has no wst:Claims. */
  claims: string[];
  signatureAlgorithm: SignatureAlgorithmName;
  /** Set when tokens for this party are encrypted; `error` when encryption is on but unusable. */
  encryption?: TokenEncryption | { error: string };
}

/** Finds the relying party for an AppliesTo address. */
export interface RelyingPartyResolver {
  /** Returns the party for `address`, judging certificate validity at `now` (the current time when unset). */
  resolve(address: string, now?: Date): ResolvedRelyingParty | undefined;
}

/** Comparison of a registered endpoint with the AppliesTo address. */
export type EndpointMatch = 'exact' | 'prefix' | 'wildcard';

/** One registered relying party, ready for matching. */
export interface RegistryEntry {
  name: string;
  endpoint: string;
  match: EndpointMatch;
  /** Audiences written after the endpoint, or after the AppliesTo address for a pattern. */
  additionalAudiences: string[];
  /** Every other setting of the party; `audiences` is filled in per address. */
  settings: Omit<ResolvedRelyingParty, 'name' | 'audiences'>;
  /** Validity period of the encryption certificate, checked on every resolve. */
  certificateValidity?: { notBefore: Date; notAfter: Date };
}

/**
 * Characters a `*` in a wildcard endpoint never matches. Separators of URLs and URNs keep a `*`
 * inside one host label run, path segment or URN part. Whitespace and `%` are excluded too, so
 * an encoded separator such as `%40` (`@`) cannot pass either.
 */
const WILDCARD_CHARACTER = '[^/\\\\?#@:%\\s]';

interface PatternEntry {
  entry: RegistryEntry;
  /** Number of characters other than `*`, which ranks patterns from most to least specific. */
  literalLength: number;
  test: (address: string) => boolean;
}

/**
 * Resolves AppliesTo addresses against the registered relying parties. An exact endpoint wins
 * over any pattern. Among patterns the one with the longest literal part wins, a wildcard wins
 * over a prefix of the same literal length, and the party name decides a remaining tie.
 */
export class RelyingPartyRegistry implements RelyingPartyResolver {
  private readonly exact = new Map<string, RegistryEntry>();
  private readonly patterns: PatternEntry[] = [];

  constructor(entries: readonly RegistryEntry[]) {
    for (const entry of entries) {
      if (entry.match === 'exact') {
        if (!this.exact.has(entry.endpoint)) this.exact.set(entry.endpoint, entry);
        continue;
      }
      this.patterns.push({
        entry,
        literalLength: entry.match === 'wildcard' ? entry.endpoint.replaceAll('*', '').length : entry.endpoint.length,
        test: entry.match === 'prefix' ? (address) => address.startsWith(entry.endpoint) : wildcardTest(entry.endpoint),
      });
    }
    this.patterns.sort(compareSpecificity);
  }

  /**
   * Returns the registered entry that `address` selects, without building the resolved party.
   * An address that {@link patternAddressProblem} rejects can match an exact endpoint only.
   */
  match(address: string): RegistryEntry | undefined {
    const exact = this.exact.get(address);
    if (exact || patternAddressProblem(address)) return exact;
    return this.patterns.find((pattern) => pattern.test(address))?.entry;
  }

  resolve(address: string, now: Date = new Date()): ResolvedRelyingParty | undefined {
    const entry = this.match(address);
    if (!entry) return undefined;
    const first = entry.match === 'exact' ? entry.endpoint : address;
    const party: ResolvedRelyingParty = {
      ...entry.settings,
      name: entry.name,
      audiences: [...new Set([first, ...entry.additionalAudiences])],
    };
    const validity = entry.certificateValidity;
    if (validity && party.encryption && !('error' in party.encryption)) {
      const problem = validityProblem(validity, now);
      if (problem) party.encryption = { error: `certificate ${problem}` };
    }
    return party;
  }
}

/**
 * Returns why no prefix or wildcard party may match `address`, or undefined when one may. A
 * pattern party's audience is the address itself, so the address must not point outside the
 * pattern once a URL parser or the relying party reads it. So it rejects `.` and `..` path
 * segments, also percent-encoded, before `;` parameters or next to an encoded `/` or `\`. It also
 * rejects backslashes (WHATWG URL parsing reads them as `/`), an `@` between the scheme's `//`
 * and the next `/` (user info), and whitespace, control and invisible format characters.
 */
export function patternAddressProblem(address: string): string | undefined {
  if (/[\s\p{Cc}\p{Cf}]/u.test(address)) return 'it contains whitespace, a control character or an invisible format character';
  if (address.includes('\\')) return 'it contains a backslash';
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)/.exec(address);
  if (authority?.[1].includes('@')) return 'it contains user info ("@" before the host)';
  if (hasDotSegment(address)) return 'it contains a "." or ".." path segment';
  return undefined;
}

function hasDotSegment(address: string): boolean {
  const segments = address.replace(/%2f|%5c/gi, '/').split(/[/?#]/);
  return segments.some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment.split(';')[0]));
}

function compareSpecificity(a: PatternEntry, b: PatternEntry): number {
  if (a.literalLength !== b.literalLength) return b.literalLength - a.literalLength;
  if (a.entry.match !== b.entry.match) return a.entry.match === 'wildcard' ? -1 : 1;
  if (a.entry.name === b.entry.name) return 0;
  return a.entry.name < b.entry.name ? -1 : 1;
}

function wildcardTest(pattern: string): (address: string) => boolean {
  const source = pattern
    .split('*')
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join(`${WILDCARD_CHARACTER}*`);
  const expression = new RegExp(`^${source}$`, 'u');
  return (address) => expression.test(address);
}

function validityProblem(validity: { notBefore: Date; notAfter: Date }, now: Date): string | undefined {
  if (now.getTime() > validity.notAfter.getTime()) return `expired on ${validity.notAfter.toISOString()}`;
  if (now.getTime() < validity.notBefore.getTime()) {
    return `is not valid before ${validity.notBefore.toISOString()}`;
  }
  return undefined;
}

/** Smallest RSA key the STS encrypts tokens for, in bits. */
export const MIN_ENCRYPTION_KEY_BITS = 2048;

/** A certificate that tokens can be encrypted for, or the reason it cannot be used. */
export type EncryptionCertificateCheck =
  | { ok: true; certificate: X509Certificate; notBefore: Date; notAfter: Date }
  | { ok: false; problem: string };

/**
 * Checks that a PEM certificate can receive encrypted tokens at `now`: it parses, is inside its
 * validity period, and contains an RSA key of at least {@link MIN_ENCRYPTION_KEY_BITS} bits.
 */
export function checkEncryptionCertificate(certificatePem: string, now: Date = new Date()): EncryptionCertificateCheck {
  const loaded = loadEncryptionCertificate(certificatePem);
  if (!loaded.ok) return loaded;
  const problem = validityProblem(loaded, now);
  return problem ? { ok: false, problem } : loaded;
}

/**
 * Parses a PEM certificate for token encryption and checks its key, but not its validity
 * period, which {@link RelyingPartyRegistry.resolve} checks on every request.
 */
export function loadEncryptionCertificate(certificatePem: string): EncryptionCertificateCheck {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    return { ok: false, problem: 'is not a readable X.509 certificate' };
  }
  const info = describeCertificate(certificate);
  const validity = { notBefore: info.notBefore, notAfter: info.notAfter };
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    return { ok: false, problem: `has a ${key.asymmetricKeyType ?? 'non-RSA'} key, but token encryption needs an RSA key` };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_ENCRYPTION_KEY_BITS) {
    return { ok: false, problem: `has a ${bits}-bit RSA key; token encryption needs at least ${MIN_ENCRYPTION_KEY_BITS} bits` };
  }
  return { ok: true, certificate, ...validity };
}
