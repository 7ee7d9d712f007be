/**
 * Entry assembly for the keys and certificates of PEM and PKCS#12 data: key matching, chain
 * building by issuer and signature, and trusted-certificate entries for the certificates left.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { KeyMaterialEntry } from './key-material.js';

/** A private key and the certificate whose public key matches it. */
export interface KeyPairing {
  alias?: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
}

/** A certificate that is not paired with a key, with its alias and trust mark. */
export interface CandidateCertificate {
  alias?: string;
  certificate: X509Certificate;
  /** Marked as a trust anchor by the store, so it becomes an entry even when it is in a chain. */
  trusted: boolean;
}

/**
 * Builds key entries with their chains from `others`, then turns every certificate in `others`
 * that is marked trusted or is in no chain into a trusted-certificate entry.
 */
export function assembleEntries(
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

/** Checks that `privateKey` belongs to the public key of `certificate`. */
export function keyMatchesCertificate(
  privateKey: KeyObject,
  certificate: X509Certificate,
): boolean {
  try {
    return certificate.checkPrivateKey(privateKey);
  } catch {
    return false;
  }
}

/** Removes repeated certificates, keeping the first copy's alias and any copy's trusted mark. */
export function deduplicateCertificates(
  candidates: CandidateCertificate[],
): CandidateCertificate[] {
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
