import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { passwordDigest } from '../helpers/replay.js';
import { postSoap, runCli, startServer, type RunningServer } from './harness.js';
import {
  assertFault,
  assertIssued,
  freshRequest,
  issueServerOptions,
  NS,
  REASONS,
  replaceOnce,
  send,
  stsUrl,
  USER01,
} from './issue-setup.js';

const SENDER = `{${NS.soap12}}Sender`;
const INVALID_SECURITY = `{${NS.wsse}}InvalidSecurity`;
const WSSE_INVALID_TOKEN = `{${NS.wsse}}InvalidSecurityToken`;
const WSSE_FAILED = `{${NS.wsse}}FailedAuthentication`;
const INVALID_REQUEST = `{${NS.wst13}}InvalidRequest`;

let server: RunningServer;

before(async () => {
  server = await startServer(issueServerOptions());
});

after(async () => {
  await server?.stop();
});

/** Builds the known-answer digest request with a fresh nonce, Created and digest for `password`. */
function digestRequest(nonce: Buffer, password: string): string {
  const created = new Date().toISOString();
  const base = freshRequest('usernametoken-digest-known-answer.xml');
  return base
    .replace(/(<wsse:Nonce[^>]*>)[^<]*(<\/wsse:Nonce>)/, `$1${nonce.toString('base64')}$2`)
    .replace(/(<wsse:UsernameToken[\s\S]*?<wsu:Created>)[^<]*(<\/wsu:Created>)/, `$1${created}$2`)
    .replace(/(<wsse:Password[^>]*>)[^<]*(<\/wsse:Password>)/, `$1${passwordDigest(nonce, created, password)}$2`);
}

describe('replay cache hardening', () => {
  test('over-long nonce is rejected', async () => {
    const response = await send(server, digestRequest(randomBytes(200), USER01.password));
    assertFault(response, { code: WSSE_INVALID_TOKEN, reason: REASONS.wsseInvalidSecurityToken });
  });

  test('failed login does not burn the nonce', async () => {
    const nonce = randomBytes(16);
    const wrong = await send(server, digestRequest(nonce, 'not-the-password'));
    assertFault(wrong, { code: WSSE_FAILED, reason: REASONS.wsseFailedAuthentication });
    assertIssued(await send(server, digestRequest(nonce, USER01.password)));
  });

  test('successful nonce cannot be replayed', async () => {
    const nonce = randomBytes(16);
    assertIssued(await send(server, digestRequest(nonce, USER01.password)));
    const replay = await send(server, digestRequest(nonce, USER01.password));
    assertFault(replay, { code: WSSE_FAILED, reason: REASONS.wsseFailedAuthentication });
  });
});

describe('duplicate elements', () => {
  const baseline = () => freshRequest('rst13-baseline.xml');

  test('second UsernameToken is rejected', async () => {
    const request = baseline().replace(/(<wsse:UsernameToken[\s\S]*?<\/wsse:UsernameToken>)/, '$1$1');
    assertFault(await send(server, request), { code: INVALID_SECURITY, reason: REASONS.invalidSecurity });
  });

  test('second Username is rejected', async () => {
    const request = baseline().replace(/(<wsse:Username>[^<]*<\/wsse:Username>)/, '$1<wsse:Username>bob</wsse:Username>');
    assertFault(await send(server, request), { code: WSSE_INVALID_TOKEN, reason: REASONS.wsseInvalidSecurityToken });
  });

  test('second Timestamp is rejected', async () => {
    const request = baseline().replace(/(<wsu:Timestamp[\s\S]*?<\/wsu:Timestamp>)/, '$1$1');
    assertFault(await send(server, request), { code: INVALID_SECURITY, reason: REASONS.invalidSecurity });
  });

  test('second Body is rejected', async () => {
    const request = baseline().replace(/(<s:Body>[\s\S]*<\/s:Body>)/, '$1$1');
    assertFault(await send(server, request), { code: INVALID_REQUEST, reason: REASONS.invalidRequest('Envelope') });
  });

  test('Body before Header is rejected', async () => {
    const original = baseline();
    const header = /<s:Header>[\s\S]*<\/s:Header>/.exec(original)![0];
    const request = original.replace(header, '').replace('</s:Body>', `</s:Body>${header}`);
    assertFault(await send(server, request), { code: INVALID_REQUEST, reason: REASONS.invalidRequest('Envelope') });
  });

  test('second AppliesTo is rejected', async () => {
    const request = baseline().replace(/(<wsp:AppliesTo[\s\S]*?<\/wsp:AppliesTo>)/, '$1$1');
    assertFault(await send(server, request), { code: INVALID_REQUEST, reason: REASONS.invalidRequest('AppliesTo') });
  });

  test('Security for another actor is ignored', async () => {
    const request = baseline().replace('<wsse:Security ', '<wsse:Security s:role="http://other.example.test/role" ');
    assertFault(await send(server, request), { code: INVALID_SECURITY, reason: REASONS.invalidSecurity });
  });
});

describe('message encoding and size', () => {
  test('invalid UTF-8 is rejected', async () => {
    const text = freshRequest('rst13-baseline.xml');
    const [head, tail] = text.split('user01@example.test</wsse:Username>');
    const body = Buffer.concat([Buffer.from(head + 'user01'), Buffer.from([0xc0, 0xaf]), Buffer.from('</wsse:Username>' + tail)]);
    const response = await postSoap(stsUrl(server, 'http'), body as unknown as string, {});
    assertFault(response, { code: SENDER, reason: REASONS.malformed, status: 400 });
  });

  test('UTF-16 charset is rejected', async () => {
    const response = await send(server, freshRequest('rst13-baseline.xml'), {
      contentType: 'application/soap+xml; charset=utf-16',
    });
    assertFault(response, { code: SENDER, reason: REASONS.malformed, status: 400 });
  });

  test('non-UTF-8 XML declaration is rejected', async () => {
    const request = replaceOnce(freshRequest('rst13-baseline.xml'), /^<\?xml[^?]*\?>/, '<?xml version="1.0" encoding="ISO-8859-1"?>');
    assertFault(await send(server, request), { code: SENDER, reason: REASONS.malformed, status: 400 });
  });

  test('too many elements are rejected', async () => {
    const request = replaceOnce(freshRequest('rst13-baseline.xml'), '<wst:RequestType>', `${'<x:e xmlns:x="urn:x"/>'.repeat(5000)}<wst:RequestType>`);
    assertFault(await send(server, request), { code: SENDER, reason: REASONS.malformed, status: 400 });
  });

  test('too many attributes are rejected', async () => {
    const attributes = Array.from({ length: 100 }, (_, i) => `a${i}="v"`).join(' ');
    const request = replaceOnce(freshRequest('rst13-baseline.xml'), '<wst:RequestType>', `<x:e xmlns:x="urn:x" ${attributes}/><wst:RequestType>`);
    assertFault(await send(server, request), { code: SENDER, reason: REASONS.malformed, status: 400 });
  });

  test('padded mustUnderstand still counts', async () => {
    const request = replaceOnce(
      freshRequest('rst13-baseline.xml'),
      '<wsa:MessageID>',
      '<x:Trace xmlns:x="urn:example:unknown-extension" s:mustUnderstand=" 1 ">t</x:Trace><wsa:MessageID>',
    );
    assertFault(await send(server, request), { code: `{${NS.soap12}}MustUnderstand`, reason: REASONS.mustUnderstand });
  });
});

describe('mustUnderstand targets', () => {
  const withHeader = (attributes: string) =>
    replaceOnce(
      freshRequest('rst13-baseline.xml'),
      '<wsa:MessageID>',
      `<x:Trace xmlns:x="urn:example:unknown-extension" ${attributes}>t</x:Trace><wsa:MessageID>`,
    );

  test('non-boolean mustUnderstand counts as mandatory', async () => {
    const response = await send(server, withHeader('s:mustUnderstand="yes"'));
    assertFault(response, { code: `{${NS.soap12}}MustUnderstand`, reason: REASONS.mustUnderstand });
  });

  test('header for another role is skipped', async () => {
    assertIssued(await send(server, withHeader('s:mustUnderstand="1" s:role="urn:example:other-node"')));
  });

  test('header for role none is skipped', async () => {
    const none = 'http://www.w3.org/2003/05/soap-envelope/role/none';
    assertIssued(await send(server, withHeader(`s:mustUnderstand="1" s:role="${none}"`)));
  });
});

describe('echo and log limits', () => {
  test('long MessageID is not echoed', async () => {
    const longId = `urn:uuid:${'a'.repeat(5000)}`;
    const request = freshRequest('rst13-baseline.xml', { messageId: longId, password: 'wrong-password' });
    const response = await send(server, request);
    assertFault(response, { code: WSSE_FAILED, reason: REASONS.wsseFailedAuthentication });
    assert.ok(!response.body.includes('a'.repeat(2000)), 'the fault does not echo the long MessageID');
    const line = server.output.filter((entry) => entry.includes('rst.failed')).at(-1)!;
    assert.ok(line.length < 4000, `the log line is short (${line.length} characters)`);
  });

  test('long ReplyTo is not echoed', async () => {
    const address = `https://evil.test/${'b'.repeat(5000)}`;
    const request = replaceOnce(
      freshRequest('rst13-baseline.xml', { password: 'wrong-password' }),
      /<wsa:ReplyTo>[\s\S]*?<\/wsa:ReplyTo>/,
      `<wsa:ReplyTo><wsa:Address>${address}</wsa:Address></wsa:ReplyTo>`,
    );
    const response = await send(server, request);
    assertFault(response, { code: WSSE_FAILED, reason: REASONS.wsseFailedAuthentication });
    assert.ok(!response.body.includes('b'.repeat(2000)), 'the fault does not echo the long address');
  });

  test('failed login logs claimed user', async () => {
    await send(server, freshRequest('rst13-baseline.xml', { password: 'wrong-password' }));
    const entry = JSON.parse(server.output.filter((line) => line.includes('rst.failed')).at(-1)!) as Record<string, unknown>;
    assert.equal(entry.principal, null);
    assert.equal(entry.claimedUser, 'user01@example.test');
  });

  test('fault goes to FaultTo', async () => {
    const request = replaceOnce(
      freshRequest('rst13-baseline.xml', { password: 'wrong-password' }),
      '<wsa:MessageID>',
      '<wsa:FaultTo><wsa:Address>https://faults.example.test/</wsa:Address></wsa:FaultTo><wsa:MessageID>',
    );
    const response = await send(server, request);
    assert.match(response.body, /<wsa:To[^>]*>https:\/\/faults\.example\.test\/<\/wsa:To>/);
  });
});

describe('HTTP surface', () => {
  test('WSDL ignores a hostile Host header', async () => {
    const { request } = await import('node:http');
    const url = new URL(stsUrl(server, 'http'));
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: `${url.pathname}?wsdl`, headers: { host: 'evil.test:666/x"' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.ok(!body.includes('evil.test'), 'the WSDL does not use the malformed Host header');
    assert.match(body, /location="http:\/\/localhost\//);
  });

  test('404 does not echo the path', async () => {
    const response = await fetch(`${server.httpUrl}/no/such/<script>`);
    assert.equal(response.status, 404);
    assert.equal(await response.text(), 'Not found\n');
  });

  test('database is readable by owner only', () => {
    const mode = statSync(path.join(server.dataDir, 'sts.db')).mode & 0o777;
    assert.equal(mode.toString(8), '600');
  });
});

describe('server start-up', () => {
  test('generated admin password goes to a file', async () => {
    const fresh = await startServer({ env: { STS_ADMIN_PASSWORD: '' } });
    try {
      const file = path.join(fresh.dataDir, 'secrets/admin-password');
      assert.ok(existsSync(file), 'the password file exists');
      assert.equal((statSync(file).mode & 0o777).toString(8), '600');
      const password = readFileSync(file, 'utf8').trim();
      assert.ok(password.length >= 16, 'the password is long');
      assert.ok(!fresh.output.some((line) => line.includes(password)), 'the password is not in the output');
    } finally {
      await fresh.stop();
    }
  });

  test('missing TLS file names the setting', async () => {
    const config = path.join(server.dataDir, 'bad-tls.yaml');
    writeFileSync(config, 'server:\n  tlsCertFile: /nonexistent/cert.pem\n  tlsKeyFile: /nonexistent/key.pem\n');
    const failed = await runCli(['serve', '--data-dir', path.join(server.dataDir, 'other2'), '--port', '0'], {
      env: { STS_CONFIG: config },
    });
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /server\.tlsCertFile: cannot read a PEM certificate from \/nonexistent\/cert\.pem \(file not found\)/);
    assert.doesNotMatch(failed.stderr, /\n\s+at /);
  });

  test('unknown option exits with 2', async () => {
    const result = await runCli(['users', 'list', '--bogus', '--data-dir', server.dataDir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--bogus'/);
  });
});

describe('slow clients', () => {
  test('slow body gets 408 and is closed', async () => {
    const slow = await startServer({ configYaml: 'server:\n  requestTimeoutSeconds: 2\n' });
    try {
      const url = new URL(slow.httpUrl);
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(url.port), '127.0.0.1', () => {
          socket.write('POST /services/wso2carbon-sts HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n');
          const drip = setInterval(() => socket.writable && socket.write('a'), 500);
          let data = '';
          socket.on('data', (chunk) => (data += chunk));
          socket.on('close', () => {
            clearInterval(drip);
            resolve(data);
          });
        });
      });
      assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.match(answer, /\r\n\r\nRequest timeout\n$/);
    } finally {
      await slow.stop();
    }
  });

  test('malformed URL gets plain 400', async () => {
    const response = await fetch(`${server.httpUrl}/services/wso2carbon-sts/%zz`);
    assert.equal(response.status, 400);
    assert.equal(await response.text(), 'Request failed\n');
  });
});
