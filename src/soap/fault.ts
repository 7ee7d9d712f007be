import {
  MustUnderstandError,
  RequestFailedError,
  StsError,
  VersionMismatchError,
  WSSE_NS,
  WST13_NS,
} from '../errors/index.js';
import { escapeAttribute, escapeText } from '../xml/index.js';
import { faultAction, WSA_NS, type AddressingHeaders } from './addressing.js';
import { SOAP_MEDIA_TYPE, SOAP_NS, type SoapVersion } from './envelope.js';
import { writeEnvelope } from './response.js';

/** A fault ready to send: HTTP status, Content-Type and the envelope text. */
export interface FaultResponse {
  status: number;
  contentType: string;
  body: string;
  /**
   * The fault code for the log, as docs/faults.md writes it: `wst:`, `wsse:` or `wsa:` and the
   * local name, or `env:` and the SOAP fault name (`env:Sender` in both SOAP versions).
   */
  code: string;
}

/** Context a fault needs: the SOAP version, the request's WS-Trust namespace and addressing. */
export interface FaultContext {
  version: SoapVersion;
  trustNamespace?: string;
  addressing?: AddressingHeaders;
}

/**
 * Turns any error into a SOAP fault. This is the only place that writes fault XML. An error that
 * is not an StsError becomes wst:RequestFailed with the generic reason, and its message never
 * reaches the client.
 *
 * SOAP 1.1 puts the fault QName in faultcode. SOAP 1.2 puts Sender or Receiver in Code/Value
 * and the QName in Subcode/Value, except for the envelope faults (VersionMismatch,
 * MustUnderstand, and Sender for an unreadable message), whose Code/Value is the whole code.
 */
export function writeFault(error: unknown, context: FaultContext): FaultResponse {
  const stsError = error instanceof StsError ? error : new RequestFailedError('internal error');
  const { version } = context;
  const code = faultCode(stsError, context);
  const reason = escapeText(stsError.publicReason());

  let body: string;
  if (version === '1.1') {
    body =
      `<s:Fault><faultcode${code.declaration}>${code.qname}</faultcode>` +
      `<faultstring xml:lang="en">${reason}</faultstring></s:Fault>`;
  } else {
    const subcode =
      stsError.family === 'soap' ? '' : `<s:Subcode><s:Value${code.declaration}>${code.qname}</s:Value></s:Subcode>`;
    body =
      `<s:Fault><s:Code><s:Value>${soap12CodeValue(stsError)}</s:Value>${subcode}</s:Code>` +
      `<s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason></s:Fault>`;
  }
  const addressing = context.addressing ?? {};
  const action = addressing.version ? faultAction(addressing.version) : '';
  const envelope = writeEnvelope(version, addressing, action, body, soap12FaultHeaders(stsError, version));
  return {
    status: httpStatus(stsError, version),
    contentType: `${SOAP_MEDIA_TYPE[version]}; charset=utf-8`,
    body: envelope,
    code: stsError.family === 'soap' ? `env:${stsError.localName}` : code.qname,
  };
}

function soap12CodeValue(error: StsError): string {
  if (error.family === 'soap') return `s:${error.localName}`;
  return error.side === 'sender' ? 's:Sender' : 's:Receiver';
}

/**
 * Header blocks that SOAP 1.2 adds to some faults: one NotUnderstood per mandatory header that
 * was not understood, and an Upgrade listing the supported envelope versions on VersionMismatch.
 */
function soap12FaultHeaders(error: StsError, version: SoapVersion): string {
  if (version !== '1.2') return '';
  if (error instanceof MustUnderstandError) {
    return error.notUnderstood
      .map(
        (name, index) =>
          `<s:NotUnderstood xmlns:n${index}="${escapeAttribute(name.namespace)}" ` +
          `qname="n${index}:${escapeAttribute(name.localName)}"></s:NotUnderstood>`,
      )
      .join('');
  }
  if (error instanceof VersionMismatchError) {
    return (
      `<s:Upgrade><s:SupportedEnvelope xmlns:v12="${SOAP_NS['1.2']}" qname="v12:Envelope"></s:SupportedEnvelope>` +
      `<s:SupportedEnvelope xmlns:v11="${SOAP_NS['1.1']}" qname="v11:Envelope"></s:SupportedEnvelope></s:Upgrade>`
    );
  }
  return '';
}

function faultCode(error: StsError, context: FaultContext): { qname: string; declaration: string } {
  switch (error.family) {
    case 'wst': {
      const namespace = context.trustNamespace ?? WST13_NS;
      return { qname: `wst:${error.localName}`, declaration: ` xmlns:wst="${namespace}"` };
    }
    case 'wsse':
      return { qname: `wsse:${error.localName}`, declaration: ` xmlns:wsse="${WSSE_NS}"` };
    case 'wsa': {
      const namespace = WSA_NS[context.addressing?.version ?? '2005/08'];
      return { qname: `wsa:${error.localName}`, declaration: ` xmlns:wsa="${namespace}"` };
    }
    default: {
      // SOAP 1.1 calls the sender side "Client"; SOAP 1.2 calls it "Sender".
      const local = context.version === '1.1' && error.localName === 'Sender' ? 'Client' : error.localName;
      return { qname: `s:${local}`, declaration: '' };
    }
  }
}

/**
 * SOAP 1.1 sends every fault with HTTP 500. The SOAP 1.2 HTTP binding uses 400 for Sender faults and
 * 500 for the rest, VersionMismatch and MustUnderstand included. An error class may fix its own
 * status, as the fault for an unreadable message does with 400.
 */
function httpStatus(error: StsError, version: SoapVersion): number {
  if (error.httpStatus !== 500) return error.httpStatus;
  if (version === '1.2' && error.side === 'sender' && error.family !== 'soap') return 400;
  return 500;
}
