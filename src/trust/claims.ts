import { InvalidRequestError } from '../errors/index.js';
import {
  CLAIM_DIALECTS,
  claimValues,
  equivalentClaimUris,
  ROLE_CLAIM,
  type AuthenticatedUser,
} from '../identity/index.js';
import type { AssertionAttribute } from '../saml/index.js';
import type { ResolvedRelyingParty } from './relying-party.js';
import type { RequestedClaim, RequestedClaims } from './rst.js';

export { ROLE_CLAIM } from '../identity/index.js';

/** Entry of a claim list that stands for every claim stored for the user. */
export const ALL_STORED_CLAIMS = '*';

/**
 * Claims of a registered relying party that has no claim list of its own: the user's roles and
 * every stored claim. The administrator registered the party, and its tokens can be encrypted to it.
 */
export const DEFAULT_CLAIMS: readonly string[] = [ROLE_CLAIM, ALL_STORED_CLAIMS];

/** Claims of an unregistered address (when allowed): the roles only. */
export const UNREGISTERED_CLAIMS: readonly string[] = [ROLE_CLAIM];

/** Chooses the attributes of a token from the user's stored claims; values never come from the request. */
export interface ClaimsResolver {
  resolve(user: AuthenticatedUser, requested: RequestedClaims | undefined, party: ResolvedRelyingParty): AssertionAttribute[];
}

/** Resolver that ignores requests and parties: the user's roles as one multi-valued attribute. */
export const rolesOnlyResolver: ClaimsResolver = {
  resolve(user) {
    return user.roles.length ? [{ uri: ROLE_CLAIM, values: [...user.roles] }] : [];
  },
};

/** Maximum length of a claim URI that a fault reason repeats; a longer one is reported as `ClaimType` only. */
const MAX_URI_IN_REASON = 256;

/**
 * Default resolver. Without wst:Claims the token carries the relying party's configured claims
 * that the user has. With wst:Claims it carries exactly the requested claims: the Dialect must be
 * WS-Identity or WSO2, each ClaimType URI of either spelling is looked up under every spelling,
 * and the attribute takes the requested URI as its name. A requested non-optional claim that the
 * user lacks fails the request. A value inside a ClaimType is ignored: every value comes from the
 * user store, so a requester cannot get its own text signed into a token.
 */
export class DialectClaimsResolver implements ClaimsResolver {
  resolve(user: AuthenticatedUser, requested: RequestedClaims | undefined, party: ResolvedRelyingParty): AssertionAttribute[] {
    if (!requested) return configuredAttributes(user, party.claims);
    if (!CLAIM_DIALECTS.includes(requested.dialect)) {
      const dialect = requested.dialect ? `Dialect ${requested.dialect}` : 'no Dialect';
      throw new InvalidRequestError(`Claims has ${dialect}; expected one of ${CLAIM_DIALECTS.join(', ')}`, {
        element: 'Claims',
      });
    }
    const attributes: AssertionAttribute[] = [];
    for (const claim of mergeDuplicates(requested.claims)) {
      const values = claimValues(user, claim.uri);
      if (values.length > 0) {
        attributes.push({ uri: claim.uri, values });
      } else if (!claim.optional) {
        throw new InvalidRequestError(`user ${user.name} has no value for the required claim ${claim.uri}`, {
          element: claimTypeElement(claim.uri),
        });
      }
    }
    return attributes;
  }
}

function configuredAttributes(user: AuthenticatedUser, uris: readonly string[]): AssertionAttribute[] {
  const attributes: AssertionAttribute[] = [];
  // Roles come from role membership, so values stored under a role URI are not expanded.
  const roleUris = new Set(equivalentClaimUris(ROLE_CLAIM));
  const stored = Object.keys(user.claims)
    .filter((uri) => !roleUris.has(uri))
    .sort();
  const expanded = uris.flatMap((uri) => (uri === ALL_STORED_CLAIMS ? stored : [uri]));
  for (const uri of new Set(expanded)) {
    const values = claimValues(user, uri);
    if (values.length > 0) attributes.push({ uri, values });
  }
  return attributes;
}

/** Keeps the first occurrence of each URI. A claim is optional only when every occurrence is marked optional. */
function mergeDuplicates(claims: readonly RequestedClaim[]): RequestedClaim[] {
  const byUri = new Map<string, RequestedClaim>();
  for (const claim of claims) {
    const seen = byUri.get(claim.uri);
    if (seen) seen.optional &&= claim.optional;
    else byUri.set(claim.uri, { ...claim });
  }
  return [...byUri.values()];
}

/**
 * Names the missing claim in the public fault reason. The URI is a name the requester sent, not
 * a claim value, but an overlong or unprintable one is left out so the reason stays short.
 */
function claimTypeElement(uri: string): string {
  const printable = /^[\x21-\x7e]+$/.test(uri);
  return printable && uri.length <= MAX_URI_IN_REASON ? `ClaimType ${uri}` : 'ClaimType';
}
