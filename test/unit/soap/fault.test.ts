import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import {
  ActionMismatchError,
  InvalidRequestError,
  InvalidSecurityError,
  MalformedMessageError,
  MustUnderstandError,
  RequestFailedError,
  VersionMismatchError,
  WsseFailedAuthenticationError,
} from '../../../src/errors/index.js';
import { writeFault, type FaultContext } from '../../../src/soap/index.js';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const WST13 = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
const WST2005 = 'http://schemas.xmlsoap.org/ws/2005/02/trust';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSA2005 = 'http://www.w3.org/2005/08/addressing';
const WSA2004 = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function parse(text: string): Document {
  const problems: string[] = [];
  const document = new DOMParser({ onError: (_level, message) => problems.push(String(message)) }).parseFromString(
    text,
    'text/xml',
  );
  assert.deepEqual(problems, []);
  return document;
}

function only(root: Document | Element, namespace: string, localName: string): Element {
  const found = Array.from(root.getElementsByTagNameNS(namespace, localName));
  assert.equal(found.length, 1, `one {${namespace}}${localName}`);
  return found[0];
}

function elementChildren(parent: Element): Element[] {
  return Array.from(parent.childNodes).filter((node) => node.nodeType === 1) as Element[];
}

/** Resolves the QName in an element's text against the namespaces in scope there. */
function qnameOf(element: Element): string {
  const [prefix, local] = (element.textContent ?? '').split(':');
  return `{${element.lookupNamespaceURI(prefix) ?? ''}}${local}`;
}

/** Writes a fault and returns the parsed envelope with the HTTP fields. */
function fault(error: unknown, context: FaultContext) {
  const response = writeFault(error, context);
  return { ...response, document: parse(response.body) };
}

describe('writeFault SOAP 1.1', () => {
  test('WS-Trust fault uses faultcode', () => {
    const { document, status, contentType, code } = fault(new InvalidRequestError('no RequestType', { element: 'RequestType' }), {
      version: '1.1',
      trustNamespace: WST13,
    });
    assert.equal(status, 500);
    assert.equal(contentType, 'text/xml; charset=utf-8');
    assert.equal(code, 'wst:InvalidRequest');
    const soapFault = only(document, SOAP11, 'Fault');
    const [faultcode, faultstring] = elementChildren(soapFault);
    assert.equal(faultcode.localName, 'faultcode');
    assert.equal(qnameOf(faultcode), `{${WST13}}InvalidRequest`);
    assert.equal(faultstring.localName, 'faultstring');
    assert.equal(faultstring.textContent, 'The request was invalid or malformed: RequestType');
    assert.equal(faultstring.getAttributeNS(XML_NS, 'lang'), 'en');
  });

  test('MustUnderstand uses the envelope namespace', () => {
    const error = new MustUnderstandError('x', { notUnderstood: [{ namespace: 'urn:example', localName: 'Trace' }] });
    const { document, status, code } = fault(error, { version: '1.1' });
    assert.equal(status, 500);
    assert.equal(code, 'env:MustUnderstand');
    const faultcode = elementChildren(only(document, SOAP11, 'Fault'))[0];
    assert.equal(qnameOf(faultcode), `{${SOAP11}}MustUnderstand`);
    assert.equal(document.getElementsByTagNameNS(SOAP12, 'NotUnderstood').length, 0, 'SOAP 1.1 has no NotUnderstood');
  });

  test('malformed message is Client with 400', () => {
    const { document, status, code } = fault(new MalformedMessageError('DOCTYPE'), { version: '1.1' });
    assert.equal(status, 400);
    assert.equal(code, 'env:Sender');
    assert.equal(qnameOf(elementChildren(only(document, SOAP11, 'Fault'))[0]), `{${SOAP11}}Client`);
  });
});

describe('writeFault SOAP 1.2', () => {
  test('WS-Security fault uses Sender and Subcode', () => {
    const { document, status, contentType } = fault(new WsseFailedAuthenticationError('wrong password'), { version: '1.2' });
    assert.equal(status, 400);
    assert.equal(contentType, 'application/soap+xml; charset=utf-8');
    const soapFault = only(document, SOAP12, 'Fault');
    assert.deepEqual(elementChildren(soapFault).map((element) => element.localName), ['Code', 'Reason']);
    const code = only(soapFault, SOAP12, 'Code');
    assert.equal(qnameOf(elementChildren(code)[0]), `{${SOAP12}}Sender`);
    assert.equal(qnameOf(only(only(code, SOAP12, 'Subcode'), SOAP12, 'Value')), `{${WSSE}}FailedAuthentication`);
    const text = only(only(soapFault, SOAP12, 'Reason'), SOAP12, 'Text');
    assert.equal(text.getAttributeNS(XML_NS, 'lang'), 'en');
    assert.equal(text.textContent, 'The security token could not be authenticated or authorized');
  });

  test('trust namespace follows the request', () => {
    const { document } = fault(new InvalidRequestError('x', { element: 'KeyType' }), { version: '1.2', trustNamespace: WST2005 });
    const subcode = only(only(document, SOAP12, 'Subcode'), SOAP12, 'Value');
    assert.equal(qnameOf(subcode), `{${WST2005}}InvalidRequest`);
    assert.ok(!writeFault(new InvalidRequestError('x'), { version: '1.2', trustNamespace: WST2005 }).body.includes(WST13));
  });

  test('other errors become RequestFailed', () => {
    const { document, status, body, code } = fault(new TypeError('secret internal detail'), { version: '1.2' });
    assert.equal(status, 500);
    assert.equal(code, 'wst:RequestFailed');
    assert.equal(qnameOf(elementChildren(only(document, SOAP12, 'Code'))[0]), `{${SOAP12}}Receiver`);
    assert.equal(only(document, SOAP12, 'Text').textContent, 'The request failed');
    assert.ok(!body.includes('secret internal detail'));
  });

  test('receiver error keeps status 500', () => {
    assert.equal(writeFault(new RequestFailedError('x'), { version: '1.2' }).status, 500);
  });

  test('MustUnderstand lists NotUnderstood headers', () => {
    const error = new MustUnderstandError('x', {
      notUnderstood: [
        { namespace: 'urn:example:unknown-extension', localName: 'TraceContext' },
        { namespace: 'urn:example:other', localName: 'Routing' },
      ],
    });
    const { document, status } = fault(error, { version: '1.2' });
    assert.equal(status, 500);
    const code = only(document, SOAP12, 'Code');
    assert.equal(qnameOf(elementChildren(code)[0]), `{${SOAP12}}MustUnderstand`);
    assert.equal(code.getElementsByTagNameNS(SOAP12, 'Subcode').length, 0);
    const names = Array.from(document.getElementsByTagNameNS(SOAP12, 'NotUnderstood')).map((element) => {
      const [prefix, local] = (element.getAttribute('qname') ?? '').split(':');
      return `{${element.lookupNamespaceURI(prefix)}}${local}`;
    });
    assert.deepEqual(names, ['{urn:example:unknown-extension}TraceContext', '{urn:example:other}Routing']);
    assert.equal(only(document, SOAP12, 'Text').textContent, 'One or more mandatory SOAP header blocks were not understood');
  });

  test('VersionMismatch lists supported envelopes', () => {
    const { document, status } = fault(new VersionMismatchError('x'), { version: '1.2' });
    assert.equal(status, 500);
    const supported = Array.from(document.getElementsByTagNameNS(SOAP12, 'SupportedEnvelope')).map((element) => {
      const [prefix, local] = (element.getAttribute('qname') ?? '').split(':');
      return `{${element.lookupNamespaceURI(prefix)}}${local}`;
    });
    assert.deepEqual(supported, [`{${SOAP12}}Envelope`, `{${SOAP11}}Envelope`]);
  });

  test('malformed message is Sender without subcode', () => {
    const { document, status } = fault(new MalformedMessageError('too deep'), { version: '1.2' });
    assert.equal(status, 400);
    const code = only(document, SOAP12, 'Code');
    assert.equal(qnameOf(elementChildren(code)[0]), `{${SOAP12}}Sender`);
    assert.equal(code.getElementsByTagNameNS(SOAP12, 'Subcode').length, 0);
  });

  test('reason markup is escaped', () => {
    const { document } = fault(new InvalidSecurityError('x'), { version: '1.2' });
    assert.equal(only(document, SOAP12, 'Text').textContent, 'An error was discovered processing the <wsse:Security> header');
  });

  test('Fault is the first Body child', () => {
    const { document } = fault(new InvalidSecurityError('x'), { version: '1.2' });
    assert.equal(only(document, SOAP12, 'Body').firstChild, only(document, SOAP12, 'Fault'));
  });
});

describe('writeFault addressing', () => {
  test('WS-Addressing 1.0 fault action and RelatesTo', () => {
    const { document } = fault(new InvalidSecurityError('x'), {
      version: '1.2',
      addressing: { version: '2005/08', messageId: 'urn:uuid:request-1' },
    });
    assert.equal(only(document, WSA2005, 'Action').textContent, 'http://www.w3.org/2005/08/addressing/soap/fault');
    assert.equal(only(document, WSA2005, 'RelatesTo').textContent, 'urn:uuid:request-1');
  });

  test('WS-Addressing 2004/08 fault action', () => {
    const { document } = fault(new InvalidSecurityError('x'), {
      version: '1.1',
      addressing: { version: '2004/08', messageId: 'urn:uuid:request-2' },
    });
    assert.equal(only(document, WSA2004, 'Action').textContent, 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault');
    assert.equal(only(document, WSA2004, 'RelatesTo').textContent, 'urn:uuid:request-2');
  });

  test('ActionMismatch follows addressing version', () => {
    const { document } = fault(new ActionMismatchError('x'), { version: '1.2', addressing: { version: '2004/08' } });
    const subcode = only(only(document, SOAP12, 'Subcode'), SOAP12, 'Value');
    assert.equal(qnameOf(subcode), `{${WSA2004}}ActionMismatch`);
  });

  test('no addressing headers without WS-Addressing', () => {
    const { document } = fault(new InvalidSecurityError('x'), { version: '1.2' });
    assert.equal(document.getElementsByTagNameNS(SOAP12, 'Header').length, 0);
  });
});
