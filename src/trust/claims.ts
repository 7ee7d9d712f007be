import type { AuthenticatedUser } from '../identity/index.js';
import type { AssertionAttribute } from '../saml/index.js';
import type { ResolvedRelyingParty } from './relying-party.js';
import type { RequestedClaims } from './rst.js';

/** Claim URI that carries the user's roles. */
export const ROLE_CLAIM = 'http://wso2.org/claims/role';

/** Chooses the attributes of a token from the user's stored claims; values never come from the request. */
export interface ClaimsResolver {
  resolve(user: AuthenticatedUser, requested: RequestedClaims | undefined, party: ResolvedRelyingParty): AssertionAttribute[];
}

/** Default resolver: the user's roles as one multi-valued attribute, when the user has any. */
export const rolesOnlyResolver: ClaimsResolver = {
  resolve(user) {
    return user.roles.length ? [{ uri: ROLE_CLAIM, values: [...user.roles] }] : [];
  },
};
