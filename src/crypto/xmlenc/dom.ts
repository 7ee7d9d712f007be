/** DOM helpers for reading `xenc:EncryptedData`. Lookup failures raise XmlDecryptionError. */
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import { XENC_NS } from './algorithms.js';
import { XmlDecryptionError } from './errors.js';

/** Parses XML and raises on every parser error or warning, not only on fatal errors. */
export function parseXml(xml: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message.trim()}`);
    },
  });
  return parser.parseFromString(xml, 'application/xml');
}

/** Returns the message of a thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Returns the child elements of `parent` with the given namespace and local name. */
export function childElements(parent: Element, namespace: string, localName: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (node): node is Element =>
      node.nodeType === node.ELEMENT_NODE &&
      (node as Element).namespaceURI === namespace &&
      (node as Element).localName === localName,
  );
}

/** Returns the one matching child element, undefined when absent, and raises when repeated. */
export function optionalChild(
  parent: Element,
  namespace: string,
  localName: string,
  parentName: string,
): Element | undefined {
  const children = childElements(parent, namespace, localName);
  if (children.length > 1) {
    throw new XmlDecryptionError(`${parentName} contains more than one {${namespace}}${localName}`);
  }
  return children[0];
}

/** Returns the one matching child element and raises when it is absent or repeated. */
export function requiredChild(
  parent: Element,
  namespace: string,
  localName: string,
  parentName: string,
): Element {
  const child = optionalChild(parent, namespace, localName, parentName);
  if (child === undefined) {
    throw new XmlDecryptionError(`${parentName} is missing {${namespace}}${localName}`);
  }
  return child;
}

/** Returns the Algorithm attribute of the element's `xenc:EncryptionMethod` child. */
export function algorithmOf(parent: Element, parentName: string): string {
  const method = requiredChild(parent, XENC_NS, 'EncryptionMethod', parentName);
  const algorithm = method.getAttribute('Algorithm');
  if (algorithm === null || algorithm === '') {
    throw new XmlDecryptionError(`xenc:EncryptionMethod of ${parentName} has no Algorithm`);
  }
  return algorithm;
}

/** Returns the base64-decoded `xenc:CipherData/xenc:CipherValue` of the element. */
export function cipherValueOf(parent: Element, parentName: string): Buffer {
  const cipherData = requiredChild(parent, XENC_NS, 'CipherData', parentName);
  if (childElements(cipherData, XENC_NS, 'CipherReference').length > 0) {
    throw new XmlDecryptionError(`xenc:CipherReference in ${parentName} is not supported`);
  }
  const cipherValue = requiredChild(cipherData, XENC_NS, 'CipherValue', 'xenc:CipherData');
  return decodeBase64Strict(cipherValue.textContent ?? '', `xenc:CipherValue of ${parentName}`);
}

/** Decodes base64 after removing XML whitespace, raising on any other non-base64 character. */
function decodeBase64Strict(text: string, valueName: string): Buffer {
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new XmlDecryptionError(`${valueName} is not valid base64`);
  }
  return Buffer.from(compact, 'base64');
}

/** Returns the key of `table` whose value is `value`, such as the name of an algorithm URI. */
export function findKeyByValue<K extends string>(
  table: Readonly<Record<K, string>>,
  value: string,
): K | undefined {
  return (Object.keys(table) as K[]).find((key) => table[key] === value);
}
