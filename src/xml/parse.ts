import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';

export type { Document, Element, Node } from '@xmldom/xmldom';

/** Limits applied before any XML is parsed. */
export interface ParseLimits {
  maxBytes: number;
  maxDepth: number;
  /** Maximum number of elements in the document; 4096 when unset. */
  maxElements?: number;
}

/** Element count allowed when a caller sets none: a WS-Trust request has a few dozen. */
const DEFAULT_MAX_ELEMENTS = 4096;

/** Most attributes (namespace declarations included) on one element. */
const MAX_ATTRIBUTES = 64;

/** Raised for input that is not acceptable XML; the message is safe to log, never to send. */
export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

/** Characters XML 1.0 does not allow anywhere in a document, written raw. */
const FORBIDDEN_CHARACTERS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** xmldom reports some malformed markup (such as unquoted attribute values) only as a warning. */
const HARMLESS_WARNING = /^Unicode replacement character detected/;

/**
 * Parses untrusted XML. Rejects any DOCTYPE (so no entity expansion or external entities can
 * happen), input over `maxBytes`, and nesting deeper than `maxDepth`, all before building a DOM.
 * A leading byte order mark is allowed, as XML allows it. Markup that xmldom only warns about is
 * rejected too, because it is not well-formed.
 */
export function parseXml(text: string, limits: ParseLimits): Document {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new XmlParseError(`message larger than ${limits.maxBytes} bytes`);
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (FORBIDDEN_CHARACTERS.test(source)) throw new XmlParseError('not well-formed XML: contains a character that XML does not allow');
  scanMarkup(source, limits.maxDepth, limits.maxElements ?? DEFAULT_MAX_ELEMENTS);

  let failure: string | undefined;
  const parser = new DOMParser({
    onError: (level, message) => {
      const first = String(message);
      if (level === 'warning' && HARMLESS_WARNING.test(first)) return;
      failure ??= first;
    },
  });
  let document: Document;
  try {
    document = parser.parseFromString(source, 'text/xml');
  } catch (error) {
    throw new XmlParseError(`not well-formed XML: ${describeParserMessage((error as Error).message)}`);
  }
  if (failure !== undefined) {
    throw new XmlParseError(`not well-formed XML: ${describeParserMessage(failure)}`);
  }
  if (!document.documentElement) throw new XmlParseError('no document element');
  return document;
}

/**
 * Shortens an xmldom message for the log to its first line, plus the line and column when
 * xmldom gives them. Quoted fragments of the document become "…", because they could hold a
 * password.
 */
function describeParserMessage(message: string): string {
  const [first, ...rest] = message.split('\n');
  const text = first.replace(/(["'])(?:(?!\1).)*\1/g, '"…"').replace(/(:\s*)&[^;\s]*;?$/, '$1&…;');
  const position = /line:(\d+),col:(\d+)/.exec(rest.join('\n'));
  return position ? `${text} (line ${position[1]}, column ${position[2]})` : text;
}

/**
 * Single pass over the markup that rejects DOCTYPE and entity declarations and measures element
 * depth, element count and attributes per element, so that a small message cannot make the DOM
 * builder do a lot of work. Quoted attribute values, comments, CDATA sections and processing instructions are
 * skipped so that a '>' inside them does not confuse the count.
 */
function scanMarkup(text: string, maxDepth: number, maxElements: number): void {
  let depth = 0;
  let elements = 0;
  let i = 0;
  const length = text.length;
  while (i < length) {
    const open = text.indexOf('<', i);
    if (open < 0) break;
    const next = text.charCodeAt(open + 1);
    if (text.startsWith('<!--', open)) {
      i = skipPast(text, open + 4, '-->');
    } else if (text.startsWith('<![CDATA[', open)) {
      i = skipPast(text, open + 9, ']]>');
    } else if (next === 0x3f /* ? */) {
      i = skipPast(text, open + 2, '?>');
    } else if (next === 0x21 /* ! */) {
      throw new XmlParseError('DOCTYPE and entity declarations are not allowed');
    } else if (next === 0x2f /* / */) {
      depth--;
      i = skipPast(text, open + 2, '>');
    } else {
      const { end, attributes } = findTagEnd(text, open + 1);
      if (++elements > maxElements) throw new XmlParseError(`more than ${maxElements} elements`);
      if (attributes > MAX_ATTRIBUTES) throw new XmlParseError(`an element has more than ${MAX_ATTRIBUTES} attributes`);
      if (text.charCodeAt(end - 1) !== 0x2f) {
        depth++;
        if (depth > maxDepth) throw new XmlParseError(`element nesting deeper than ${maxDepth}`);
      }
      i = end + 1;
    }
  }
}

function skipPast(text: string, from: number, terminator: string): number {
  const at = text.indexOf(terminator, from);
  if (at < 0) throw new XmlParseError('not well-formed XML: unterminated markup');
  return at + terminator.length;
}

/** Finds the '>' that ends a start tag and counts its attributes (each has one '=' outside quotes). */
function findTagEnd(text: string, from: number): { end: number; attributes: number } {
  let quote = 0;
  let attributes = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3d /* = */) {
      attributes++;
    } else if (c === 0x3e) {
      return { end: i, attributes };
    }
  }
  throw new XmlParseError('not well-formed XML: unterminated start tag');
}

/** Child elements of `parent`, optionally filtered by namespace and local name. */
export function childElements(parent: Element | Document, namespace?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (namespace !== undefined && element.namespaceURI !== namespace) continue;
    if (localName !== undefined && element.localName !== localName) continue;
    out.push(element);
  }
  return out;
}

/** First child element with the namespace (one of several) and local name, if any. */
export function childElement(
  parent: Element | Document,
  namespaces: string | readonly string[],
  localName: string,
): Element | undefined {
  const list = typeof namespaces === 'string' ? [namespaces] : namespaces;
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (element.localName === localName && list.includes(element.namespaceURI ?? '')) return element;
  }
  return undefined;
}

/** Text content of an element, trimmed. */
export function textOf(element: Element | undefined): string {
  return (element?.textContent ?? '').trim();
}
