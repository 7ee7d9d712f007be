import type { X509Certificate } from 'node:crypto';
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
  resolve(address: string): ResolvedRelyingParty | undefined;
}
