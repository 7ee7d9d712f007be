import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from './harness.js';
import {
  assertFault,
  assertIssued,
  child,
  freshRequest,
  issueServerOptions,
  NS,
  replaceOnce,
  rstrOf,
  send,
  textOf,
  tokenElement,
  TOKEN_TYPES,
} from './issue-setup.js';

const LIFETIME_MS = 3_600_000;
const TIME_RANGE_REASON = 'The requested time range is invalid or unsupported';

let server: RunningServer;

before(async () => {
  server = await startServer(issueServerOptions());
});

after(async () => {
  await server?.stop();
});

/** Returns the baseline request with a wst:Lifetime of the given bounds (each omitted when undefined). */
function requestWithLifetime(created: Date | string | undefined, expires: Date | string | undefined): string {
  const text = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString());
  const lifetime =
    '<wst:Lifetime>' +
    (created ? `<wsu:Created>${text(created)}</wsu:Created>` : '') +
    (expires ? `<wsu:Expires>${text(expires)}</wsu:Expires>` : '') +
    '</wst:Lifetime>';
  return replaceOnce(freshRequest('rst13-baseline.xml'), '<wst:RequestType>', `${lifetime}<wst:RequestType>`);
}

function conditionsOf(body: string): { notBefore: number; notOnOrAfter: number } {
  const conditions = child(tokenElement(body), NS.saml20, 'Conditions');
  assert.ok(conditions, 'the assertion has Conditions');
  return {
    notBefore: Date.parse(conditions.getAttribute('NotBefore') ?? ''),
    notOnOrAfter: Date.parse(conditions.getAttribute('NotOnOrAfter') ?? ''),
  };
}

describe('requested Lifetime', () => {
  test('shorter lifetime is honoured', async () => {
    const expires = new Date(Date.now() + 10 * 60_000);
    const response = await send(server, requestWithLifetime(new Date(), expires));
    assertIssued(response);
    assert.equal(conditionsOf(response.body).notOnOrAfter, Date.parse(expires.toISOString()));
    const lifetime = child(rstrOf(response.body), NS.wst13, 'Lifetime');
    assert.equal(Date.parse(textOf(child(lifetime, NS.wsu, 'Expires'))), Date.parse(expires.toISOString()));
  });

  test('longer lifetime is cut to the configured one', async () => {
    const before = Date.now();
    const response = await send(server, requestWithLifetime(undefined, new Date(before + 48 * LIFETIME_MS)));
    assertIssued(response);
    const { notOnOrAfter } = conditionsOf(response.body);
    assert.ok(notOnOrAfter <= Date.now() + LIFETIME_MS, 'NotOnOrAfter is at most the configured lifetime away');
    assert.ok(notOnOrAfter >= before + LIFETIME_MS - 1000, 'NotOnOrAfter is the configured lifetime away');
  });

  test('expired lifetime gets InvalidTimeRange', async () => {
    const response = await send(server, requestWithLifetime(new Date(Date.now() - 600_000), new Date(Date.now() - 60_000)));
    assertFault(response, { code: `{${NS.wst13}}InvalidTimeRange`, reason: TIME_RANGE_REASON, status: 400 });
  });

  test('reversed lifetime gets InvalidTimeRange', async () => {
    const response = await send(server, requestWithLifetime(new Date(Date.now() + 600_000), new Date(Date.now() + 300_000)));
    assertFault(response, { code: `{${NS.wst13}}InvalidTimeRange`, reason: TIME_RANGE_REASON, status: 400 });
  });

  test('malformed Expires gets InvalidTimeRange', async () => {
    const response = await send(server, requestWithLifetime(undefined, 'tomorrow'));
    assertFault(response, { code: `{${NS.wst13}}InvalidTimeRange`, reason: TIME_RANGE_REASON, status: 400 });
  });
});

describe('AD FS-style paths', () => {
  test('missing TokenType gives SAML 1.1 URN', async () => {
    const request = freshRequest('msal-2005-password-no-type.xml');
    const response = await send(server, request, { path: '/adfs/services/trust/2005/usernamemixed' });
    assertIssued(response);
    const rstr = rstrOf(response.body);
    assert.equal(textOf(child(rstr, NS.wst2005, 'TokenType')), TOKEN_TYPES.saml11Urn);
    assert.equal(tokenElement(response.body).namespaceURI, NS.saml11);
  });

  test('requested TokenType still wins', async () => {
    const request = freshRequest('rst13-baseline.xml');
    const response = await send(server, request, { path: '/adfs/services/trust/13/usernamemixed' });
    assertIssued(response);
    assert.equal(textOf(child(rstrOf(response.body), NS.wst13, 'TokenType')), TOKEN_TYPES.saml20Profile);
    assert.equal(tokenElement(response.body).namespaceURI, NS.saml20);
  });

  test('WSO2 path keeps the configured default', async () => {
    const response = await send(server, freshRequest('msal-2005-password-no-type.xml'));
    assertIssued(response);
    assert.equal(textOf(child(rstrOf(response.body), NS.wst2005, 'TokenType')), TOKEN_TYPES.saml20Profile);
  });
});
