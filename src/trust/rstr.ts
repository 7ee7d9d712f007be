import { escapeAttribute as attr, escapeText as text, NS, xmlDateTime } from '../xml/index.js';
import type { SamlVersion } from '../saml/index.js';
import type { AppliesTo } from './rst.js';
import { TokenTypes, type TrustVersion, TRUST_NS } from './uris.js';

/** Contents of an Issue response. */
export interface IssueResponse {
  version: TrustVersion;
  context?: string;
  /** Token type URI exactly as requested (or the default that was applied). */
  tokenType: string;
  samlVersion: SamlVersion;
  /** The token (signed assertion, or its encrypted form) as XML text. */
  tokenXml: string;
  assertionId: string;
  created: Date;
  expires: Date;
  appliesTo?: AppliesTo;
  keyType: string;
}

const SAML_ID_VALUE_TYPE: Record<SamlVersion, string> = {
  '2.0': 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID',
  '1.1': 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID',
};

const STR_TOKEN_TYPE: Record<SamlVersion, string> = {
  '2.0': TokenTypes.saml20Profile,
  '1.1': TokenTypes.saml11Profile,
};

/**
 * Writes the body of an Issue response: a 1.3 RequestSecurityTokenResponseCollection with one
 * RSTR, or a bare 2005 RSTR. The output is compact because several clients take `firstChild`.
 */
export function writeIssueResponse(response: IssueResponse): string {
  const ns = TRUST_NS[response.version];
  const reference =
    `<wsse:SecurityTokenReference xmlns:wsse="${NS.wsse}" xmlns:wsse11="${NS.wsse11}" ` +
    `wsse11:TokenType="${STR_TOKEN_TYPE[response.samlVersion]}">` +
    `<wsse:KeyIdentifier ValueType="${SAML_ID_VALUE_TYPE[response.samlVersion]}">${text(response.assertionId)}` +
    `</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;
  const appliesTo = response.appliesTo
    ? `<wsp:AppliesTo xmlns:wsp="${response.appliesTo.policyNamespace}">` +
      `<wsa:EndpointReference xmlns:wsa="${response.appliesTo.addressingNamespace}">` +
      `<wsa:Address>${text(response.appliesTo.address)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`
    : '';
  const rstr =
    `<wst:RequestSecurityTokenResponse${response.version === '2005' ? ` xmlns:wst="${ns}"` : ''}` +
    (response.context !== undefined ? ` Context="${attr(response.context)}"` : '') +
    '>' +
    `<wst:TokenType>${text(response.tokenType)}</wst:TokenType>` +
    `<wst:RequestedSecurityToken>${response.tokenXml}</wst:RequestedSecurityToken>` +
    `<wst:RequestedAttachedReference>${reference}</wst:RequestedAttachedReference>` +
    `<wst:RequestedUnattachedReference>${reference}</wst:RequestedUnattachedReference>` +
    `<wst:Lifetime><wsu:Created xmlns:wsu="${NS.wsu}">${xmlDateTime(response.created)}</wsu:Created>` +
    `<wsu:Expires xmlns:wsu="${NS.wsu}">${xmlDateTime(response.expires)}</wsu:Expires></wst:Lifetime>` +
    appliesTo +
    `<wst:KeyType>${text(response.keyType)}</wst:KeyType>` +
    '</wst:RequestSecurityTokenResponse>';
  if (response.version === '2005') return rstr;
  return `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${ns}">${rstr}</wst:RequestSecurityTokenResponseCollection>`;
}
