import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Element } from '@xmldom/xmldom';
import { buildIssueRequest } from '../../src/trust/client.js';
import { requireTool, xmlsecVerify } from '../helpers/verifiers.js';
import { startServer, type RunningServer } from './harness.js';
import {
  assertFault,
  assertIssued,
  child,
  descendants,
  NS,
  REASONS,
  send,
  stsUrl,
  textOf,
  tokenElement,
  TOKEN_TYPES,
} from './issue-setup.js';

const WSO2 = 'http://wso2.org/claims';
const WS_IDENTITY = 'http://schemas.xmlsoap.org/ws/2005/05/identity';
const WSID_CLAIMS = `${WS_IDENTITY}/claims`;
const MS_ROLE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';
const DEPARTMENT = 'urn:example:claims:department';
const SPECIAL_VALUE = `R&D <Labs> "quoted" 'single' ]]> \u00e9`;

const ALICE = {
  name: 'alice',
  password: 'Alice-Secret-01',
  roles: ['admin', 'staff'],
  claims: {
    [`${WSO2}/givenname`]: ['Alice'],
    [`${WSID_CLAIMS}/surname`]: ['Liddell'],
    [`${WSO2}/emailaddress`]: ['alice@example.test', 'a.liddell@example.test'],
    [`${WSO2}/organization`]: [SPECIAL_VALUE],
    [DEPARTMENT]: ['Research'],
  },
};

const PARTIES = {
  defaultClaims: 'urn:example:rp:claims-default',
  configured: 'urn:example:rp:claims-configured',
  noClaims: 'urn:example:rp:claims-none',
  unregistered: 'urn:example:rp:not-registered',
};

const SAML2_ID = { name: 'ID', elementNs: NS.saml20, elementName: 'Assertion' } as const;
const SAML11_ID = { name: 'AssertionID', elementNs: NS.saml11, elementName: 'Assertion' } as const;

let server: RunningServer;

before(async () => {
  server = await startServer({
    users: [ALICE],
    relyingParties: [
      { name: 'claims-default', config: { endpoint: PARTIES.defaultClaims } },
      {
        name: 'claims-configured',
        config: { endpoint: PARTIES.configured, claims: [`${WSID_CLAIMS}/emailaddress`, DEPARTMENT, `${WSO2}/mobile`] },
      },
      { name: 'claims-none', config: { endpoint: PARTIES.noClaims, claims: [] } },
    ],
    configYaml: 'sts:\n  allowUnregisteredRelyingParties: true\n',
  });
});

after(async () => {
  await server?.stop();
});

/** Options of {@link requestToken}. */
interface TokenRequest {
  appliesTo?: string;
  saml?: '2.0' | '1.1';
  trust?: '1.3' | '2005';
  /** XML of a wst:Claims element; `{wst}` stands for the request's trust namespace. */
  claims?: string;
}

/** Sends an Issue request as alice over plain HTTP, with an optional wst:Claims element. */
function requestToken(options: TokenRequest = {}) {
  const trustVersion = options.trust ?? '1.3';
  const request = buildIssueRequest({
    endpoint: stsUrl(server, 'http'),
    username: ALICE.name,
    password: ALICE.password,
    digest: false,
    soapVersion: '1.2',
    trustVersion,
    tokenType: options.saml === '1.1' ? TOKEN_TYPES.saml11Profile : TOKEN_TYPES.saml20Profile,
    appliesTo: options.appliesTo ?? PARTIES.defaultClaims,
  });
  const trustNs = trustVersion === '1.3' ? NS.wst13 : NS.wst2005;
  const claims = (options.claims ?? '').replaceAll('{wst}', trustNs);
  const body = request.body.replace('</wst:RequestSecurityToken>', `${claims}</wst:RequestSecurityToken>`);
  return send(server, body, { transport: 'http', headers: request.headers });
}

/** Writes a wst:Claims element with an unqualified Dialect and wsid:ClaimType children. */
function claimsElement(dialect: string, claimTypes: string): string {
  return `<wst:Claims Dialect="${dialect}" xmlns:wsid="${WS_IDENTITY}">${claimTypes}</wst:Claims>`;
}

function claimType(uri: string, optional?: boolean, content = ''): string {
  const flag = optional === undefined ? '' : ` Optional="${optional}"`;
  return content ? `<wsid:ClaimType Uri="${uri}"${flag}>${content}</wsid:ClaimType>` : `<wsid:ClaimType Uri="${uri}"${flag}/>`;
}

/**
 * Reads the attributes of an issued assertion as claim URI → values. SAML 1.1 splits the URI
 * into AttributeNamespace and AttributeName, and the claims here split at a '/' or not at all.
 */
function attributesOf(token: Element): Map<string, string[]> {
  const saml2 = token.namespaceURI === NS.saml20;
  const ns = saml2 ? NS.saml20 : NS.saml11;
  const attributes = new Map<string, string[]>();
  for (const attribute of descendants(token, ns, 'Attribute')) {
    let uri: string;
    if (saml2) {
      uri = attribute.getAttribute('Name') ?? '';
      assert.equal(attribute.getAttribute('NameFormat'), 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', `NameFormat of ${uri}`);
    } else {
      const namespace = attribute.getAttribute('AttributeNamespace') ?? '';
      const name = attribute.getAttribute('AttributeName') ?? '';
      uri = namespace === name ? name : `${namespace}/${name}`;
    }
    attributes.set(uri, descendants(attribute, ns, 'AttributeValue').map((value) => value.textContent ?? ''));
  }
  return attributes;
}

function assertAttributes(body: string, expected: Record<string, string[]>): Element {
  const token = tokenElement(body);
  assert.deepEqual(Object.fromEntries(attributesOf(token)), expected);
  return token;
}

for (const saml of ['2.0', '1.1'] as const) {
  describe(`requested claims in SAML ${saml}`, () => {
    test('WS-Identity dialect and URIs', async () => {
      const claims = claimsElement(
        WS_IDENTITY,
        claimType(`${WSID_CLAIMS}/givenname`) + claimType(`${WSID_CLAIMS}/surname`) + claimType(`${WSID_CLAIMS}/emailaddress`),
      );
      const response = await requestToken({ saml, claims });
      assertIssued(response);
      assertAttributes(response.body, {
        [`${WSID_CLAIMS}/givenname`]: ['Alice'],
        [`${WSID_CLAIMS}/surname`]: ['Liddell'],
        [`${WSID_CLAIMS}/emailaddress`]: ['alice@example.test', 'a.liddell@example.test'],
      });
    });

    test('qualified WSO2 dialect as sample', async () => {
      const claims =
        `<wst:Claims xmlns:wsp="{wst}" wsp:Dialect="${WSO2}" xmlns:wsid="${WS_IDENTITY}">` +
        claimType(`${WSO2}/givenname`) +
        claimType(`${WSO2}/lastname`) +
        claimType(`${WSO2}/emailaddress`) +
        '</wst:Claims>';
      const response = await requestToken({ saml, claims, trust: '2005' });
      assertIssued(response);
      assertAttributes(response.body, {
        [`${WSO2}/givenname`]: ['Alice'],
        [`${WSO2}/lastname`]: ['Liddell'],
        [`${WSO2}/emailaddress`]: ['alice@example.test', 'a.liddell@example.test'],
      });
    });

    test('role and custom claims', async () => {
      const claims = claimsElement(WSO2, claimType(MS_ROLE) + claimType(`${WSO2}/role`) + claimType(DEPARTMENT));
      const response = await requestToken({ saml, claims });
      assertIssued(response);
      assertAttributes(response.body, {
        [MS_ROLE]: ['admin', 'staff'],
        [`${WSO2}/role`]: ['admin', 'staff'],
        [DEPARTMENT]: ['Research'],
      });
    });

    test('missing optional claim is omitted', async () => {
      const claims = claimsElement(WS_IDENTITY, claimType(`${WSID_CLAIMS}/mobilephone`, true) + claimType(`${WSO2}/givenname`, false));
      const response = await requestToken({ saml, claims });
      assertIssued(response);
      assertAttributes(response.body, { [`${WSO2}/givenname`]: ['Alice'] });
    });

    test('missing required claim fails', async () => {
      const claims = claimsElement(WS_IDENTITY, claimType(`${WSID_CLAIMS}/mobilephone`) + claimType(`${WSO2}/givenname`));
      const response = await requestToken({ saml, claims });
      assertFault(response, {
        code: `{${NS.wst13}}InvalidRequest`,
        reason: REASONS.invalidRequest(`ClaimType ${WSID_CLAIMS}/mobilephone`),
      });
    });

    test('unknown dialect fails', async () => {
      const claims = claimsElement('urn:example:claims-dialect', claimType(`${WSO2}/givenname`));
      const response = await requestToken({ saml, claims });
      assertFault(response, { code: `{${NS.wst13}}InvalidRequest`, reason: REASONS.invalidRequest('Claims') });
    });

    test('injected claim value is not signed', async () => {
      const injected = 'Mallory-Injected';
      const claims = claimsElement(
        WS_IDENTITY,
        claimType(`${WSO2}/givenname`, false, `<wsid:Value>${injected}</wsid:Value>`) +
          claimType(`${WSO2}/emailaddress`, false, injected) +
          claimType('urn:example:claims:clearance', true, `<auth:Value xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706">${injected}</auth:Value>`),
      );
      const response = await requestToken({ saml, claims });
      assertIssued(response);
      assert.ok(!response.body.includes(injected), 'the injected value appears nowhere in the response');
      assertAttributes(response.body, {
        [`${WSO2}/givenname`]: ['Alice'],
        [`${WSO2}/emailaddress`]: ['alice@example.test', 'a.liddell@example.test'],
      });
    });

    test('special characters stay escaped', async (t) => {
      const claims = claimsElement(WSO2, claimType(`${WSO2}/organization`));
      const response = await requestToken({ saml, claims });
      const tokenXml = assertIssued(response);
      assert.ok(tokenXml.includes('R&amp;D &lt;Labs&gt; "quoted" \'single\' ]]&gt;'), 'the value is escaped in the token text');
      const token = assertAttributes(response.body, { [`${WSO2}/organization`]: [SPECIAL_VALUE] });
      assert.ok(token, 'the token parses');
      if (requireTool(t, 'xmlsec1')) {
        const result = await xmlsecVerify(tokenXml, server.signingCertPem, saml === '2.0' ? SAML2_ID : SAML11_ID);
        assert.ok(result.ok, `xmlsec1 verifies the token: ${result.output}`);
      }
    });
  });

  describe(`configured claims in SAML ${saml}`, () => {
    test('party claims without wst:Claims', async () => {
      const response = await requestToken({ saml, appliesTo: PARTIES.configured });
      assertIssued(response);
      assertAttributes(response.body, {
        [`${WSID_CLAIMS}/emailaddress`]: ['alice@example.test', 'a.liddell@example.test'],
        [DEPARTMENT]: ['Research'],
      });
    });

    test('default party gets every stored claim', async () => {
      const response = await requestToken({ saml, appliesTo: PARTIES.defaultClaims });
      assertIssued(response);
      assertAttributes(response.body, { [`${WSO2}/role`]: ['admin', 'staff'], ...ALICE.claims });
    });

    test('empty claim list gives no attributes', async () => {
      const response = await requestToken({ saml, appliesTo: PARTIES.noClaims });
      assertIssued(response);
      const token = tokenElement(response.body);
      assert.equal(descendants(token, saml === '2.0' ? NS.saml20 : NS.saml11, 'AttributeStatement').length, 0);
    });
  });
}

describe('unregistered relying party', () => {
  test('dot segments in address are refused', async () => {
    const response = await requestToken({ appliesTo: 'https://rp.example.test/apps/../evil' });
    assertFault(response, { code: `{${NS.wst13}}InvalidScope`, reason: REASONS.invalidScope });
  });

  test('gets address audience and roles', async () => {
    const response = await requestToken({ appliesTo: PARTIES.unregistered });
    assertIssued(response);
    const token = assertAttributes(response.body, { [`${WSO2}/role`]: ['admin', 'staff'] });
    const restriction = child(child(token, NS.saml20, 'Conditions'), NS.saml20, 'AudienceRestriction');
    assert.deepEqual(descendants(restriction!, NS.saml20, 'Audience').map((audience) => textOf(audience)), [PARTIES.unregistered]);
  });

  test('requested claims still apply', async () => {
    const response = await requestToken({ appliesTo: PARTIES.unregistered, claims: claimsElement(WSO2, claimType(`${WSO2}/givenname`)) });
    assertIssued(response);
    assertAttributes(response.body, { [`${WSO2}/givenname`]: ['Alice'] });
  });
});
