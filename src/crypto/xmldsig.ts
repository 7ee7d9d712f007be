import { createHash, sign, type KeyObject } from 'node:crypto';

/** Signature algorithm URIs the STS signs with. */
export const SignatureAlgorithms = {
  'rsa-sha256': {
    uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digestUri: 'http://www.w3.org/2001/04/xmlenc#sha256',
    hash: 'sha256',
  },
  'rsa-sha1': {
    uri: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    digestUri: 'http://www.w3.org/2000/09/xmldsig#sha1',
    hash: 'sha1',
  },
} as const;

/** Name of a signature algorithm in {@link SignatureAlgorithms}. */
export type SignatureAlgorithmName = keyof typeof SignatureAlgorithms;

const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/** Signing key with its certificate, loaded once and reused for every token. */
export interface SigningCredential {
  alias: string;
  privateKey: KeyObject;
  /** DER bytes of the signing certificate, base64-encoded for ds:X509Certificate. */
  certificateBase64: string;
}

/**
 * Signs an element the STS wrote itself with an enveloped XML-DSig signature.
 *
 * `canonicalElement` must already be in exclusive canonical form (no self-closing tags,
 * canonical escaping, namespace declarations and attributes in canonical order), which is true
 * of every token the saml builders write. That makes the enveloped-signature plus exc-c14n
 * transform output equal to the input bytes, so the digest is computed without a DOM. The
 * signature is inserted at `insertAt`, a character offset inside the element (after Issuer for
 * SAML 2.0, before the end tag for SAML 1.1).
 */
export function signCanonicalElement(
  canonicalElement: string,
  referenceId: string,
  insertAt: number,
  credential: SigningCredential,
  algorithmName: SignatureAlgorithmName = 'rsa-sha256',
): string {
  const algorithm = SignatureAlgorithms[algorithmName];
  const digest = createHash(algorithm.hash).update(canonicalElement, 'utf8').digest('base64');
  const signedInfoBody =
    `<ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${algorithm.uri}"></ds:SignatureMethod>` +
    `<ds:Reference URI="#${referenceId}"><ds:Transforms>` +
    `<ds:Transform Algorithm="${ENVELOPED}"></ds:Transform>` +
    `<ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${algorithm.digestUri}"></ds:DigestMethod>` +
    `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
  // Exclusive c14n renders the ds declaration on SignedInfo because it is the apex of the
  // signed subset. Inside the Signature element the declaration is inherited instead.
  const canonicalSignedInfo = `<ds:SignedInfo xmlns:ds="${DS_NS}">${signedInfoBody}</ds:SignedInfo>`;
  const signatureValue = sign(algorithm.hash, Buffer.from(canonicalSignedInfo, 'utf8'), credential.privateKey).toString(
    'base64',
  );
  const signature =
    `<ds:Signature xmlns:ds="${DS_NS}"><ds:SignedInfo>${signedInfoBody}</ds:SignedInfo>` +
    `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${credential.certificateBase64}</ds:X509Certificate>` +
    `</ds:X509Data></ds:KeyInfo></ds:Signature>`;
  return canonicalElement.slice(0, insertAt) + signature + canonicalElement.slice(insertAt);
}
