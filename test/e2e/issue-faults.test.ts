import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from './harness.js';
import {
  assertFault,
  assertIssued,
  child,
  descendants,
  elementChildren,
  freshRequest,
  issueServerOptions,
  nameOf,
  NS,
  parseEnvelope,
  readFault,
  REASONS,
  replaceOnce,
  send,
  textOf,
} from './issue-setup.js';

const UNKNOWN_HEADER = '{urn:example:unknown-extension}TraceContext';
/** The unknown header block of the fixture, as written there. */
const UNKNOWN_HEADER_XML = '<x:TraceContext xmlns:x="urn:example:unknown-extension" s:mustUnderstand="1">';

let server: RunningServer;

before(async () => {
  server = await startServer(issueServerOptions());
});

after(async () => {
  await server?.stop();
});

describe('mustUnderstand processing', () => {
  test('mandatory known headers get token', async () => {
    const request = freshRequest('rst13-baseline.xml');
    assert.equal(request.match(/s:mustUnderstand="1"/g)?.length, 3, 'Action, To and Security are mandatory');
    assertIssued(await send(server, request));
  });

  test('unknown mandatory header gets MustUnderstand', async () => {
    const response = await send(server, freshRequest('unknown-mustunderstand-header.xml'));
    const fault = assertFault(response, { code: `{${NS.soap12}}MustUnderstand`, reason: REASONS.mustUnderstand });
    assert.equal(fault.subcode, undefined, 'MustUnderstand has no subcode');
    assert.equal(response.status, 500);
    assert.match(response.contentType, /^application\/soap\+xml/);

    const { header } = parseEnvelope(response.body);
    const notUnderstood = descendants(header!, NS.soap12, 'NotUnderstood');
    assert.equal(notUnderstood.length, 1, 'one NotUnderstood header block');
    const qname = notUnderstood[0].getAttribute('qname') ?? '';
    const [prefix, local] = qname.split(':');
    assert.equal(`{${notUnderstood[0].lookupNamespaceURI(prefix)}}${local}`, UNKNOWN_HEADER);
  });

  test('reason does not name the header', async () => {
    const response = await send(server, freshRequest('unknown-mustunderstand-header.xml'));
    assert.ok(!readFault(response.body).reason.includes('TraceContext'));
  });

  for (const [variant, replacement] of [
    ['removed', '<x:TraceContext xmlns:x="urn:example:unknown-extension">'],
    ['"false"', '<x:TraceContext xmlns:x="urn:example:unknown-extension" s:mustUnderstand="false">'],
    ['"0"', '<x:TraceContext xmlns:x="urn:example:unknown-extension" s:mustUnderstand="0">'],
  ]) {
    test(`unknown header with mustUnderstand ${variant} gets token`, async () => {
      const request = replaceOnce(freshRequest('unknown-mustunderstand-header.xml'), UNKNOWN_HEADER_XML, replacement);
      assertIssued(await send(server, request));
    });
  }

  test('mustUnderstand "true" on Action gets token', async () => {
    const request = replaceOnce(
      freshRequest('rst13-baseline.xml'),
      '<wsa:Action s:mustUnderstand="1">',
      '<wsa:Action s:mustUnderstand="true">',
    );
    assertIssued(await send(server, request));
  });

  test('SOAP 1.1 unknown header gets MustUnderstand', async () => {
    const request = replaceOnce(
      freshRequest('soap11-rst13.xml'),
      '<wsse:Security',
      '<x:TraceContext xmlns:x="urn:example:unknown-extension" soap:mustUnderstand="1">trace-0001</x:TraceContext><wsse:Security',
    );
    const response = await send(server, request);
    assertFault(response, { code: `{${NS.soap11}}MustUnderstand`, reason: REASONS.mustUnderstand, status: 500 });
    assert.match(response.contentType, /^text\/xml/);
  });

  test('SOAP 1.1 mustUnderstand "true" gets token', async () => {
    const request = freshRequest('soap11-rst13.xml').replaceAll('soap:mustUnderstand="1"', 'soap:mustUnderstand="true"');
    assertIssued(await send(server, request));
  });
});

describe('SOAP fault structure', () => {
  const MESSAGE_ID = 'urn:uuid:5b1c0a0e-8d3f-4c55-9a8e-000000000007';

  test('SOAP 1.2 fault has standard shape', async () => {
    const response = await send(server, freshRequest('missing-requesttype.xml', { messageId: MESSAGE_ID }));
    assert.equal(response.status, 400);
    assert.match(response.contentType, /^application\/soap\+xml/);

    const { header, body } = parseEnvelope(response.body);
    const fault = child(body, NS.soap12, 'Fault');
    assert.ok(fault);
    assert.deepEqual(elementChildren(fault).map(nameOf), [`{${NS.soap12}}Code`, `{${NS.soap12}}Reason`]);

    const code = child(fault, NS.soap12, 'Code')!;
    const info = readFault(response.body);
    assert.equal(info.code, `{${NS.soap12}}Sender`);
    assert.equal(info.subcode, `{${NS.wst13}}InvalidRequest`, 'the subcode prefix is bound to the 1.3 namespace');
    assert.equal(descendants(code, NS.soap12, 'Subcode').length, 1);

    const texts = elementChildren(child(fault, NS.soap12, 'Reason')!);
    assert.equal(texts.length, 1, 'one Reason/Text');
    assert.equal(texts[0].getAttributeNS(NS.xml, 'lang'), 'en');
    assert.equal(textOf(texts[0]), REASONS.invalidRequest('RequestType'));

    assert.equal(textOf(child(header, NS.wsa2005, 'Action')), 'http://www.w3.org/2005/08/addressing/soap/fault');
    assert.equal(textOf(child(header, NS.wsa2005, 'RelatesTo')), MESSAGE_ID);
  });

  test('SOAP 1.2 fault carries no internals', async () => {
    const response = await send(server, freshRequest('missing-requesttype.xml'));
    assertFault(response, { code: `{${NS.wst13}}InvalidRequest`, reason: REASONS.invalidRequest('RequestType'), status: 400 });
  });

  test('2005 request gets 2005 InvalidRequest', async () => {
    const request = replaceOnce(
      freshRequest('msal-2005-password-no-type.xml'),
      /<t:RequestType>[^<]*<\/t:RequestType>/,
      '',
    );
    const response = await send(server, request);
    assertFault(response, { code: `{${NS.wst2005}}InvalidRequest`, reason: REASONS.invalidRequest('RequestType'), status: 400 });
    assert.ok(!response.body.includes(NS.wst13), 'nothing in the 1.3 namespace');
  });

  test('SOAP 1.1 fault uses faultcode', async () => {
    const request = replaceOnce(freshRequest('soap11-rst13.xml'), /<wst:RequestType>[^<]*<\/wst:RequestType>/, '');
    const response = await send(server, request);
    const fault = assertFault(response, {
      code: `{${NS.wst13}}InvalidRequest`,
      reason: REASONS.invalidRequest('RequestType'),
      status: 500,
    });
    assert.equal(fault.soapVersion, '1.1');
    assert.equal(fault.reasonLanguage, 'en');
    assert.match(response.contentType, /^text\/xml/);
  });

  test('Validate is rejected naming RequestType', async () => {
    const request = replaceOnce(
      freshRequest('rst13-baseline.xml'),
      `<wst:RequestType>${NS.wst13}/Issue</wst:RequestType>`,
      `<wst:RequestType>${NS.wst13}/Validate</wst:RequestType>`,
    );
    const response = await send(server, request);
    assertFault(response, { code: `{${NS.wst13}}InvalidRequest`, reason: REASONS.invalidRequest('RequestType'), status: 400 });
  });

  test('unknown AppliesTo gets InvalidScope', async () => {
    const response = await send(server, freshRequest('unknown-appliesto.xml'));
    assertFault(response, { code: `{${NS.wst13}}InvalidScope`, reason: REASONS.invalidScope, status: 400 });
  });
});
