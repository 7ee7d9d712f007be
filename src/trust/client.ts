import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SOAP_MEDIA_TYPE, SOAP_NS, type SoapVersion } from '../soap/index.js';
import { escapeAttribute as attr, escapeText as text, NS, UT } from '../xml/index.js';
import { BearerKeyTypes, requestTypeUri, TRUST_NS, type TrustVersion } from './uris.js';

/** Contents of the command-line client's RequestSecurityToken. */
export interface ClientRequestOptions {
  endpoint: string;
  username: string;
  password: string;
  digest: boolean;
  soapVersion: SoapVersion;
  trustVersion: TrustVersion;
  tokenType?: string;
  appliesTo?: string;
  now?: Date;
}

/** A request ready to send: body and HTTP headers. */
export interface ClientRequest {
  body: string;
  headers: Record<string, string>;
  messageId: string;
}

/**
 * Builds an Issue request as WS-Trust clients send it: WS-Addressing 1.0 headers, a
 * wsse:Security header with a Timestamp (5 minutes) and a UsernameToken (PasswordText, or
 * PasswordDigest with a fresh nonce), and a bearer RST.
 */
export function buildIssueRequest(options: ClientRequestOptions): ClientRequest {
  const now = options.now ?? new Date();
  const created = now.toISOString();
  const expires = new Date(now.getTime() + 300_000).toISOString();
  const trust = TRUST_NS[options.trustVersion];
  const action = `${trust}/RST/Issue`;
  const messageId = `urn:uuid:${randomUUID()}`;
  const soap = SOAP_NS[options.soapVersion];

  let password: string;
  if (options.digest) {
    const nonce = randomBytes(16);
    const digest = createHash('sha1').update(nonce).update(created).update(options.password, 'utf8').digest('base64');
    password =
      `<wsse:Password Type="${UT.passwordDigest}">${digest}</wsse:Password>` +
      `<wsse:Nonce EncodingType="${UT.base64Binary}">${nonce.toString('base64')}</wsse:Nonce>` +
      `<wsu:Created>${created}</wsu:Created>`;
  } else {
    password = `<wsse:Password Type="${UT.passwordText}">${text(options.password)}</wsse:Password>`;
  }
  const appliesTo = options.appliesTo
    ? `<wsp:AppliesTo xmlns:wsp="${NS.wsp2004}"><wsa:EndpointReference><wsa:Address>${text(options.appliesTo)}` +
      '</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>'
    : '';
  const body =
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${soap}" xmlns:wsa="${NS.wsa2005}" ` +
    `xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><s:Header>` +
    `<wsa:Action s:mustUnderstand="1">${action}</wsa:Action>` +
    `<wsa:MessageID>${messageId}</wsa:MessageID>` +
    '<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>' +
    `<wsa:To s:mustUnderstand="1">${text(options.endpoint)}</wsa:To>` +
    '<wsse:Security s:mustUnderstand="1">' +
    `<wsu:Timestamp wsu:Id="_${randomBytes(8).toString('hex')}"><wsu:Created>${created}</wsu:Created>` +
    `<wsu:Expires>${expires}</wsu:Expires></wsu:Timestamp>` +
    `<wsse:UsernameToken wsu:Id="_${randomBytes(8).toString('hex')}"><wsse:Username>${text(options.username)}` +
    `</wsse:Username>${password}</wsse:UsernameToken></wsse:Security></s:Header><s:Body>` +
    `<wst:RequestSecurityToken xmlns:wst="${trust}">` +
    (options.tokenType ? `<wst:TokenType>${text(options.tokenType)}</wst:TokenType>` : '') +
    `<wst:RequestType>${requestTypeUri(options.trustVersion, 'Issue')}</wst:RequestType>` +
    appliesTo +
    `<wst:KeyType>${attr(BearerKeyTypes[options.trustVersion][0])}</wst:KeyType>` +
    '</wst:RequestSecurityToken></s:Body></s:Envelope>';
  const headers: Record<string, string> =
    options.soapVersion === '1.2'
      ? { 'content-type': `${SOAP_MEDIA_TYPE['1.2']}; charset=utf-8; action="${action}"` }
      : { 'content-type': `${SOAP_MEDIA_TYPE['1.1']}; charset=utf-8`, soapaction: `"${action}"` };
  return { body, headers, messageId };
}
