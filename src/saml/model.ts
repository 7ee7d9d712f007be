/** Method by which the requester proved its identity, named in the authentication statement. */
export type AuthenticationMethod = 'password-transport' | 'password' | 'password-digest';

/** A SAML attribute taken from a claim: the claim URI and its values in order. */
export interface AssertionAttribute {
  uri: string;
  values: string[];
}

/** Everything a token provider needs to write one bearer assertion. */
export interface AssertionParams {
  id: string;
  issuer: string;
  issueInstant: Date;
  notBefore: Date;
  notOnOrAfter: Date;
  subjectName: string;
  nameIdFormat: string;
  audiences: string[];
  authenticationMethod: AuthenticationMethod;
  authenticationInstant: Date;
  attributes: AssertionAttribute[];
}

/** Splits a claim URI into a SAML 1.1 AttributeNamespace and AttributeName at the last '/' or '#'. */
export function splitClaimUri(uri: string): { namespace: string; name: string } {
  const cut = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('#'));
  if (cut <= 0 || cut === uri.length - 1) return { namespace: uri, name: uri };
  return { namespace: uri.slice(0, cut), name: uri.slice(cut + 1) };
}
