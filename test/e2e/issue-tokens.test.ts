import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Element } from '@xmldom/xmldom';
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
  REASONS,
  replaceOnce,
  rstrOf,
  send,
  textOf,
  tokenElement,
  TOKEN_TYPES,
} from './issue-setup.js';

const BEARER_13 = `${NS.wst13}/Bearer`;
const ROLE_CLAIM = 'http://wso2.org/claims/role';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const CLOCK_SKEW_MS = 60_000;
const LIFETIME_MS = 3_600_000;
const TOKEN_TYPE_ELEMENT = /<wst:TokenType>[^<]*<\/wst:TokenType>/;

let server: RunningServer;

before(async () => {
  server = await startServer(issueServerOptions());
});

after(async () => {
  await server?.stop();
});

/** An issued token: the whole response, its RSTR and the assertion parsed on its own. */
interface Issued {
  body: string;
  rstr: Element;
  assertion: Element;
}

async function issue(request: string, transport: 'https' | 'http' = 'https', target = server): Promise<Issued> {
  const response = await send(target, request, { transport });
  assertIssued(response);
  return { body: response.body, rstr: rstrOf(response.body), assertion: tokenElement(response.body) };
}

/** Returns the baseline request with TokenType `tokenType`, or without TokenType when undefined. */
function requestForTokenType(tokenType: string | undefined): string {
  const element = tokenType === undefined ? '' : `<wst:TokenType>${tokenType}</wst:TokenType>`;
  return replaceOnce(freshRequest('rst13-baseline.xml'), TOKEN_TYPE_ELEMENT, element);
}

/** Returns the baseline request for `tokenType` and the relying party at `appliesTo`. */
function requestFor(tokenType: string, appliesTo: string): string {
  return replaceOnce(
    freshRequest('rst13-baseline.xml', { appliesTo }),
    TOKEN_TYPE_ELEMENT,
    `<wst:TokenType>${tokenType}</wst:TokenType>`,
  );
}

function wst13(rstr: Element, localName: string): Element | undefined {
  return child(rstr, NS.wst13, localName);
}

function audiencesOf(assertion: Element): string[] {
  const saml2 = assertion.namespaceURI === NS.saml20;
  const ns = saml2 ? NS.saml20 : NS.saml11;
  const conditions = child(assertion, ns, 'Conditions');
  const restriction = child(conditions, ns, saml2 ? 'AudienceRestriction' : 'AudienceRestrictionCondition');
  assert.ok(restriction, 'Conditions carry an audience restriction');
  return elementChildren(restriction).map((audience) => {
    assert.equal(nameOf(audience), `{${ns}}Audience`);
    return audience.textContent ?? '';
  });
}

/** Checks the enveloped exc-c14n RSA-SHA256 signature of an assertion and its reference. */
function assertSignatureLayout(signature: Element, referenceUri: string): void {
  const signedInfo = child(signature, NS.ds, 'SignedInfo')!;
  assert.equal(child(signedInfo, NS.ds, 'CanonicalizationMethod')?.getAttribute('Algorithm'), EXC_C14N);
  assert.equal(child(signedInfo, NS.ds, 'SignatureMethod')?.getAttribute('Algorithm'), RSA_SHA256);
  const references = descendants(signedInfo, NS.ds, 'Reference');
  assert.equal(references.length, 1, 'one Reference');
  assert.equal(references[0].getAttribute('URI'), referenceUri);
  const transforms = descendants(references[0], NS.ds, 'Transform').map((transform) => transform.getAttribute('Algorithm'));
  assert.deepEqual(transforms, [ENVELOPED, EXC_C14N]);
  assert.equal(child(references[0], NS.ds, 'DigestMethod')?.getAttribute('Algorithm'), SHA256);
}

function assertNoWhitespaceChildren(element: Element | undefined, what: string): void {
  assert.ok(element, `${what} is present`);
  for (let node = element.firstChild; node; node = node.nextSibling) {
    assert.equal(node.nodeType, 1, `${what} has only element children`);
  }
}

describe('Issue response shape', () => {
  const MESSAGE_ID = 'urn:uuid:0d6f3c1e-6a43-4d9b-8c1e-00000000a013';

  test('WS-Trust 1.3 answer is RSTRC/IssueFinal', async () => {
    const { body } = await issue(freshRequest('rst13-baseline.xml', { messageId: MESSAGE_ID }));
    const { header, body: soapBody } = parseEnvelope(body);
    assert.equal(textOf(child(header, NS.wsa2005, 'Action')), `${NS.wst13}/RSTRC/IssueFinal`);
    assert.equal(textOf(child(header, NS.wsa2005, 'RelatesTo')), MESSAGE_ID);
    const payload = elementChildren(soapBody);
    assert.deepEqual(payload.map(nameOf), [`{${NS.wst13}}RequestSecurityTokenResponseCollection`]);
    assert.deepEqual(elementChildren(payload[0]).map(nameOf), [`{${NS.wst13}}RequestSecurityTokenResponse`]);
  });

  test('RSTR holds the standard elements', async () => {
    const { rstr } = await issue(freshRequest('rst13-baseline.xml'));
    assert.deepEqual(
      elementChildren(rstr).map(nameOf),
      [
        `{${NS.wst13}}TokenType`,
        `{${NS.wst13}}RequestedSecurityToken`,
        `{${NS.wst13}}RequestedAttachedReference`,
        `{${NS.wst13}}RequestedUnattachedReference`,
        `{${NS.wst13}}Lifetime`,
        `{${NS.wsp2004}}AppliesTo`,
        `{${NS.wst13}}KeyType`,
      ],
    );
    const address = descendants(child(rstr, NS.wsp2004, 'AppliesTo')!, NS.wsa2005, 'Address');
    assert.deepEqual(address.map((element) => element.textContent), ['urn:example:rp:alpha']);
    assert.equal(textOf(wst13(rstr, 'KeyType')), BEARER_13);
  });

  test('response is written compactly', async () => {
    const { body } = await issue(freshRequest('rst13-baseline.xml'));
    const soapBody = parseEnvelope(body).body;
    assertNoWhitespaceChildren(soapBody, 'Body');
    const collection = elementChildren(soapBody)[0];
    assertNoWhitespaceChildren(collection, 'RequestSecurityTokenResponseCollection');
    const rstr = elementChildren(collection)[0];
    assertNoWhitespaceChildren(rstr, 'RequestSecurityTokenResponse');
    const requested = wst13(rstr, 'RequestedSecurityToken');
    assertNoWhitespaceChildren(requested, 'RequestedSecurityToken');
    assert.equal(requested?.childNodes.length, 1, 'the token is the only child');
    assertNoWhitespaceChildren(requested?.firstChild as Element, 'the assertion');
  });

  test('2005 request with 1.3 KeyType is rejected', async () => {
    const response = await send(server, freshRequest('rst2005-with-13-keytype.xml'));
    assertFault(response, { code: `{${NS.wst2005}}InvalidRequest`, reason: REASONS.invalidRequest('KeyType'), status: 400 });
    assert.ok(!response.body.includes(NS.wst13), 'nothing in the 1.3 namespace');
  });
});

describe('KeyType handling', () => {
  test('missing KeyType gets bearer token', async () => {
    const { rstr, assertion } = await issue(freshRequest('no-keytype.xml'));
    assert.equal(textOf(wst13(rstr, 'KeyType')), BEARER_13);
    const confirmation = descendants(assertion, NS.saml20, 'SubjectConfirmation')[0];
    assert.equal(confirmation?.getAttribute('Method'), 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
  });

  test('bearer KeySize is ignored', async () => {
    const { rstr } = await issue(freshRequest('bearer-with-keysize.xml'));
    assert.equal(textOf(wst13(rstr, 'KeyType')), BEARER_13);
    assert.equal(wst13(rstr, 'KeySize'), undefined);
  });

  for (const [keyType, file] of [
    ['SymmetricKey', 'rst13-psha1-entropy.xml'],
    ['PublicKey', 'rst13-publickey-usekey.xml'],
  ]) {
    test(`${keyType} is rejected naming KeyType`, async () => {
      const response = await send(server, freshRequest(file));
      assertFault(response, { code: `{${NS.wst13}}InvalidRequest`, reason: REASONS.invalidRequest('KeyType'), status: 400 });
    });
  }
});

describe('TokenType handling', () => {
  test('legacy SAML 1.0 URN gets SAML 1.1', async () => {
    const { rstr, assertion } = await issue(freshRequest('rst13-tokentype-saml11.xml'));
    assert.equal(nameOf(assertion), `{${NS.saml11}}Assertion`);
    assert.equal(assertion.getAttribute('MajorVersion'), '1');
    assert.equal(assertion.getAttribute('MinorVersion'), '1');
    assert.equal(wst13(rstr, 'TokenType')?.textContent, TOKEN_TYPES.saml11Urn);
  });

  for (const [label, tokenType, assertionNs] of [
    ['#SAMLV1.1', TOKEN_TYPES.saml11Profile, NS.saml11],
    ['#SAMLV2.0', TOKEN_TYPES.saml20Profile, NS.saml20],
    ['SAML 2.0 URN', TOKEN_TYPES.saml20Urn, NS.saml20],
  ]) {
    test(`TokenType ${label} is echoed`, async () => {
      const { rstr, assertion } = await issue(requestForTokenType(tokenType));
      assert.equal(assertion.namespaceURI, assertionNs);
      assert.equal(wst13(rstr, 'TokenType')?.textContent, tokenType);
    });
  }

  test('unknown TokenType is rejected', async () => {
    const response = await send(server, requestForTokenType('urn:example:unknown-token'));
    assertFault(response, { code: `{${NS.wst13}}InvalidRequest`, reason: REASONS.invalidRequest('TokenType'), status: 400 });
  });

  test('missing TokenType gets SAML 2.0 default', async () => {
    const { rstr, assertion } = await issue(requestForTokenType(undefined));
    assert.equal(nameOf(assertion), `{${NS.saml20}}Assertion`);
    assert.equal(wst13(rstr, 'TokenType')?.textContent, TOKEN_TYPES.saml20Profile);
  });
});

describe('configured SAML 1.1 default', () => {
  const servers: RunningServer[] = [];

  before(async () => {
    for (const tokenType of [TOKEN_TYPES.saml11Urn, TOKEN_TYPES.saml11Profile]) {
      servers.push(await startServer(issueServerOptions({ configYaml: `sts:\n  defaultTokenType: "${tokenType}"\n` })));
    }
  });

  after(async () => {
    await Promise.all(servers.map((started) => started.stop()));
  });

  for (const [index, configured] of ['URN', '#SAMLV1.1'].entries()) {
    test(`default ${configured} answers legacy URN`, async () => {
      const { rstr, assertion } = await issue(requestForTokenType(undefined), 'https', servers[index]);
      assert.equal(nameOf(assertion), `{${NS.saml11}}Assertion`);
      assert.equal(wst13(rstr, 'TokenType')?.textContent, TOKEN_TYPES.saml11Urn);
    });
  }
});

describe('audience restriction', () => {
  for (const [version, tokenType] of [
    ['SAML 2.0', TOKEN_TYPES.saml20Profile],
    ['SAML 1.1', TOKEN_TYPES.saml11Profile],
  ]) {
    test(`${version} audience is the relying party`, async () => {
      const { assertion } = await issue(requestFor(tokenType, 'urn:example:rp:alpha'));
      assert.deepEqual(audiencesOf(assertion), ['urn:example:rp:alpha']);
    });

    test(`${version} lists extra audiences`, async () => {
      const { assertion } = await issue(requestFor(tokenType, 'urn:example:rp:beta'));
      assert.deepEqual(audiencesOf(assertion), ['urn:example:rp:beta', 'urn:example:rp:beta:second']);
    });

    test(`${version} audience is copied verbatim`, async () => {
      const { assertion, rstr } = await issue(requestFor(tokenType, 'https://rp.localhost/'));
      assert.deepEqual(audiencesOf(assertion), ['https://rp.localhost/']);
      const address = descendants(child(rstr, NS.wsp2004, 'AppliesTo')!, NS.wsa2005, 'Address')[0];
      assert.equal(address?.textContent, 'https://rp.localhost/');
    });
  }
});

describe('SAML 2.0 assertion layout', () => {
  test('children are in schema order', async () => {
    const { assertion } = await issue(freshRequest('rst13-baseline.xml'));
    const names = elementChildren(assertion).map(nameOf);
    assert.deepEqual(names.slice(0, 4), [
      `{${NS.saml20}}Issuer`,
      `{${NS.ds}}Signature`,
      `{${NS.saml20}}Subject`,
      `{${NS.saml20}}Conditions`,
    ]);
    assert.deepEqual(names.slice(4), [`{${NS.saml20}}AuthnStatement`, `{${NS.saml20}}AttributeStatement`]);
  });

  test('signature references the ID', async () => {
    const { assertion } = await issue(freshRequest('rst13-baseline.xml'));
    const id = assertion.getAttribute('ID') ?? '';
    assert.match(id, /^_[0-9a-f]{32}$/);
    assert.equal(assertion.hasAttribute('AssertionID'), false);
    const signatures = descendants(assertion, NS.ds, 'Signature');
    assert.equal(signatures.length, 1, 'one signature');
    assertSignatureLayout(signatures[0], `#${id}`);
  });

  test('RSTR references carry SAMLID', async () => {
    const { assertion, rstr } = await issue(freshRequest('rst13-baseline.xml'));
    for (const name of ['RequestedAttachedReference', 'RequestedUnattachedReference']) {
      const reference = child(wst13(rstr, name), NS.wsse, 'SecurityTokenReference');
      assert.equal(reference?.getAttributeNS(NS.wsse11, 'TokenType'), TOKEN_TYPES.saml20Profile);
      const keyIdentifier = child(reference, NS.wsse, 'KeyIdentifier');
      assert.equal(
        keyIdentifier?.getAttribute('ValueType'),
        'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID',
      );
      assert.equal(textOf(keyIdentifier), assertion.getAttribute('ID'));
    }
  });

  test('validity matches Lifetime and clock skew', async () => {
    const { assertion, rstr } = await issue(freshRequest('rst13-baseline.xml'));
    const issueInstant = Date.parse(assertion.getAttribute('IssueInstant') ?? '');
    const conditions = child(assertion, NS.saml20, 'Conditions')!;
    const notBefore = conditions.getAttribute('NotBefore') ?? '';
    const notOnOrAfter = conditions.getAttribute('NotOnOrAfter') ?? '';
    assert.equal(Date.parse(notBefore), issueInstant - CLOCK_SKEW_MS);
    assert.equal(Date.parse(notOnOrAfter), issueInstant + LIFETIME_MS);
    const lifetime = wst13(rstr, 'Lifetime');
    assert.equal(textOf(child(lifetime, NS.wsu, 'Created')), notBefore);
    assert.equal(textOf(child(lifetime, NS.wsu, 'Expires')), notOnOrAfter);
  });

  test('attributes carry the roles', async () => {
    const { assertion } = await issue(freshRequest('rst13-baseline.xml'));
    const role = descendants(assertion, NS.saml20, 'Attribute').find((attribute) => attribute.getAttribute('Name') === ROLE_CLAIM);
    assert.ok(role, 'a role attribute is present');
    assert.deepEqual(descendants(role, NS.saml20, 'AttributeValue').map(textOf), ['admin']);
  });

  for (const [transport, context] of [
    ['https', 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
    ['http', 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password'],
  ] as const) {
    test(`password over ${transport} is ${context.split(':').pop()}`, async () => {
      const { assertion } = await issue(freshRequest('rst13-baseline.xml'), transport);
      assert.equal(textOf(descendants(assertion, NS.saml20, 'AuthnContextClassRef')[0]), context);
    });
  }
});

describe('SAML 1.1 assertion layout', () => {
  test('signature is the last child', async () => {
    const { assertion } = await issue(freshRequest('rst13-tokentype-saml11.xml'));
    const children = elementChildren(assertion);
    assert.equal(nameOf(children[children.length - 1]), `{${NS.ds}}Signature`);
    assert.equal(descendants(assertion, NS.ds, 'Signature').length, 1, 'one signature');
  });

  test('signature references the AssertionID', async () => {
    const { assertion } = await issue(freshRequest('rst13-tokentype-saml11.xml'));
    const id = assertion.getAttribute('AssertionID') ?? '';
    assert.match(id, /^[A-Za-z_][A-Za-z0-9._-]*$/, 'AssertionID is an NCName');
    assert.equal(assertion.hasAttribute('ID'), false);
    assertSignatureLayout(descendants(assertion, NS.ds, 'Signature')[0], `#${id}`);
  });

  test('RSTR references carry SAMLAssertionID', async () => {
    const { assertion, rstr } = await issue(freshRequest('rst13-tokentype-saml11.xml'));
    for (const name of ['RequestedAttachedReference', 'RequestedUnattachedReference']) {
      const reference = child(wst13(rstr, name), NS.wsse, 'SecurityTokenReference');
      assert.equal(reference?.getAttributeNS(NS.wsse11, 'TokenType'), TOKEN_TYPES.saml11Profile);
      const keyIdentifier = child(reference, NS.wsse, 'KeyIdentifier');
      assert.equal(
        keyIdentifier?.getAttribute('ValueType'),
        'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID',
      );
      assert.equal(textOf(keyIdentifier), assertion.getAttribute('AssertionID'));
    }
  });

  test('validity matches Lifetime and clock skew', async () => {
    const { assertion, rstr } = await issue(freshRequest('rst13-tokentype-saml11.xml'));
    const issueInstant = Date.parse(assertion.getAttribute('IssueInstant') ?? '');
    const conditions = child(assertion, NS.saml11, 'Conditions')!;
    assert.equal(Date.parse(conditions.getAttribute('NotBefore') ?? ''), issueInstant - CLOCK_SKEW_MS);
    assert.equal(Date.parse(conditions.getAttribute('NotOnOrAfter') ?? ''), issueInstant + LIFETIME_MS);
    const lifetime = wst13(rstr, 'Lifetime');
    assert.equal(textOf(child(lifetime, NS.wsu, 'Created')), conditions.getAttribute('NotBefore'));
    assert.equal(textOf(child(lifetime, NS.wsu, 'Expires')), conditions.getAttribute('NotOnOrAfter'));
  });

  test('authentication method is password', async () => {
    const { assertion } = await issue(freshRequest('rst13-tokentype-saml11.xml'));
    const statement = child(assertion, NS.saml11, 'AuthenticationStatement');
    assert.equal(statement?.getAttribute('AuthenticationMethod'), 'urn:oasis:names:tc:SAML:1.0:am:password');
  });

  test('attributes carry the roles', async () => {
    const { assertion } = await issue(freshRequest('rst13-tokentype-saml11.xml'));
    const role = descendants(assertion, NS.saml11, 'Attribute').find(
      (attribute) => `${attribute.getAttribute('AttributeNamespace')}/${attribute.getAttribute('AttributeName')}` === ROLE_CLAIM,
    );
    assert.ok(role, 'a role attribute is present');
    assert.deepEqual(descendants(role, NS.saml11, 'AttributeValue').map(textOf), ['admin']);
  });
});
