import { randomUUID } from 'node:crypto';
import { escapeText } from '../xml/index.js';
import { WSA_NS, type AddressingHeaders } from './addressing.js';
import { SOAP_NS, type SoapVersion } from './envelope.js';

/**
 * Writes a response envelope. WS-Addressing headers (Action, MessageID, RelatesTo, To) are
 * written only when the request used WS-Addressing, in the same version. The body content is
 * placed with no whitespace around it, because several clients read the Body's first child.
 */
export function writeEnvelope(
  version: SoapVersion,
  addressing: AddressingHeaders,
  action: string,
  bodyContent: string,
  extraHeaders = '',
): string {
  const soap = SOAP_NS[version];
  let headers = extraHeaders;
  if (addressing.version) {
    const wsa = WSA_NS[addressing.version];
    const anonymous =
      addressing.version === '2005/08'
        ? 'http://www.w3.org/2005/08/addressing/anonymous'
        : 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
    headers +=
      `<wsa:Action xmlns:wsa="${wsa}">${escapeText(action)}</wsa:Action>` +
      `<wsa:MessageID xmlns:wsa="${wsa}">urn:uuid:${randomUUID()}</wsa:MessageID>` +
      (addressing.messageId
        ? `<wsa:RelatesTo xmlns:wsa="${wsa}">${escapeText(addressing.messageId)}</wsa:RelatesTo>`
        : '') +
      `<wsa:To xmlns:wsa="${wsa}">${escapeText(addressing.replyTo || anonymous)}</wsa:To>`;
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${soap}">` +
    (headers ? `<s:Header>${headers}</s:Header>` : '') +
    `<s:Body>${bodyContent}</s:Body></s:Envelope>`
  );
}
