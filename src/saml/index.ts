import { signCanonicalElement, type SignatureAlgorithmName, type SigningCredential } from '../crypto/xmldsig.js';
import type { AssertionParams } from './model.js';
import { writeSaml11Assertion } from './saml11/assertion.js';
import { writeSaml20Assertion } from './saml20/assertion.js';

export * from './model.js';
export { writeSaml11Assertion, writeSaml20Assertion };

/** SAML version of a token: SAML 1.1 or SAML 2.0. */
export type SamlVersion = '1.1' | '2.0';

/** Writes and signs an assertion of the given SAML version. */
export function buildSignedAssertion(
  version: SamlVersion,
  params: AssertionParams,
  credential: SigningCredential,
  algorithm: SignatureAlgorithmName = 'rsa-sha256',
): string {
  const unsigned = version === '2.0' ? writeSaml20Assertion(params) : writeSaml11Assertion(params);
  return signCanonicalElement(unsigned.xml, params.id, unsigned.signatureOffset, credential, algorithm);
}
