import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { childElement, childElements, NS, parseXml, textOf, type Element } from '../xml/index.js';

/** Readable facts about an issued token, printed by `sts client` on stderr. */
export interface TokenSummary {
  kind: string;
  id?: string;
  issuer?: string;
  subject?: string;
  audiences: string[];
  notBefore?: string;
  notOnOrAfter?: string;
  attributes: Array<{ name: string; values: string[] }>;
  signature: string;
  /** False when the signature is missing or does not verify; undefined when it was not checked. */
  signatureValid?: boolean;
}

/**
 * Describes the token element and checks its signature: against `trustedCertPem` when given,
 * otherwise only against the certificate inside the token, and the summary names which one.
 */
export function summarizeToken(token: Element, tokenXml: string, trustedCertPem?: string): TokenSummary {
  if (token.namespaceURI === NS.saml20 && token.localName === 'EncryptedAssertion') {
    return encryptedSummary('SAML 2.0 EncryptedAssertion');
  }
  if (token.namespaceURI === NS.xenc && token.localName === 'EncryptedData') {
    return encryptedSummary('XML-encrypted token (SAML 1.1)');
  }
  const saml2 = token.namespaceURI === NS.saml20;
  let kind = token.localName ?? 'token';
  if (saml2) kind = 'SAML 2.0 assertion';
  else if (token.namespaceURI === NS.saml11) kind = 'SAML 1.1 assertion';
  const summary: TokenSummary = {
    kind,
    audiences: [],
    attributes: [],
    ...checkSignature(tokenXml, saml2 ? 'ID' : 'AssertionID', trustedCertPem),
  };
  summary.id = token.getAttribute(saml2 ? 'ID' : 'AssertionID') ?? undefined;
  summary.issuer = saml2 ? textOf(childElement(token, NS.saml20, 'Issuer')) : (token.getAttribute('Issuer') ?? undefined);
  const ns = saml2 ? NS.saml20 : NS.saml11;
  const conditions = childElement(token, ns, 'Conditions');
  summary.notBefore = conditions?.getAttribute('NotBefore') ?? undefined;
  summary.notOnOrAfter = conditions?.getAttribute('NotOnOrAfter') ?? undefined;
  for (const audience of Array.from(token.getElementsByTagNameNS(ns, 'Audience'))) summary.audiences.push(textOf(audience as Element));
  const nameId = token.getElementsByTagNameNS(ns, saml2 ? 'NameID' : 'NameIdentifier')[0] as Element | undefined;
  summary.subject = textOf(nameId);
  for (const attribute of Array.from(token.getElementsByTagNameNS(ns, 'Attribute')) as Element[]) {
    const name = saml2
      ? (attribute.getAttribute('Name') ?? '')
      : `${attribute.getAttribute('AttributeNamespace') ?? ''}/${attribute.getAttribute('AttributeName') ?? ''}`;
    summary.attributes.push({ name, values: childElements(attribute, ns, 'AttributeValue').map((value) => textOf(value)) });
  }
  return summary;
}

function encryptedSummary(kind: string): TokenSummary {
  return {
    kind,
    audiences: [],
    attributes: [],
    signature: 'not checked: the token is encrypted for the relying party and only it can read it',
  };
}

function checkSignature(
  tokenXml: string,
  idAttribute: string,
  trustedCertPem?: string,
): { signature: string; signatureValid?: boolean } {
  const document = parseXml(tokenXml, { maxBytes: 10 * 1024 * 1024, maxDepth: 100 });
  const root = document.documentElement!;
  const signature = childElements(root, NS.ds, 'Signature')[0];
  if (!signature) return { signature: 'MISSING: the token is not signed', signatureValid: false };
  let certificatePem = trustedCertPem;
  if (!certificatePem) {
    const embedded = textOf(signature.getElementsByTagNameNS(NS.ds, 'X509Certificate')[0] as Element | undefined);
    if (!embedded) return { signature: 'not checked: no --sts-cert given and no certificate in the token' };
    certificatePem = new X509Certificate(Buffer.from(embedded, 'base64')).toString();
  }
  const invalid = trustedCertPem
    ? 'INVALID: the token does not verify with the certificate from --sts-cert'
    : 'INVALID: the token does not verify with the certificate inside it';
  // xml-crypto already looks up ID, Id and id; naming ID again would make it see duplicates.
  const options = idAttribute === 'ID' ? { publicCert: certificatePem } : { publicCert: certificatePem, idAttribute };
  const verifier = new SignedXml(options as never);
  verifier.loadSignature(signature as never);
  try {
    if (!verifier.checkSignature(tokenXml)) return { signature: invalid, signatureValid: false };
  } catch {
    // xml-crypto's message quotes signature bytes, which tell the user nothing.
    return { signature: invalid, signatureValid: false };
  }
  return {
    signature: trustedCertPem
      ? 'valid (STS certificate from --sts-cert)'
      : 'valid with the certificate inside the token (pass --sts-cert to check it is the STS certificate)',
    signatureValid: true,
  };
}

/** Formats a summary as indented lines. */
export function formatSummary(tokenType: string, summary: TokenSummary): string {
  const lines = [`Token type:  ${tokenType}`, `Token:       ${summary.kind}${summary.id ? ` ${summary.id}` : ''}`];
  if (summary.issuer !== undefined) lines.push(`Issuer:      ${summary.issuer}`);
  if (summary.subject !== undefined) lines.push(`Subject:     ${summary.subject}`);
  if (summary.audiences.length) lines.push(`Audience:    ${summary.audiences.join(', ')}`);
  if (summary.notBefore || summary.notOnOrAfter) {
    lines.push(`Valid:       ${summary.notBefore ?? '?'} to ${summary.notOnOrAfter ?? '?'}`);
  }
  for (const attribute of summary.attributes) lines.push(`Attribute:   ${attribute.name} = ${attribute.values.join(', ')}`);
  lines.push(`Signature:   ${summary.signature}`);
  return lines.join('\n') + '\n';
}
