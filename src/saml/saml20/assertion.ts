import { escapeAttribute as attr, escapeText as text, xmlDateTime } from '../../xml/index.js';
import type { AssertionParams, AuthenticationMethod } from '../model.js';

const SAML2_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

const AUTHN_CONTEXT: Record<AuthenticationMethod, string> = {
  'password-transport': 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  'password-digest': 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
};

/**
 * Writes an unsigned SAML 2.0 bearer assertion in exclusive canonical form and returns it with
 * the offset right after Issuer, where the schema wants ds:Signature.
 */
export function writeSaml20Assertion(params: AssertionParams): { xml: string; signatureOffset: number } {
  const head =
    `<saml2:Assertion xmlns:saml2="${SAML2_NS}" ID="${attr(params.id)}" ` +
    `IssueInstant="${xmlDateTime(params.issueInstant)}" Version="2.0">` +
    `<saml2:Issuer>${text(params.issuer)}</saml2:Issuer>`;
  const subject =
    `<saml2:Subject><saml2:NameID Format="${attr(params.nameIdFormat)}">${text(params.subjectName)}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml2:SubjectConfirmationData NotOnOrAfter="${xmlDateTime(params.notOnOrAfter)}">` +
    `</saml2:SubjectConfirmationData></saml2:SubjectConfirmation></saml2:Subject>`;
  const audiences = params.audiences.map((audience) => `<saml2:Audience>${text(audience)}</saml2:Audience>`).join('');
  const conditions =
    `<saml2:Conditions NotBefore="${xmlDateTime(params.notBefore)}" NotOnOrAfter="${xmlDateTime(params.notOnOrAfter)}">` +
    `<saml2:AudienceRestriction>${audiences}</saml2:AudienceRestriction></saml2:Conditions>`;
  const authn =
    `<saml2:AuthnStatement AuthnInstant="${xmlDateTime(params.authenticationInstant)}">` +
    `<saml2:AuthnContext><saml2:AuthnContextClassRef>${AUTHN_CONTEXT[params.authenticationMethod]}` +
    `</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>`;
  const attributes = params.attributes.length
    ? '<saml2:AttributeStatement>' +
      params.attributes
        .map(
          (attribute) =>
            `<saml2:Attribute Name="${attr(attribute.uri)}" ` +
            `NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">` +
            attribute.values.map((value) => `<saml2:AttributeValue>${text(value)}</saml2:AttributeValue>`).join('') +
            '</saml2:Attribute>',
        )
        .join('') +
      '</saml2:AttributeStatement>'
    : '';
  const xml = head + subject + conditions + authn + attributes + '</saml2:Assertion>';
  return { xml, signatureOffset: head.length };
}
