import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import { loadFixture, refreshRequest, type ReplayOptions } from '../helpers/replay.js';
import {
  ADMIN_PASSWORD,
  postSoap,
  type RunningServer,
  type SeedRelyingParty,
  type SeedUser,
  type ServerOptions,
  type SoapResponse,
} from './harness.js';

/** Namespaces the Issue tests look for, written out here so that a wrong constant in src fails. */
export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsa2004: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsa2005: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsse11: 'http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wst13: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  wst2005: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  wsp2004: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  saml11: 'urn:oasis:names:tc:SAML:1.0:assertion',
  saml20: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Token type URIs, both spellings of each SAML version. */
export const TOKEN_TYPES = {
  saml20Profile: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0',
  saml20Urn: 'urn:oasis:names:tc:SAML:2.0:assertion',
  saml11Profile: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
  saml11Urn: 'urn:oasis:names:tc:SAML:1.0:assertion',
} as const;

/** Path of the WS-Trust endpoint, as WSO2 Identity Server names it. */
export const STS_PATH = '/services/wso2carbon-sts';

/** User of the WSS4J and zeep captures, with the PasswordDigest opt-in. */
export const ALICE: SeedUser = { name: 'alice', password: 's3cret!&<pw>', roles: ['admin'], digest: true };
/** User of the hand-written requests, with the PasswordDigest opt-in. */
export const USER01: SeedUser = {
  name: 'user01@example.test',
  password: 'Placeholder-Secret-01',
  roles: ['admin'],
  digest: true,
};
/** User with the allowed role but without the PasswordDigest opt-in. */
export const CAROL: SeedUser = { name: 'carol', password: 'Carol-Secret-01', roles: ['admin'] };
/** User whose password is right but who has no role the security policy allows. */
export const BOB: SeedUser = { name: 'bob', password: 'Bob-Secret-01', roles: ['staff'] };

/** Relying parties every Issue test server registers. */
export const RELYING_PARTIES: SeedRelyingParty[] = [
  { name: 'rp-localhost', config: { endpoint: 'https://rp.localhost/' } },
  { name: 'echo', config: { endpoint: 'https://localhost:10443/services/echo' } },
  { name: 'alpha', config: { endpoint: 'urn:example:rp:alpha' } },
  { name: 'beta', config: { endpoint: 'urn:example:rp:beta', audiences: ['urn:example:rp:beta:second'] } },
];

/** Server options for the Issue tests: the users and relying parties above, plus `extra`. */
export function issueServerOptions(extra: Partial<ServerOptions> = {}): ServerOptions {
  return { users: [ALICE, USER01, CAROL, BOB], relyingParties: RELYING_PARTIES, ...extra };
}

/** Public fault reasons, written out so that a changed text fails the tests. */
export const REASONS = {
  wsseFailedAuthentication: 'The security token could not be authenticated or authorized',
  wsseInvalidSecurityToken: 'An invalid security token was provided',
  unsupportedSecurityToken: 'An unsupported token was provided',
  messageExpired: 'The message has expired',
  invalidSecurity: 'An error was discovered processing the <wsse:Security> header',
  invalidScope: 'The request scope is not valid or is unsupported',
  mustUnderstand: 'One or more mandatory SOAP header blocks were not understood',
  versionMismatch: 'The message is not a SOAP envelope of the version that its Content-Type names',
  malformed: 'The message is not well-formed UTF-8 XML, contains a DOCTYPE, or exceeds the size or depth limits',
  actionMismatch: 'The SOAP action in the HTTP request does not match the wsa:Action header',
  invalidRequest: (element: string) => `The request was invalid or malformed: ${element}`,
} as const;

/** Password of each user in the captured requests, keyed by the fixture's user name. */
const FIXTURE_PASSWORDS: Record<string, string> = {
  alice: ALICE.password,
  admin: ADMIN_PASSWORD,
  'user01@example.test': USER01.password,
};

/**
 * Loads an interop fixture and refreshes its times, nonce and digest with the password of its
 * user. The WSO2 sample request (user admin, password admin) gets the test server's admin
 * password.
 */
export function freshRequest(name: string, options: ReplayOptions = {}): string {
  const xml = loadFixture(name);
  const username = /<(?:\w+:)?Username>([^<]*)</.exec(xml)?.[1] ?? '';
  const password = options.password ?? FIXTURE_PASSWORDS[username];
  return refreshRequest(xml, { ...options, password });
}

/** Returns the URL of the STS endpoint (or `path`) on one of the test server's listeners. */
export function stsUrl(server: RunningServer, transport: 'https' | 'http', path = STS_PATH): string {
  return (transport === 'https' ? server.httpsUrl : server.httpUrl) + path;
}

/** Options of {@link send}. */
export interface SendOptions {
  transport?: 'https' | 'http';
  path?: string;
  contentType?: string;
  soapAction?: string;
  headers?: Record<string, string>;
}

/** Posts a request to the test server, over HTTPS by default, trusting its certificate. */
export function send(server: RunningServer, body: string, options: SendOptions = {}): Promise<SoapResponse> {
  const transport = options.transport ?? 'https';
  return postSoap(stsUrl(server, transport, options.path), body, {
    contentType: options.contentType,
    soapAction: options.soapAction,
    headers: options.headers,
    caFile: transport === 'https' ? server.tlsCertFile : undefined,
  });
}

/** Parses XML and fails the test on any parser error or warning. */
export function parseXmlText(text: string): Document {
  const problems: string[] = [];
  const document = new DOMParser({ onError: (_level, message) => problems.push(String(message)) }).parseFromString(
    text,
    'text/xml',
  );
  assert.deepEqual(problems, [], 'the XML parses without errors');
  return document;
}

/** Element children of a node, in document order. */
export function elementChildren(parent: Element | Document): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) out.push(node as Element);
  }
  return out;
}

/** First element child with the namespace and local name, if any. */
export function child(parent: Element | Document | undefined, namespace: string, localName: string): Element | undefined {
  if (!parent) return undefined;
  return elementChildren(parent).find((element) => element.namespaceURI === namespace && element.localName === localName);
}

/** Returns every descendant element with the namespace and local name. */
export function descendants(root: Element | Document, namespace: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(namespace, localName));
}

/** Trimmed text content of an element; '' when it is missing. */
export function textOf(element: Element | undefined): string {
  return (element?.textContent ?? '').trim();
}

/** `{namespace}localName` of an element, for comparing names in asserts. */
export function nameOf(element: Element | undefined): string {
  return element ? `{${element.namespaceURI ?? ''}}${element.localName}` : '(none)';
}

/** Resolves a QName written in the text of `element` against the namespaces in scope there. */
export function resolveQName(element: Element | undefined): string {
  const value = textOf(element);
  const colon = value.indexOf(':');
  const prefix = colon < 0 ? null : value.slice(0, colon);
  const local = colon < 0 ? value : value.slice(colon + 1);
  return `{${element?.lookupNamespaceURI(prefix) ?? ''}}${local}`;
}

/** The envelope parts of a response: SOAP version, header blocks and Body. */
export interface ParsedEnvelope {
  document: Document;
  soapVersion: '1.1' | '1.2';
  header?: Element;
  body: Element;
}

/** Parses a SOAP response and checks that it is an Envelope with a Body. */
export function parseEnvelope(text: string): ParsedEnvelope {
  const document = parseXmlText(text);
  const envelope = document.documentElement!;
  assert.equal(envelope.localName, 'Envelope', 'the response is a SOAP Envelope');
  const soapNs = envelope.namespaceURI;
  assert.ok(soapNs === NS.soap11 || soapNs === NS.soap12, `the envelope namespace is SOAP: ${soapNs}`);
  const body = child(envelope, soapNs, 'Body');
  assert.ok(body, 'the envelope has a Body');
  return { document, soapVersion: soapNs === NS.soap11 ? '1.1' : '1.2', header: child(envelope, soapNs, 'Header'), body };
}

/** A fault as the tests compare it: codes as `{namespace}localName`, reason text and language. */
export interface FaultInfo {
  soapVersion: '1.1' | '1.2';
  /** SOAP 1.1 faultcode, or SOAP 1.2 Code/Value. */
  code: string;
  /** SOAP 1.2 Subcode/Value, when present. */
  subcode?: string;
  reason: string;
  reasonLanguage: string;
}

/** Reads the fault of a response, and fails the test when the Body contains no Fault. */
export function readFault(text: string): FaultInfo {
  const { body, soapVersion } = parseEnvelope(text);
  const soapNs = soapVersion === '1.1' ? NS.soap11 : NS.soap12;
  const fault = child(body, soapNs, 'Fault');
  assert.ok(fault, `the Body holds a Fault: ${text.slice(0, 300)}`);
  if (soapVersion === '1.1') {
    // SOAP 1.1 faultcode and faultstring are unqualified elements.
    const unqualified = (name: string) => elementChildren(fault).find((element) => !element.namespaceURI && element.localName === name);
    const faultstring = unqualified('faultstring');
    return {
      soapVersion,
      code: resolveQName(unqualified('faultcode')),
      reason: textOf(faultstring),
      reasonLanguage: faultstring?.getAttributeNS(NS.xml, 'lang') ?? '',
    };
  }
  const code = child(fault, NS.soap12, 'Code');
  const subcode = child(code, NS.soap12, 'Subcode');
  const reasonText = child(child(fault, NS.soap12, 'Reason'), NS.soap12, 'Text');
  return {
    soapVersion,
    code: resolveQName(child(code, NS.soap12, 'Value')),
    subcode: subcode ? resolveQName(child(subcode, NS.soap12, 'Value')) : undefined,
    reason: textOf(reasonText),
    reasonLanguage: reasonText?.getAttributeNS(NS.xml, 'lang') ?? '',
  };
}

/** Expected shape of a fault in {@link assertFault}. */
export interface ExpectedFault {
  /** The WS-Trust, WS-Security or WS-Addressing QName as `{namespace}localName`. */
  code: string;
  reason: string;
  /** HTTP status; checked when given. */
  status?: number;
}

/**
 * Checks a fault response: the code in the place its SOAP version puts it (SOAP 1.1 faultcode,
 * SOAP 1.2 Subcode under Sender or Receiver, or Code/Value for the envelope faults), the exact
 * reason, no internal text, and no token.
 */
export function assertFault(response: SoapResponse, expected: ExpectedFault): FaultInfo {
  const fault = readFault(response.body);
  const envelopeFault = expected.code.startsWith(`{${NS.soap11}}`) || expected.code.startsWith(`{${NS.soap12}}`);
  if (fault.soapVersion === '1.1' || envelopeFault) {
    assert.equal(fault.code, expected.code, 'fault code');
  } else {
    assert.equal(fault.subcode, expected.code, 'fault subcode');
    assert.ok(fault.code === `{${NS.soap12}}Sender` || fault.code === `{${NS.soap12}}Receiver`, `Code/Value: ${fault.code}`);
  }
  assert.equal(fault.reason, expected.reason, 'fault reason');
  if (expected.status !== undefined) assert.equal(response.status, expected.status, 'HTTP status');
  assertNoInternals(response.body);
  assert.ok(hasNoIssuedToken(response.body), 'the fault carries no token');
  return fault;
}

/** True when the response carries no token: no RequestedSecurityToken and no assertion. */
export function hasNoIssuedToken(body: string): boolean {
  return !/RequestedSecurityToken|Assertion[\s>/]|EncryptedAssertion|EncryptedData/.test(body);
}

/** Fails when a response shows a stack trace, a source path or an exception name. */
export function assertNoInternals(body: string): void {
  assert.doesNotMatch(body, /\bat [\w.<>]+ \(|\.[cm]?[jt]s:\d+|node_modules|Error:|TypeError|XmlParseError/, 'no internal text');
}

/**
 * Cuts the token out of a response's RequestedSecurityToken as sent, so that a verifier gets
 * the exact bytes the STS signed.
 */
export function cutToken(body: string): string {
  const match = /<(\w+):RequestedSecurityToken>([\s\S]*?)<\/\1:RequestedSecurityToken>/.exec(body);
  assert.ok(match, `the response has a RequestedSecurityToken: ${body.slice(0, 400)}`);
  return match[2];
}

/** Parses the issued assertion of a successful response on its own. */
export function tokenElement(body: string): Element {
  return parseXmlText(cutToken(body)).documentElement!;
}

/** The single RequestSecurityTokenResponse of an Issue response, in either WS-Trust version. */
export function rstrOf(body: string): Element {
  const { body: soapBody } = parseEnvelope(body);
  const payload = elementChildren(soapBody)[0];
  assert.ok(payload, 'the Body has a payload');
  if (payload.localName === 'RequestSecurityTokenResponseCollection') {
    const responses = elementChildren(payload);
    assert.equal(responses.length, 1, 'the collection holds one RSTR');
    return responses[0];
  }
  assert.equal(payload.localName, 'RequestSecurityTokenResponse', 'the payload is an RSTR');
  return payload;
}

/** Checks that a response is a 200 with a token and returns the token text. */
export function assertIssued(response: SoapResponse): string {
  assert.equal(response.status, 200, `HTTP 200 expected, got ${response.status}: ${response.body.slice(0, 600)}`);
  return cutToken(response.body);
}

/** Replaces exactly one occurrence of `search` in `text`, failing when it is absent. */
export function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  const found = typeof search === 'string' ? text.includes(search) : search.test(text);
  assert.ok(found, `the request contains ${String(search)}`);
  return text.replace(search, replacement);
}
