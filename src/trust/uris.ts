import { NS } from '../xml/index.js';
import type { SamlVersion } from '../saml/index.js';

/** WS-Trust version of a request: 1.3 or February 2005. */
export type TrustVersion = '1.3' | '2005';

/** Namespace of each WS-Trust version. */
export const TRUST_NS: Record<TrustVersion, string> = { '1.3': NS.wst13, '2005': NS.wst2005 };

/** Token type URIs, both spellings of each SAML version. */
export const TokenTypes = {
  saml20Profile: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0',
  saml20Urn: 'urn:oasis:names:tc:SAML:2.0:assertion',
  saml11Profile: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
  saml11Urn: 'urn:oasis:names:tc:SAML:1.0:assertion',
} as const;

/** SAML version named by a token type URI, or undefined for a type the STS does not issue. */
export function samlVersionOf(tokenType: string): SamlVersion | undefined {
  switch (tokenType) {
    case TokenTypes.saml20Profile:
    case TokenTypes.saml20Urn:
      return '2.0';
    case TokenTypes.saml11Profile:
    case TokenTypes.saml11Urn:
      return '1.1';
    default:
      return undefined;
  }
}

/** Maps the CLI's short names (saml2, saml11) to token type URIs; other values pass through. */
export function tokenTypeFromName(name: string): string {
  if (name === 'saml2' || name === 'saml20') return TokenTypes.saml20Profile;
  if (name === 'saml11' || name === 'saml1') return TokenTypes.saml11Profile;
  return name;
}

/** KeyType URIs a requester may send for a bearer token, per WS-Trust version. */
export const BearerKeyTypes: Record<TrustVersion, readonly string[]> = {
  '1.3': [`${NS.wst13}/Bearer`],
  // WS-Trust 2005 has no Bearer URI. MSAL, ADAL and AD FS use the WS-Identity NoProofKey URI;
  // the WSO2 sample client sends `<2005 namespace>/Bearer`.
  '2005': ['http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey', `${NS.wst2005}/Bearer`],
};

/** KeyType URIs for proof-of-possession keys, which this version of the STS does not issue. */
export const ProofKeyTypes: Record<TrustVersion, readonly string[]> = {
  '1.3': [`${NS.wst13}/SymmetricKey`, `${NS.wst13}/PublicKey`],
  '2005': [`${NS.wst2005}/SymmetricKey`, `${NS.wst2005}/PublicKey`],
};

/** RequestType URIs by operation. */
export function requestTypeUri(version: TrustVersion, operation: TrustOperation): string {
  return `${TRUST_NS[version]}/${operation}`;
}

/** WS-Trust operations named by RequestType. */
export type TrustOperation = 'Issue' | 'Validate' | 'Renew' | 'Cancel';

/** Response action of a successful Issue. */
export function issueResponseAction(version: TrustVersion): string {
  return version === '1.3' ? `${NS.wst13}/RSTRC/IssueFinal` : `${NS.wst2005}/RSTR/Issue`;
}
