import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { requireTool, samlsignVerify, xmlsecVerify } from '../helpers/verifiers.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from './harness.js';
import {
  ALICE,
  assertFault,
  assertIssued,
  child,
  freshRequest,
  issueServerOptions,
  RELYING_PARTIES,
  USER01,
  NS,
  parseEnvelope,
  REASONS,
  replaceOnce,
  send,
  textOf,
  tokenElement,
} from './issue-setup.js';

/** Requests captured from real clients and the WSO2 sample client, with their SOAP version. */
const CAPTURED_REQUESTS: Array<{ file: string; soapVersion: '1.1' | '1.2' }> = [
  { file: 'wss4j-text-rst.xml', soapVersion: '1.1' },
  { file: 'wss4j-digest-rst.xml', soapVersion: '1.1' },
  { file: 'wss4j-soap12-wsa-digest-rst.xml', soapVersion: '1.2' },
  { file: 'zeep-usernametoken-rst.xml', soapVersion: '1.1' },
  { file: 'zeep-usernametoken-digest-rst.xml', soapVersion: '1.1' },
  { file: 'zeep-soap12-digest-timestamp-rst.xml', soapVersion: '1.2' },
  { file: 'sts-client-rst.xml', soapVersion: '1.2' },
];

const SAML2_ID = { name: 'ID', elementNs: NS.saml20, elementName: 'Assertion' } as const;

/** Returns every element and attribute namespace used in a document. */
function namespacesUsed(text: string): Set<string> {
  const found = new Set<string>();
  const { document } = parseEnvelope(text);
  for (const element of Array.from(document.getElementsByTagName('*'))) {
    found.add(element.namespaceURI ?? '');
    for (let i = 0; i < element.attributes.length; i++) {
      const attribute = element.attributes.item(i)!;
      if (attribute.namespaceURI !== NS.xml && attribute.prefix !== 'xmlns' && attribute.name !== 'xmlns') {
        found.add(attribute.namespaceURI ?? '');
      }
    }
  }
  return found;
}

/**
 * The admin user, created before the first start so that it has the claims the WSO2 sample
 * request requires (given name and e-mail address).
 */
const ADMIN_WITH_CLAIMS = {
  name: 'admin',
  password: ADMIN_PASSWORD,
  roles: ['admin'],
  digest: true,
  claims: {
    'http://wso2.org/claims/givenname': ['Ada'],
    'http://wso2.org/claims/emailaddress': ['admin@example.test'],
  },
};

let server: RunningServer;

before(async () => {
  server = await startServer({ users: [ALICE, USER01, ADMIN_WITH_CLAIMS], relyingParties: RELYING_PARTIES });
});

after(async () => {
  await server?.stop();
});

describe('captured client requests', () => {
  for (const transport of ['https', 'http'] as const) {
    for (const { file, soapVersion } of CAPTURED_REQUESTS) {
      test(`${file} gets token over ${transport}`, async (t) => {
        const response = await send(server, freshRequest(file), { transport });
        const token = assertIssued(response);
        assert.equal(parseEnvelope(response.body).soapVersion, soapVersion, 'SOAP version of the response');
        assert.equal(tokenElement(response.body).namespaceURI, NS.saml20, 'the token is a SAML 2.0 assertion');

        if (requireTool(t, 'xmlsec1')) {
          const xmlsec = await xmlsecVerify(token, server.signingCertPem, SAML2_ID);
          assert.ok(xmlsec.ok, `xmlsec1 verifies the token: ${xmlsec.output}`);
        }
        if (requireTool(t, 'samlsign')) {
          const samlsign = await samlsignVerify(token, server.signingCertPem);
          assert.ok(samlsign.ok, `samlsign verifies the token: ${samlsign.output}`);
        }
      });
    }
  }
});

describe('MSAL WS-Trust 2005 request', () => {
  test('password without Type gets token', async () => {
    const response = await send(server, freshRequest('msal-2005-password-no-type.xml'));
    assertIssued(response);
    const envelope = parseEnvelope(response.body);
    assert.equal(envelope.soapVersion, '1.2');
    assert.match(response.contentType, /^application\/soap\+xml/);
    const action = child(envelope.header, NS.wsa2005, 'Action');
    assert.equal(textOf(action), `${NS.wst2005}/RSTR/Issue`);
  });

  test('answer is a bare 2005 RSTR', async () => {
    const response = await send(server, freshRequest('msal-2005-password-no-type.xml'));
    assertIssued(response);
    const payload = child(parseEnvelope(response.body).body, NS.wst2005, 'RequestSecurityTokenResponse');
    assert.ok(payload, 'the Body holds a 2005 RequestSecurityTokenResponse, not a collection');
    assert.equal(textOf(child(payload, NS.wst2005, 'KeyType')), 'http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey');
  });

  test('answer uses no WS-Trust 1.3 namespace', async () => {
    const response = await send(server, freshRequest('msal-2005-password-no-type.xml'));
    assertIssued(response);
    assert.ok(!namespacesUsed(response.body).has(NS.wst13), 'no element or attribute in the 1.3 namespace');
    assert.ok(!response.body.includes(NS.wst13), 'the 1.3 namespace is not even declared');
  });

  test('unknown Password Type is rejected', async () => {
    const request = replaceOnce(
      freshRequest('msal-2005-password-no-type.xml'),
      '<wsse:Password>',
      '<wsse:Password Type="urn:example:password-type:otp">',
    );
    const response = await send(server, request);
    assertFault(response, { code: `{${NS.wsse}}UnsupportedSecurityToken`, reason: REASONS.unsupportedSecurityToken, status: 400 });
  });
});
