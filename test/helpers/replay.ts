import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';

const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const WSA_NAMESPACES = [
  'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  'http://www.w3.org/2005/08/addressing',
];
const WSP_NAMESPACES = [
  'http://schemas.xmlsoap.org/ws/2004/09/policy',
  'http://www.w3.org/ns/ws-policy',
];
const WST_NAMESPACES = [
  'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  'http://schemas.xmlsoap.org/ws/2005/02/trust',
];
const PASSWORD_DIGEST_TYPE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

/** Lifetime of a refreshed `wsu:Timestamp`: Expires = Created + 5 minutes. */
const TIMESTAMP_LIFETIME_MS = 5 * 60 * 1000;
const NONCE_BYTES = 16;
const FIXTURE_DIRECTORY = new URL('../fixtures/interop/', import.meta.url);

/** Values that {@link refreshRequest} writes into a request in place of the captured ones. */
export interface ReplayOptions {
  /** Instant written as Created, and the base of Expires. Defaults to the current time. */
  now?: Date;
  /** Replacement `wsse:Username` text. */
  username?: string;
  /**
   * Password of the UsernameToken. A PasswordDigest is recomputed with it (and requires it).
   * A PasswordText or untyped Password gets it as its new text.
   */
  password?: string;
  /** Replacement `wsa:Address` inside `wsp:AppliesTo`. */
  appliesTo?: string;
  /** Replacement `wsa:MessageID`. Defaults to a fresh `urn:uuid:` value. */
  messageId?: string;
}

/**
 * Computes a UsernameToken PasswordDigest: Base64(SHA-1(nonce bytes ‖ Created text ‖ password)),
 * with Created and password encoded as UTF-8.
 */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

/** Reads a file of `test/fixtures/interop/` as UTF-8 text. */
export function loadFixture(name: string): string {
  if (name === '' || name.includes('/') || name.includes('\\') || name.startsWith('.')) {
    throw new Error(`invalid fixture name ${JSON.stringify(name)}: expected a plain file name`);
  }
  return readFileSync(new URL(name, FIXTURE_DIRECTORY), 'utf8');
}

/**
 * Rewrites a captured WS-Trust request so that a live server accepts it again.
 *
 * Every `wsu:Timestamp` gets Created = now and Expires = now + 5 minutes. Every
 * `wst:Lifetime` gets Created = now and keeps its original duration. Every `wsse:UsernameToken`
 * gets `wsu:Created` = now, a fresh random 16-byte `wsse:Nonce`, and a recomputed PasswordDigest.
 * Times keep the format of the text they replace (fraction digits and `Z` or `±hh:mm`). The
 * `wsa:MessageID` header is replaced even when `options.messageId` is not given.
 * NOTE: a malformed Nonce is replaced like any other, so a test of malformed nonces must write
 * its value back after the refresh (and keep the Password that goes with it).
 *
 * @throws Error if the request uses PasswordDigest and `options.password` is missing, or if an
 *   option names a value that the request does not contain.
 */
export function refreshRequest(xml: string, options: ReplayOptions = {}): string {
  const now = options.now ?? new Date();
  const document = parseRequest(xml);

  for (const timestamp of descendants(document, [WSU_NS], 'Timestamp')) {
    refreshTimestamp(timestamp, now);
  }
  for (const lifetime of descendants(document, WST_NAMESPACES, 'Lifetime')) {
    refreshLifetime(lifetime, now);
  }

  const tokens = descendants(document, [WSSE_NS], 'UsernameToken');
  if (tokens.length === 0 && (options.username !== undefined || options.password !== undefined)) {
    throw new Error(
      'options.username or options.password is set, but the request has no wsse:UsernameToken',
    );
  }
  for (const token of tokens) {
    refreshUsernameToken(token, now, options);
  }

  if (options.appliesTo !== undefined) {
    replaceAppliesTo(document, options.appliesTo);
  }
  replaceMessageId(document, options.messageId);

  return new XMLSerializer().serializeToString(document);
}

function parseRequest(xml: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') {
        throw new Error(`request is not well-formed XML: ${message}`);
      }
    },
  });
  return parser.parseFromString(xml, 'text/xml');
}

function refreshTimestamp(timestamp: Element, now: Date): void {
  const created = firstChild(timestamp, [WSU_NS], 'Created');
  if (created !== undefined) {
    setText(created, formatLike(now, created.textContent ?? ''));
  }
  const expires = firstChild(timestamp, [WSU_NS], 'Expires');
  if (expires !== undefined) {
    const expiry = new Date(now.getTime() + TIMESTAMP_LIFETIME_MS);
    setText(expires, formatLike(expiry, expires.textContent ?? ''));
  }
}

function refreshLifetime(lifetime: Element, now: Date): void {
  const created = firstChild(lifetime, [WSU_NS], 'Created');
  const expires = firstChild(lifetime, [WSU_NS], 'Expires');
  let durationMs = TIMESTAMP_LIFETIME_MS;
  if (created !== undefined && expires !== undefined) {
    const start = Date.parse(created.textContent ?? '');
    const end = Date.parse(expires.textContent ?? '');
    if (Number.isFinite(start) && Number.isFinite(end) && end > start) {
      durationMs = end - start;
    }
  }
  if (created !== undefined) {
    setText(created, formatLike(now, created.textContent ?? ''));
  }
  if (expires !== undefined) {
    setText(expires, formatLike(new Date(now.getTime() + durationMs), expires.textContent ?? ''));
  }
}

function refreshUsernameToken(token: Element, now: Date, options: ReplayOptions): void {
  if (options.username !== undefined) {
    const username = firstChild(token, [WSSE_NS], 'Username');
    if (username === undefined) {
      throw new Error('options.username is set, but the wsse:UsernameToken has no wsse:Username');
    }
    setText(username, options.username);
  }

  // Created and Nonce are written before the digest because the digest covers their new values.
  const created = firstChild(token, [WSU_NS], 'Created');
  if (created !== undefined) {
    setText(created, formatLike(now, created.textContent ?? ''));
  }
  const nonceElement = firstChild(token, [WSSE_NS], 'Nonce');
  let nonce = Buffer.alloc(0);
  if (nonceElement !== undefined) {
    nonce = randomBytes(NONCE_BYTES);
    setText(nonceElement, nonce.toString('base64'));
  }

  const password = firstChild(token, [WSSE_NS], 'Password');
  if (password === undefined) {
    if (options.password !== undefined) {
      throw new Error('options.password is set, but the wsse:UsernameToken has no wsse:Password');
    }
    return;
  }
  if (password.getAttribute('Type') === PASSWORD_DIGEST_TYPE) {
    if (options.password === undefined) {
      throw new Error(
        'options.password is missing: the request uses PasswordDigest, which must be recomputed',
      );
    }
    const createdText = created?.textContent ?? '';
    setText(password, passwordDigest(nonce, createdText, options.password));
  } else if (options.password !== undefined) {
    setText(password, options.password);
  }
}

function replaceAppliesTo(document: Document, address: string): void {
  const addresses = descendants(document, WSP_NAMESPACES, 'AppliesTo').flatMap((appliesTo) =>
    descendants(appliesTo, WSA_NAMESPACES, 'Address'),
  );
  if (addresses.length === 0) {
    throw new Error(
      'options.appliesTo is set, but the request has no wsa:Address inside wsp:AppliesTo',
    );
  }
  for (const element of addresses) {
    setText(element, address);
  }
}

function replaceMessageId(document: Document, messageId: string | undefined): void {
  const headers = descendants(document, WSA_NAMESPACES, 'MessageID');
  if (headers.length === 0 && messageId !== undefined) {
    throw new Error('options.messageId is set, but the request has no wsa:MessageID header');
  }
  for (const header of headers) {
    setText(header, messageId ?? `urn:uuid:${randomUUID()}`);
  }
}

/** Layout of an xs:dateTime text: number of fraction digits and the zone suffix as written. */
interface DateTimeLayout {
  fractionDigits: number;
  zone: string;
}

const DATE_TIME_PATTERN =
  /^\s*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?\s*$/;

/**
 * Formats `instant` in the layout of `previous`. Text that is not an xs:dateTime (such as a
 * `{{NOW}}` template placeholder) gets whole seconds with `Z`.
 */
function formatLike(instant: Date, previous: string): string {
  const match = DATE_TIME_PATTERN.exec(previous);
  const layout: DateTimeLayout =
    match === null
      ? { fractionDigits: 0, zone: 'Z' }
      : { fractionDigits: match[1]?.length ?? 0, zone: match[2] ?? '' };
  return formatDateTime(instant, layout);
}

function formatDateTime(instant: Date, layout: DateTimeLayout): string {
  const offsetMinutes = zoneOffsetMinutes(layout.zone);
  // toISOString always renders UTC, so shifting the instant renders the local time of the zone.
  const iso = new Date(instant.getTime() + offsetMinutes * 60_000).toISOString();
  const seconds = iso.slice(0, 19);
  let fraction = '';
  if (layout.fractionDigits > 0) {
    const milliseconds = iso.slice(20, 23);
    fraction =
      '.' + milliseconds.padEnd(layout.fractionDigits, '0').slice(0, layout.fractionDigits);
  }
  return seconds + fraction + layout.zone;
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === '' || zone === 'Z') {
    return 0;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return sign * (hours * 60 + minutes);
}

function descendants(root: Document | Element, namespaces: string[], localName: string): Element[] {
  const found: Element[] = [];
  for (const namespace of namespaces) {
    found.push(...Array.from(root.getElementsByTagNameNS(namespace, localName)));
  }
  return found;
}

function firstChild(parent: Element, namespaces: string[], localName: string): Element | undefined {
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== node.ELEMENT_NODE) {
      continue;
    }
    const element = node as Element;
    if (element.localName === localName && namespaces.includes(element.namespaceURI ?? '')) {
      return element;
    }
  }
  return undefined;
}

function setText(element: Element, text: string): void {
  while (element.firstChild !== null) {
    element.removeChild(element.firstChild);
  }
  const document = element.ownerDocument;
  if (document === null) {
    throw new Error(`element ${element.tagName} belongs to no document`);
  }
  element.appendChild(document.createTextNode(text));
}
