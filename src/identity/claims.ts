/**
 * Claim URIs and the mapping between the WSO2 local dialect (`http://wso2.org/claims/...`) and
 * the WS-Identity dialect (`http://schemas.xmlsoap.org/ws/2005/05/identity/claims/...`). A claim
 * stored under one spelling satisfies a request for any spelling of the same claim. URIs outside
 * the table are custom claims and match only themselves.
 */

/** Claim dialect of WSO2 Identity Server's local claims, as the WSO2 sample client sends it. */
export const WSO2_DIALECT = 'http://wso2.org/claims';

/** Claim dialect of WS-Identity (Information Cards), the WS-Trust default for claims. */
export const WS_IDENTITY_DIALECT = 'http://schemas.xmlsoap.org/ws/2005/05/identity';

/** Dialects a `wst:Claims` element may name. Both accept claim URIs of either spelling. */
export const CLAIM_DIALECTS: readonly string[] = [WS_IDENTITY_DIALECT, WSO2_DIALECT];

/** WSO2 claim URI of the user's roles, the attribute tokens carry by default. */
export const ROLE_CLAIM = `${WSO2_DIALECT}/role`;

const WSO2 = `${WSO2_DIALECT}/`;
const WS_IDENTITY = `${WS_IDENTITY_DIALECT}/claims/`;
const MICROSOFT = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/';

/** Source of a claim's values. */
export type ClaimSource = 'stored' | 'roles' | 'username';

/** One claim with every URI that names it; the first URI is the WSO2 spelling. */
export interface ClaimDefinition {
  uris: readonly string[];
  /**
   * `roles`: the user's role memberships, never stored claim values. `username`: stored values,
   * else the account name. `stored`: the values stored under any of the URIs.
   */
  source: ClaimSource;
}

/** Claims with more than one spelling, in the order lookups try the URIs. */
export const CLAIM_DEFINITIONS: readonly ClaimDefinition[] = [
  { uris: [`${WSO2}givenname`, `${WS_IDENTITY}givenname`], source: 'stored' },
  { uris: [`${WSO2}lastname`, `${WS_IDENTITY}surname`], source: 'stored' },
  { uris: [`${WSO2}emailaddress`, `${WS_IDENTITY}emailaddress`], source: 'stored' },
  { uris: [`${WSO2}streetaddress`, `${WS_IDENTITY}streetaddress`], source: 'stored' },
  { uris: [`${WSO2}locality`, `${WS_IDENTITY}locality`], source: 'stored' },
  { uris: [`${WSO2}stateorprovince`, `${WS_IDENTITY}stateorprovince`], source: 'stored' },
  { uris: [`${WSO2}postalcode`, `${WS_IDENTITY}postalcode`], source: 'stored' },
  { uris: [`${WSO2}country`, `${WS_IDENTITY}country`], source: 'stored' },
  { uris: [`${WSO2}telephone`, `${WS_IDENTITY}homephone`], source: 'stored' },
  { uris: [`${WSO2}otherphone`, `${WS_IDENTITY}otherphone`], source: 'stored' },
  { uris: [`${WSO2}mobile`, `${WS_IDENTITY}mobilephone`], source: 'stored' },
  { uris: [`${WSO2}dob`, `${WS_IDENTITY}dateofbirth`], source: 'stored' },
  { uris: [`${WSO2}gender`, `${WS_IDENTITY}gender`], source: 'stored' },
  { uris: [`${WSO2}url`, `${WS_IDENTITY}webpage`], source: 'stored' },
  { uris: [`${WSO2}username`, `${WS_IDENTITY}name`], source: 'username' },
  { uris: [ROLE_CLAIM, `${MICROSOFT}role`], source: 'roles' },
];

const DEFINITION_BY_URI = new Map<string, ClaimDefinition>(
  CLAIM_DEFINITIONS.flatMap((definition) => definition.uris.map((uri) => [uri, definition] as const)),
);

/** Returns the claim's definition, or undefined for a custom claim URI. */
export function claimDefinition(uri: string): ClaimDefinition | undefined {
  return DEFINITION_BY_URI.get(uri);
}

/** Returns every URI that names the same claim as `uri`, starting with `uri` itself. */
export function equivalentClaimUris(uri: string): string[] {
  const definition = DEFINITION_BY_URI.get(uri);
  if (!definition) return [uri];
  return [uri, ...definition.uris.filter((other) => other !== uri)];
}

/** The parts of a user that claim values come from. */
export interface ClaimSubject {
  name: string;
  roles: readonly string[];
  claims: Readonly<Record<string, readonly string[]>>;
}

/**
 * Returns the user's values of the claim named by `uri` in any spelling: the values stored under
 * `uri` itself first, else those under the other spellings in table order. Role claims are the
 * user's roles. An empty result means the user lacks the claim.
 */
export function claimValues(user: ClaimSubject, uri: string): string[] {
  const definition = DEFINITION_BY_URI.get(uri);
  if (definition?.source === 'roles') return [...user.roles];
  for (const candidate of equivalentClaimUris(uri)) {
    const values = user.claims[candidate];
    if (values && values.length > 0) return [...values];
  }
  if (definition?.source === 'username') return [user.name];
  return [];
}
