import { childElement, NS, textOf, type Element } from '../xml/index.js';

/** WS-Addressing version: 2004/08 (Submission) or 2005/08 (1.0). */
export type AddressingVersion = '2004/08' | '2005/08';

/** Namespace of each WS-Addressing version. */
export const WSA_NS: Record<AddressingVersion, string> = { '2004/08': NS.wsa2004, '2005/08': NS.wsa2005 };

/** The WS-Addressing headers of a request. */
export interface AddressingHeaders {
  version?: AddressingVersion;
  action?: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
  relatesTo?: string;
  faultTo?: string;
}

const HEADER_NAMES = ['Action', 'MessageID', 'To', 'ReplyTo', 'RelatesTo', 'From', 'FaultTo'];

/** Qualified names (`{ns}local`) of every WS-Addressing header the STS processes. */
export const ADDRESSING_HEADER_QNAMES: ReadonlySet<string> = new Set(
  [NS.wsa2004, NS.wsa2005].flatMap((ns) => [...HEADER_NAMES, 'messageID'].map((name) => `{${ns}}${name}`)),
);

/** Reads the WS-Addressing headers from the SOAP header blocks, in either namespace. */
export function readAddressing(headerBlocks: Element[]): AddressingHeaders {
  const headers: AddressingHeaders = {};
  for (const block of headerBlocks) {
    let version: AddressingVersion | undefined;
    if (block.namespaceURI === NS.wsa2005) version = '2005/08';
    else if (block.namespaceURI === NS.wsa2004) version = '2004/08';
    if (!version) continue;
    headers.version ??= version;
    switch (block.localName) {
      case 'Action':
        headers.action = textOf(block);
        break;
      // ADAL writes wsa:messageID with a lower-case m.
      case 'MessageID':
      case 'messageID':
        headers.messageId = textOf(block);
        break;
      case 'To':
        headers.to = textOf(block);
        break;
      case 'RelatesTo':
        headers.relatesTo = textOf(block);
        break;
      case 'ReplyTo':
        headers.replyTo = textOf(childElement(block, WSA_NS[version], 'Address'));
        break;
      case 'FaultTo':
        headers.faultTo = textOf(childElement(block, WSA_NS[version], 'Address'));
        break;
    }
  }
  return headers;
}

/** Action URI of a WS-Addressing fault in the given version. */
export function faultAction(version: AddressingVersion): string {
  return version === '2005/08'
    ? 'http://www.w3.org/2005/08/addressing/soap/fault'
    : 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault';
}
