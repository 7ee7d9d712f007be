import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { loadFixture, refreshRequest } from '../helpers/replay.js';
import { startServer, type RunningServer, type SoapResponse } from './harness.js';
import {
  assertFault,
  assertIssued,
  BOB,
  CAROL,
  cutToken,
  freshRequest,
  hasNoIssuedToken,
  issueServerOptions,
  NS,
  readFault,
  REASONS,
  replaceOnce,
  send,
  stsUrl,
  USER01,
} from './issue-setup.js';

const DIGEST_FIXTURE = 'usernametoken-digest-known-answer.xml';
const MAX_MESSAGE_BYTES = 1024 * 1024;
const FAILED_AUTHENTICATION = { code: `{${NS.wsse}}FailedAuthentication`, reason: REASONS.wsseFailedAuthentication };
const MESSAGE_EXPIRED = { code: `{${NS.wsse}}MessageExpired`, reason: REASONS.messageExpired, status: 400 };
const MALFORMED_12 = { code: `{${NS.soap12}}Sender`, reason: REASONS.malformed, status: 400 };
const USERNAME_TOKEN = /<wsse:UsernameToken[\s\S]*<\/wsse:UsernameToken>/;

let server: RunningServer;

before(async () => {
  server = await startServer(issueServerOptions());
});

after(async () => {
  await server?.stop();
});

/** Returns the Nonce and Created texts of a request's UsernameToken. */
function usernameTokenInputs(request: string): { nonce: string; created: string } {
  const nonce = /<wsse:Nonce[^>]*>([^<]*)<\/wsse:Nonce>/.exec(request)?.[1];
  const created = /<wsse:UsernameToken[\s\S]*<wsu:Created>([^<]*)<\/wsu:Created>/.exec(request)?.[1];
  assert.ok(nonce, 'the request has a Nonce');
  assert.ok(created, 'the UsernameToken has a Created');
  return { nonce, created };
}

/** Replaces the Password text of a PasswordDigest UsernameToken. */
function withDigest(request: string, digest: string): string {
  return replaceOnce(request, /(<wsse:Password Type="[^"]*#PasswordDigest">)[^<]*/, `$1${digest}`);
}

/** Returns the baseline request for `username` with PasswordText `password`. */
function baselineFor(username: string, password: string): string {
  return freshRequest('rst13-baseline.xml', { username, password });
}

/** Returns the refreshed baseline with its times shifted by `offsetMs` from now. */
function baselineAt(offsetMs: number): string {
  return freshRequest('rst13-baseline.xml', { now: new Date(Date.now() + offsetMs) });
}

/**
 * Waits until the server has written the audit line of a request. The server logs before it
 * responds, but the test reads its output through a pipe, so the line can arrive a little later.
 */
async function auditLines(requestId: string): Promise<Array<Record<string, unknown>>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const lines = server.output
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.requestId === requestId && String(entry.msg).startsWith('rst.'));
    if (lines.length > 0) return lines;
    await delay(50);
  }
  return [];
}

/** Posts a body in chunks without a Content-Length, as a streaming client does. */
function postChunked(url: string, chunks: string[]): Promise<SoapResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/soap+xml', 'transfer-encoding': 'chunked' } },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
      },
    );
    // The server may send 413 and close before every chunk is written.
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('PasswordDigest', () => {
  test('correct digest gets token', async () => {
    assertIssued(await send(server, freshRequest(DIGEST_FIXTURE)));
  });

  const wrongDigests: Array<[string, (nonce: string, created: string, password: string) => string]> = [
    ['hash over base64 text', (nonce, created, password) => sha1Base64(nonce + created + password)],
    [
      'base64 of hex digest',
      (nonce, created, password) =>
        Buffer.from(sha1(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created + password)])).toString('hex')).toString(
          'base64',
        ),
    ],
    [
      'Latin-1 read as UTF-8',
      (nonce, created, password) =>
        sha1Base64(Buffer.concat([Buffer.from(Buffer.from(nonce, 'base64').toString('latin1'), 'utf8'), Buffer.from(created + password)])),
    ],
  ];
  for (const [mistake, compute] of wrongDigests) {
    test(`digest ${mistake} fails`, async () => {
      const request = freshRequest(DIGEST_FIXTURE);
      const { nonce, created } = usernameTokenInputs(request);
      const response = await send(server, withDigest(request, compute(nonce, created, USER01.password)));
      assertFault(response, { ...FAILED_AUTHENTICATION, status: 400 });
    });
  }

  test('nonce not base64 is invalid', async () => {
    const request = replaceOnce(
      freshRequest('nonce-not-base64.xml'),
      /(<wsse:Nonce[^>]*>)[^<]*/,
      '$1%%not*base64!',
    );
    const response = await send(server, request);
    assertFault(response, { code: `{${NS.wsse}}InvalidSecurityToken`, reason: REASONS.wsseInvalidSecurityToken, status: 400 });
    assert.match(response.contentType, /^application\/soap\+xml/);
  });

  test('replayed nonce is rejected', async () => {
    const request = freshRequest(DIGEST_FIXTURE);
    assertIssued(await send(server, request));
    assertFault(await send(server, request), { ...FAILED_AUTHENTICATION, status: 400 });
  });

  test('digest without opt-in fails like wrong password', async () => {
    const request = freshRequest(DIGEST_FIXTURE, { username: CAROL.name, password: CAROL.password });
    const withoutOptIn = assertFault(await send(server, request), FAILED_AUTHENTICATION);
    const wrongPassword = assertFault(
      await send(server, freshRequest(DIGEST_FIXTURE, { password: 'not-the-password' })),
      FAILED_AUTHENTICATION,
    );
    assert.deepEqual(withoutOptIn, wrongPassword);
  });
});

function sha1(data: Buffer | string): Buffer {
  return createHash('sha1').update(data).digest();
}

function sha1Base64(data: Buffer | string): string {
  return sha1(data).toString('base64');
}

describe('message freshness', () => {
  test('client 30 s ahead gets token', async () => {
    assertIssued(await send(server, baselineAt(30_000)));
  });

  test('UsernameToken Created 30 s ahead gets token', async () => {
    const request = freshRequest('zeep-usernametoken-digest-rst.xml', { now: new Date(Date.now() + 30_000) });
    assertIssued(await send(server, request));
  });

  test('client 5 min ahead is expired', async () => {
    assertFault(await send(server, baselineAt(5 * 60_000)), MESSAGE_EXPIRED);
  });

  test('Timestamp 6 min old is expired', async () => {
    assertFault(await send(server, baselineAt(-6 * 60_000)), MESSAGE_EXPIRED);
  });

  test('UsernameToken Created 6 min old is expired', async () => {
    const request = freshRequest('zeep-usernametoken-digest-rst.xml', { now: new Date(Date.now() - 6 * 60_000) });
    assertFault(await send(server, request), { ...MESSAGE_EXPIRED, status: 500 });
  });

  test('seven fraction digits parse', async () => {
    // .NET writes seven fraction digits; refreshRequest keeps the layout of each time it rewrites.
    const template = loadFixture('rst13-baseline.xml').replaceAll('00Z</wsu:', '00.1234567Z</wsu:');
    const request = refreshRequest(template);
    assert.match(request, /<wsu:Created>[^<]*T[^<]*\.\d{7}Z<\/wsu:Created>/);
    assertIssued(await send(server, request));
  });
});

describe('authentication and authorisation', () => {
  test('failures share one fault and reason', async () => {
    const failures = [
      baselineFor('nobody@example.test', USER01.password),
      baselineFor(USER01.name, 'not-the-password'),
      baselineFor(BOB.name, BOB.password),
    ];
    const faults = [];
    for (const request of failures) faults.push(assertFault(await send(server, request), { ...FAILED_AUTHENTICATION, status: 400 }));
    assert.deepEqual(faults[1], faults[0], 'wrong password and unknown user look the same');
    assert.deepEqual(faults[2], faults[0], 'missing role and unknown user look the same');
  });

  test('HTTP Basic credentials get token', async () => {
    const request = replaceOnce(freshRequest('rst13-baseline.xml'), USERNAME_TOKEN, '');
    const authorization = `Basic ${Buffer.from(`${USER01.name}:${USER01.password}`).toString('base64')}`;
    assertIssued(await send(server, request, { headers: { authorization } }));
  });

  test('wrong HTTP Basic password fails', async () => {
    const request = replaceOnce(freshRequest('rst13-baseline.xml'), USERNAME_TOKEN, '');
    const authorization = `Basic ${Buffer.from(`${USER01.name}:wrong`).toString('base64')}`;
    assertFault(await send(server, request, { headers: { authorization } }), { ...FAILED_AUTHENTICATION, status: 400 });
  });

  test('no credentials is InvalidSecurity', async () => {
    const request = replaceOnce(freshRequest('rst13-baseline.xml'), USERNAME_TOKEN, '');
    const response = await send(server, request);
    assertFault(response, { code: `{${NS.wsse}}InvalidSecurity`, reason: REASONS.invalidSecurity, status: 400 });
  });
});

/** A request that must be rejected, how to send it, and the response expected. */
interface Regression {
  name: string;
  send: () => Promise<SoapResponse>;
  /** A fault, or a plain HTTP status for responses sent before SOAP processing. */
  expected: { code: string; reason: string; status?: number } | { httpStatus: number };
}

const BILLION_LAUGHS =
  '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
  ']>';
const EXTERNAL_ENTITY = '<!DOCTYPE envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';

/** Returns the baseline request with a DOCTYPE after the XML declaration and `&name;` in its Username. */
function withDoctype(doctype: string, entity: string): string {
  const request = freshRequest('rst13-baseline.xml');
  return request
    .replace(/^(<\?xml[^>]*\?>)?/, (declaration) => `${declaration}${doctype}`)
    .replace(`<wsse:Username>${USER01.name}`, `<wsse:Username>&${entity};`);
}

/** Returns the baseline request with `depth` nested elements inside the RST. */
function withNesting(depth: number): string {
  const open = Array.from({ length: depth }, () => '<x:n xmlns:x="urn:example:nest">').join('');
  return replaceOnce(freshRequest('rst13-baseline.xml'), '</wst:RequestSecurityToken>', `${open}${'</x:n>'.repeat(depth)}</wst:RequestSecurityToken>`);
}

const REGRESSIONS: Regression[] = [
  {
    name: 'replayed nonce',
    send: async () => {
      const request = freshRequest(DIGEST_FIXTURE);
      assertIssued(await send(server, request));
      return send(server, request);
    },
    expected: { ...FAILED_AUTHENTICATION, status: 400 },
  },
  { name: 'expired Timestamp', send: () => send(server, baselineAt(-10 * 60_000)), expected: MESSAGE_EXPIRED },
  { name: 'future Created', send: () => send(server, baselineAt(2 * 60_000)), expected: MESSAGE_EXPIRED },
  { name: 'DTD with entity expansion', send: () => send(server, withDoctype(BILLION_LAUGHS, 'lol9')), expected: MALFORMED_12 },
  { name: 'DTD with external entity', send: () => send(server, withDoctype(EXTERNAL_ENTITY, 'xxe')), expected: MALFORMED_12 },
  {
    name: 'DTD in SOAP 1.1',
    send: () => send(server, freshRequest('soap11-rst13.xml').replace('<soap:Envelope', `${EXTERNAL_ENTITY}<soap:Envelope`)),
    expected: { code: `{${NS.soap11}}Client`, reason: REASONS.malformed, status: 400 },
  },
  {
    name: 'oversized message',
    send: () =>
      send(server, replaceOnce(freshRequest('rst13-baseline.xml'), '<s:Body>', `<s:Body><!--${'x'.repeat(MAX_MESSAGE_BYTES)}-->`)),
    expected: { httpStatus: 413 },
  },
  {
    name: 'oversized chunked message',
    send: () => postChunked(stsUrl(server, 'http'), ['<s:Envelope>', ...Array.from({ length: 20 }, () => 'x'.repeat(64 * 1024))]),
    expected: { httpStatus: 413 },
  },
  { name: 'nesting deeper than 64', send: () => send(server, withNesting(70)), expected: MALFORMED_12 },
  {
    name: 'not well-formed XML',
    send: () => send(server, freshRequest('rst13-baseline.xml').replace('</s:Body>', '</s:Bdy>')),
    expected: MALFORMED_12,
  },
  {
    name: 'body not WS-Trust',
    send: () =>
      send(
        server,
        replaceOnce(
          freshRequest('rst13-baseline.xml'),
          /<wst:RequestSecurityToken[\s\S]*<\/wst:RequestSecurityToken>/,
          '<x:Ping xmlns:x="urn:example:ping"/>',
        ),
      ),
    expected: { code: `{${NS.wst13}}InvalidRequest`, reason: REASONS.invalidRequest('RequestSecurityToken'), status: 400 },
  },
];

describe('security regressions', () => {
  for (const regression of REGRESSIONS) {
    test(`${regression.name} is rejected`, async () => {
      const response = await regression.send();
      if ('httpStatus' in regression.expected) {
        assert.equal(response.status, regression.expected.httpStatus);
        assert.ok(hasNoIssuedToken(response.body), 'no token');
      } else {
        assertFault(response, regression.expected);
      }
      assert.ok(!response.body.includes('root:'), 'no file content in the answer');
    });
  }

  test('server still issues after regressions', async () => {
    assertIssued(await send(server, freshRequest('rst13-baseline.xml')));
  });
});

describe('audit log', () => {
  const DISTINCT_PASSWORD = 'Distinct-Wrong-Password-5c81e7';

  test('secrets never reach the log', async () => {
    const failed = await send(server, baselineFor(USER01.name, DISTINCT_PASSWORD));
    assertFault(failed, { ...FAILED_AUTHENTICATION, status: 400 });
    const digestRequest = freshRequest(DIGEST_FIXTURE);
    const { nonce } = usernameTokenInputs(digestRequest);
    const issued = await send(server, digestRequest);
    const token = assertIssued(issued);
    const lastId = `urn:uuid:${randomUUID()}`;
    const textLogin = assertIssued(await send(server, freshRequest('rst13-baseline.xml', { messageId: lastId })));
    const signatureValue = /<ds:SignatureValue>([^<]*)</.exec(token)![1];
    // The output pipe keeps order, so once the last request's line is there, all lines are.
    assert.equal((await auditLines(lastId)).length, 1);

    for (const line of server.output) {
      assert.ok(!line.includes(DISTINCT_PASSWORD), 'no failed password');
      assert.ok(!line.includes(USER01.password), 'no correct password');
      assert.ok(!line.includes(nonce), 'no nonce');
      assert.ok(!line.includes(token), 'no token of the digest login');
      assert.ok(!line.includes(textLogin), 'no token of the text login');
      assert.ok(!line.includes(signatureValue), 'no signature value');
    }
  });

  test('each request has one audit line', async () => {
    const failedId = `urn:uuid:${randomUUID()}`;
    const issuedId = `urn:uuid:${randomUUID()}`;
    readFault((await send(server, freshRequest('rst13-baseline.xml', { messageId: failedId, password: DISTINCT_PASSWORD }))).body);
    cutToken((await send(server, freshRequest('rst13-baseline.xml', { messageId: issuedId }))).body);

    const [failed, ...extraFailed] = await auditLines(failedId);
    assert.equal(extraFailed.length, 0, 'one line for the failed request');
    assert.equal(failed.msg, 'rst.failed');
    assert.equal(failed.outcome, 'fault');
    assert.equal(failed.faultCode, 'wsse:FailedAuthentication');
    assert.equal(failed.principal, null, 'no principal before authentication');

    const [completed, ...extraCompleted] = await auditLines(issuedId);
    assert.equal(extraCompleted.length, 0, 'one line for the issued request');
    assert.equal(completed.msg, 'rst.completed');
    assert.equal(completed.outcome, 'issued');
    assert.equal(completed.principal, USER01.name);

    for (const line of [failed, completed]) {
      assert.equal(line.operation, 'Issue');
      assert.equal(line.tokenType, 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0');
      assert.equal(line.appliesTo, 'urn:example:rp:alpha');
      assert.equal(typeof line.durationMs, 'number');
    }
  });
});
