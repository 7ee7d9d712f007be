import { escapeAttribute as attr, escapeText as text, xmlDateTime } from '../../xml/index.js';
import { splitClaimUri, type AssertionParams } from '../model.js';

const SAML11_NS = 'urn:oasis:names:tc:SAML:1.0:assertion';

/** SAML 1.1 has one authentication method URI for every password-based login. */
const PASSWORD_METHOD = 'urn:oasis:names:tc:SAML:1.0:am:password';

/**
 * Writes an unsigned SAML 1.1 bearer assertion in exclusive canonical form and returns it with
 * the offset of its end tag, because the SAML 1.1 schema puts ds:Signature last.
 */
export function writeSaml11Assertion(params: AssertionParams): { xml: string; signatureOffset: number } {
  const subject =
    `<saml:Subject><saml:NameIdentifier Format="${attr(params.nameIdFormat)}">${text(params.subjectName)}` +
    `</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>` +
    `urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject>`;
  const audiences = params.audiences.map((audience) => `<saml:Audience>${text(audience)}</saml:Audience>`).join('');
  const conditions =
    `<saml:Conditions NotBefore="${xmlDateTime(params.notBefore)}" NotOnOrAfter="${xmlDateTime(params.notOnOrAfter)}">` +
    `<saml:AudienceRestrictionCondition>${audiences}</saml:AudienceRestrictionCondition></saml:Conditions>`;
  const authn =
    `<saml:AuthenticationStatement AuthenticationInstant="${xmlDateTime(params.authenticationInstant)}" ` +
    `AuthenticationMethod="${PASSWORD_METHOD}">${subject}</saml:AuthenticationStatement>`;
  const attributes = params.attributes.length
    ? `<saml:AttributeStatement>${subject}` +
      params.attributes
        .map((attribute) => {
          const { namespace, name } = splitClaimUri(attribute.uri);
          return (
            `<saml:Attribute AttributeName="${attr(name)}" AttributeNamespace="${attr(namespace)}">` +
            attribute.values.map((value) => `<saml:AttributeValue>${text(value)}</saml:AttributeValue>`).join('') +
            '</saml:Attribute>'
          );
        })
        .join('') +
      '</saml:AttributeStatement>'
    : '';
  const body =
    `<saml:Assertion xmlns:saml="${SAML11_NS}" AssertionID="${attr(params.id)}" ` +
    `IssueInstant="${xmlDateTime(params.issueInstant)}" Issuer="${attr(params.issuer)}" ` +
    `MajorVersion="1" MinorVersion="1">` +
    conditions +
    authn +
    attributes;
  return { xml: body + '</saml:Assertion>', signatureOffset: body.length };
}
