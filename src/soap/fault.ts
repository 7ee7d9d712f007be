import { SoapFaultError, StsError, RequestFailedError, WSSE_NS, WST13_NS } from '../errors/index.js';
import { escapeAttribute, escapeText } from '../xml/index.js';
import { faultAction, WSA_NS, type AddressingHeaders } from './addressing.js';
import { SOAP_MEDIA_TYPE, type SoapVersion } from './envelope.js';
import { writeEnvelope } from './response.js';

/** A fault ready to send: HTTP status, Content-Type and the envelope text. */
export interface FaultResponse {
  status: number;
  contentType: string;
  body: string;
  /** The fault code as `prefix:LocalName`, for the log. */
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
 * is not an StsError becomes wst:RequestFailed with the generic reason; its message never reaches
 * the client.
 */
export function writeFault(error: unknown, context: FaultContext): FaultResponse {
  const stsError = error instanceof StsError ? error : new RequestFailedError('internal error');
  const { version } = context;
  const addressing = context.addressing ?? {};
  const code = faultCode(stsError, context);
  const reason = escapeText(stsError.publicReason());

  let body: string;
  let headers = '';
  if (stsError instanceof SoapFaultError && stsError.localName === 'MustUnderstand' && version === '1.2') {
    headers = stsError.notUnderstood
      .map(
        (name, index) =>
          `<s:NotUnderstood xmlns:n${index}="${escapeAttribute(name.namespace)}" qname="n${index}:${escapeAttribute(name.localName)}"/>`,
      )
      .join('');
  }
  if (version === '1.1') {
    body =
      `<s:Fault><faultcode${code.declaration}>${code.qname}</faultcode>` +
      `<faultstring xml:lang="en">${reason}</faultstring></s:Fault>`;
  } else {
    const top =
      stsError.family === 'soap' && stsError.localName !== 'Sender'
        ? `s:${stsError.localName}`
        : stsError.side === 'sender'
          ? 's:Sender'
          : 's:Receiver';
    const subcode =
      stsError.family === 'soap'
        ? ''
        : `<s:Subcode><s:Value${code.declaration}>${code.qname}</s:Value></s:Subcode>`;
    body =
      `<s:Fault><s:Code><s:Value>${top}</s:Value>${subcode}</s:Code>` +
      `<s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason></s:Fault>`;
  }
  const action = addressing.version ? faultAction(addressing.version) : '';
  const envelope = writeEnvelope(version, addressing, action, body, headers);
  return {
    status: httpStatus(stsError, version),
    contentType: `${SOAP_MEDIA_TYPE[version]}; charset=utf-8`,
    body: envelope,
    code: code.qname,
  };
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
 * SOAP 1.1 answers every fault with 500. The SOAP 1.2 HTTP binding uses 400 for Sender faults and
 * 500 for the rest.
 */
function httpStatus(error: StsError, version: SoapVersion): number {
  if (error instanceof SoapFaultError && error.httpStatus !== 500) return error.httpStatus;
  if (version === '1.2' && error.side === 'sender' && error.localName !== 'MustUnderstand' && error.localName !== 'VersionMismatch') {
    return 400;
  }
  return 500;
}
