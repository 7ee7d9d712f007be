import assert from 'node:assert/strict';
import { get } from 'node:https';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from './harness.js';
import {
  assertFault,
  assertIssued,
  child,
  descendants,
  elementChildren,
  freshRequest,
  hasNoIssuedToken,
  issueServerOptions,
  NS,
  parseEnvelope,
  parseXmlText,
  REASONS,
  send,
  STS_PATH,
} from './issue-setup.js';

const ISSUE_ACTION = `${NS.wst13}/RST/Issue`;
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP11_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
const WSDL_SOAP12_NS = 'http://schemas.xmlsoap.org/wsdl/soap12/';

let server: RunningServer;

before(async () => {
  server = await startServer(issueServerOptions());
});

after(async () => {
  await server?.stop();
});

/** GETs a path over HTTPS and returns status, Content-Type and body. */
function httpsGet(path: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(server.httpsUrl + path, { ca: readFileSync(server.tlsCertFile) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    }).on('error', reject);
  });
}

describe('SOAP 1.2 Content-Type', () => {
  for (const [variant, contentType] of [
    ['without charset', 'application/soap+xml'],
    ['with charset', 'application/soap+xml; charset=utf-8'],
    ['with matching action', `application/soap+xml; charset=utf-8; action="${ISSUE_ACTION}"`],
    ['with unquoted action', `application/soap+xml;action=${ISSUE_ACTION}`],
  ]) {
    test(`media type ${variant} gets token`, async () => {
      assertIssued(await send(server, freshRequest('rst13-baseline.xml'), { contentType }));
    });
  }

  test('other action gets ActionMismatch', async () => {
    const response = await send(server, freshRequest('rst13-baseline.xml'), {
      contentType: 'application/soap+xml; charset=utf-8; action="urn:example:other"',
    });
    const fault = assertFault(response, { code: `{${NS.wsa2005}}ActionMismatch`, reason: REASONS.actionMismatch, status: 400 });
    assert.equal(fault.code, `{${NS.soap12}}Sender`);
  });

  test('SOAP 1.1 envelope is rejected', async () => {
    const response = await send(server, freshRequest('soap11-rst13.xml'), { contentType: 'application/soap+xml' });
    assertFault(response, { code: `{${NS.soap12}}VersionMismatch`, reason: REASONS.versionMismatch, status: 500 });
    const upgrade = child(parseEnvelope(response.body).header, NS.soap12, 'Upgrade');
    assert.equal(upgrade ? elementChildren(upgrade).length : 0, 2, 'Upgrade lists both envelope versions');
  });
});

describe('SOAP 1.1 SOAPAction', () => {
  for (const [variant, soapAction] of [
    ['quoted', `"${ISSUE_ACTION}"`],
    ['unquoted', ISSUE_ACTION],
    ['empty quotes', '""'],
    ['empty', ''],
  ]) {
    test(`SOAPAction ${variant} gets token`, async () => {
      assertIssued(await send(server, freshRequest('soap11-rst13.xml'), { soapAction }));
    });
  }

  test('other SOAPAction gets ActionMismatch', async () => {
    const response = await send(server, freshRequest('soap11-rst13.xml'), { soapAction: '"urn:example:other"' });
    assertFault(response, { code: `{${NS.wsa2005}}ActionMismatch`, reason: REASONS.actionMismatch, status: 500 });
  });

  test('SOAP 1.2 envelope as text/xml is rejected', async () => {
    const response = await send(server, freshRequest('rst13-baseline.xml'), { contentType: 'text/xml; charset=utf-8' });
    assertFault(response, { code: `{${NS.soap11}}VersionMismatch`, reason: REASONS.versionMismatch, status: 500 });
  });
});

describe('non-SOAP requests', () => {
  for (const contentType of ['text/plain', 'application/xml', 'application/json']) {
    test(`${contentType} gets 415`, async () => {
      const response = await send(server, freshRequest('rst13-baseline.xml'), { contentType });
      assert.equal(response.status, 415);
      assert.ok(hasNoIssuedToken(response.body));
    });
  }

  test('GET without ?wsdl gets 405', async () => {
    const response = await httpsGet(STS_PATH);
    assert.equal(response.status, 405);
    assert.match(response.body, /POST a SOAP RequestSecurityToken/);
  });
});

describe('WSDL and port URLs', () => {
  test('?wsdl has SOAP 1.1 and 1.2 bindings', async () => {
    const response = await httpsGet(`${STS_PATH}?wsdl`);
    assert.equal(response.status, 200);
    assert.match(response.contentType, /^text\/xml/);
    const definitions = parseXmlText(response.body).documentElement!;
    assert.equal(definitions.namespaceURI, WSDL_NS);
    assert.equal(definitions.localName, 'definitions');

    const bindings = descendants(definitions, WSDL_NS, 'binding');
    assert.equal(descendants(definitions, WSDL_SOAP11_NS, 'binding').length, 1, 'one SOAP 1.1 binding');
    assert.equal(descendants(definitions, WSDL_SOAP12_NS, 'binding').length, 1, 'one SOAP 1.2 binding');
    assert.equal(bindings.length, 2);
    const soapActions = [WSDL_SOAP11_NS, WSDL_SOAP12_NS].map(
      (ns) => descendants(definitions, ns, 'operation')[0]?.getAttribute('soapAction'),
    );
    assert.deepEqual(soapActions, [ISSUE_ACTION, ISSUE_ACTION]);
  });

  test('?wsdl ports point at this listener', async () => {
    const response = await httpsGet(`${STS_PATH}?wsdl`);
    const definitions = parseXmlText(response.body).documentElement!;
    const locations = [
      ...descendants(definitions, WSDL_SOAP11_NS, 'address'),
      ...descendants(definitions, WSDL_SOAP12_NS, 'address'),
    ].map((address) => address.getAttribute('location'));
    assert.deepEqual(locations, [
      `${server.httpsUrl}${STS_PATH}.wso2carbon-stsHttpsSoap11Endpoint`,
      `${server.httpsUrl}${STS_PATH}.wso2carbon-stsHttpsSoap12Endpoint`,
    ]);
  });

  for (const transport of ['https', 'http'] as const) {
    const scheme = transport === 'https' ? 'Https' : 'Http';
    test(`${scheme}Soap11Endpoint answers SOAP 1.1`, async () => {
      const path = `${STS_PATH}.wso2carbon-sts${scheme}Soap11Endpoint`;
      const response = await send(server, freshRequest('soap11-rst13.xml'), { transport, path, soapAction: `"${ISSUE_ACTION}"` });
      assertIssued(response);
      assert.equal(parseEnvelope(response.body).soapVersion, '1.1');
    });

    test(`${scheme}Soap12Endpoint answers SOAP 1.2`, async () => {
      const path = `${STS_PATH}.wso2carbon-sts${scheme}Soap12Endpoint`;
      const response = await send(server, freshRequest('rst13-baseline.xml'), { transport, path });
      assertIssued(response);
      assert.equal(parseEnvelope(response.body).soapVersion, '1.2');
    });
  }
});
