import { InvalidRequestError, MustUnderstandError, VersionMismatchError } from '../errors/index.js';
import { childElements, NS, type Document, type Element } from '../xml/index.js';

/** SOAP version of a message. */
export type SoapVersion = '1.1' | '1.2';

/** Envelope namespace of each SOAP version. */
export const SOAP_NS: Record<SoapVersion, string> = { '1.1': NS.soap11, '1.2': NS.soap12 };

/** Media type of each SOAP version. */
export const SOAP_MEDIA_TYPE: Record<SoapVersion, string> = { '1.1': 'text/xml', '1.2': 'application/soap+xml' };

/** SOAP facts read from the HTTP Content-Type of a request. */
export interface ContentTypeInfo {
  version: SoapVersion;
  /** SOAP 1.2 `action` media-type parameter, when present. */
  action?: string;
  /** `charset` media-type parameter, when present. */
  charset?: string;
}

/**
 * Reads the SOAP version from the Content-Type: `text/xml` is SOAP 1.1 and
 * `application/soap+xml` is SOAP 1.2. Returns undefined for any other media type.
 */
export function parseContentType(header: string | undefined): ContentTypeInfo | undefined {
  if (!header) return undefined;
  const [mediaType, ...parameters] = header.split(';');
  const type = mediaType.trim().toLowerCase();
  let version: SoapVersion;
  if (type === 'text/xml') version = '1.1';
  else if (type === 'application/soap+xml') version = '1.2';
  else return undefined;
  let action: string | undefined;
  let charset: string | undefined;
  for (const parameter of parameters) {
    const at = parameter.indexOf('=');
    if (at < 0) continue;
    const name = parameter.slice(0, at).trim().toLowerCase();
    const value = unquote(parameter.slice(at + 1).trim());
    if (name === 'action') action = value;
    else if (name === 'charset') charset = value;
  }
  return { version, action, charset };
}

/** Removes one pair of surrounding double quotes, as SOAPAction and media-type values carry. */
export function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** A parsed SOAP request: its version, header blocks and the single body payload. */
export interface SoapEnvelope {
  version: SoapVersion;
  document: Document;
  headerBlocks: Element[];
  payload: Element;
}

/**
 * Checks the envelope against the version the Content-Type announced and returns the header
 * blocks and the body's single child element.
 */
export function readEnvelope(document: Document, version: SoapVersion): SoapEnvelope {
  const envelope = document.documentElement!;
  if (envelope.localName !== 'Envelope' || (envelope.namespaceURI !== NS.soap11 && envelope.namespaceURI !== NS.soap12)) {
    throw new VersionMismatchError('the document element is not a SOAP 1.1 or SOAP 1.2 Envelope');
  }
  if (envelope.namespaceURI !== SOAP_NS[version]) {
    throw new VersionMismatchError(`the envelope namespace does not match the SOAP ${version} Content-Type`);
  }
  const { header, body } = envelopeParts(envelope, version);
  const payloads = childElements(body);
  if (payloads.length !== 1) {
    throw new InvalidRequestError(`SOAP Body has ${payloads.length} child elements, expected one`, { element: 'Body' });
  }
  return { version, document, headerBlocks: header ? childElements(header) : [], payload: payloads[0] };
}

/**
 * Returns the Header and Body of an envelope, which must come in that order and once each. A
 * repeated Header or Body is rejected because another processor could read a different copy.
 * SOAP 1.1 allows further elements after the Body; SOAP 1.2 does not.
 */
function envelopeParts(envelope: Element, version: SoapVersion): { header?: Element; body: Element } {
  const children = childElements(envelope);
  let index = 0;
  let header: Element | undefined;
  if (isSoapElement(children[index], version, 'Header')) header = children[index++];
  const body = children[index++];
  if (!isSoapElement(body, version, 'Body')) {
    throw new InvalidRequestError('SOAP Body is missing or not where the envelope schema puts it', { element: 'Body' });
  }
  const rest = children.slice(index);
  if (rest.some((extra) => isSoapElement(extra, version, 'Header') || isSoapElement(extra, version, 'Body'))) {
    throw new InvalidRequestError('SOAP Header or Body appears more than once', { element: 'Envelope' });
  }
  if (version === '1.2' && rest.length > 0) {
    throw new InvalidRequestError('SOAP 1.2 envelope has elements after the Body', { element: 'Envelope' });
  }
  return { header, body: body! };
}

function isSoapElement(element: Element | undefined, version: SoapVersion, localName: string): boolean {
  return element?.namespaceURI === SOAP_NS[version] && element.localName === localName;
}

/** True when a header block carries a mustUnderstand of "1" or "true" in its SOAP namespace. */
export function isMandatory(block: Element, version: SoapVersion): boolean {
  if (!block.hasAttributeNS(SOAP_NS[version], 'mustUnderstand')) return false;
  // xs:boolean allows surrounding whitespace. SOAP 1.1 defines only "0" and "1", but .NET and
  // WSO2 clients also send "true" there. A value that is not a boolean at all ("yes") counts as
  // mandatory, so that a header the sender meant to be mandatory is never silently skipped.
  const value = (block.getAttributeNS(SOAP_NS[version], 'mustUnderstand') ?? '').trim();
  return value !== '0' && value !== 'false';
}

/** SOAP 1.1 actor and SOAP 1.2 role values that address the STS, which is the ultimate receiver. */
const OWN_ROLES = new Set([
  'http://schemas.xmlsoap.org/soap/actor/next',
  'http://www.w3.org/2003/05/soap-envelope/role/next',
  'http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver',
]);

/** True when a header block is addressed to the STS: no actor or role, or next or ultimateReceiver. */
export function isForThisNode(block: Element): boolean {
  const target = block.getAttributeNS(NS.soap11, 'actor') || block.getAttributeNS(NS.soap12, 'role');
  return !target || OWN_ROLES.has(target.trim());
}

/**
 * Raises a MustUnderstand fault naming every mandatory header block whose qualified name is not
 * in `understood` (keys are `{namespace}localName`).
 */
export function checkMustUnderstand(envelope: SoapEnvelope, understood: ReadonlySet<string>): void {
  const missing = envelope.headerBlocks
    .filter((block) => isForThisNode(block) && isMandatory(block, envelope.version))
    .filter((block) => !understood.has(`{${block.namespaceURI ?? ''}}${block.localName}`))
    .map((block) => ({ namespace: block.namespaceURI ?? '', localName: block.localName ?? '' }));
  if (missing.length > 0) {
    const names = missing.map((name) => `{${name.namespace}}${name.localName}`).join(', ');
    throw new MustUnderstandError(`mandatory SOAP header not understood: ${names}`, { notUnderstood: missing });
  }
}
