import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  InvalidSecurityError,
  MessageExpiredError,
  StsError,
  UnsupportedSecurityTokenError,
  WsseFailedAuthenticationError,
  WsseInvalidSecurityTokenError,
} from '../../../src/errors/index.js';
import { Authenticator, DigestSecretBox, hashPassword, type DirectoryUser } from '../../../src/identity/index.js';
import { readEnvelope } from '../../../src/soap/index.js';
import { MemoryReplayCache } from '../../../src/store/index.js';
import { processSecurityHeader, type FreshnessPolicy, type SecurityContext } from '../../../src/wssec/index.js';
import { parseXml } from '../../../src/xml/index.js';
import { loadFixture } from '../../helpers/replay.js';

/** The STS clock the hand-written fixtures were written for. */
const FIXTURE_NOW = new Date('2030-01-01T00:00:30Z');
const USER = 'user01@example.test';
const PASSWORD = 'Placeholder-Secret-01';
const POLICY: FreshnessPolicy = { clockSkewSeconds: 60, maxMessageAgeSeconds: 300, requireTimestamp: false, allowHttpBasic: true };

/** Correct digest of the known-answer fixture, and three digests of the same inputs computed wrongly. */
const CORRECT_DIGEST = 'QfOATa9bPhfXhhAeirMB3MmYI2k=';
const WRONG_DIGESTS: Array<[string, string]> = [
  ['hash over the base64 text', 'Yu4282ZFg9oMnW8oFBtxnbYdZIg='],
  ['base64 of the hex digest', 'NDFmMzgwNGRhZjViM2UxN2Q3ODYxMDFlOGFiMzAxZGNjOTk4MjM2OQ=='],
  ['Latin-1 read as UTF-8', 'xbK3/kT64XDJUAGkS0X7yjeQMnQ='],
];

let dataDir: string;
let authenticator: Authenticator;

before(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sts-wssec-'));
  const secrets = DigestSecretBox.open(dataDir);
  const passwordHash = await hashPassword(PASSWORD);
  const users: Record<string, DirectoryUser> = {
    [USER]: { name: USER, passwordHash, digestSecret: secrets.seal(PASSWORD), roles: ['admin'], claims: {} },
    carol: { name: 'carol', passwordHash, digestSecret: null, roles: ['admin'], claims: {} },
  };
  authenticator = new Authenticator({ getUser: async (name) => users[name] }, secrets);
});

after(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function context(overrides: Partial<SecurityContext> = {}): SecurityContext {
  return {
    now: FIXTURE_NOW,
    policy: POLICY,
    authenticator,
    replayCache: new MemoryReplayCache(),
    secureTransport: true,
    ...overrides,
  };
}

function headerBlocks(xml: string) {
  return readEnvelope(parseXml(xml, { maxBytes: 1 << 20, maxDepth: 64 }), '1.2').headerBlocks;
}

/** Runs processSecurityHeader and returns its error, failing when it succeeds. */
async function failure(xml: string, overrides: Partial<SecurityContext> = {}): Promise<StsError> {
  try {
    await processSecurityHeader(headerBlocks(xml), context(overrides));
  } catch (error) {
    assert.ok(error instanceof StsError, `StsError expected, got ${String(error)}`);
    return error;
  }
  assert.fail('processSecurityHeader accepted the header');
}

/** The baseline fixture with the Timestamp's Created and Expires set. */
function baselineWithTimestamp(created: string, expires?: string): string {
  let xml = loadFixture('rst13-baseline.xml').replace(
    /<wsu:Created>[^<]*<\/wsu:Created>/,
    `<wsu:Created>${created}</wsu:Created>`,
  );
  xml = expires === undefined
    ? xml.replace(/<wsu:Expires>[^<]*<\/wsu:Expires>/, '')
    : xml.replace(/<wsu:Expires>[^<]*<\/wsu:Expires>/, `<wsu:Expires>${expires}</wsu:Expires>`);
  return xml;
}

function offset(seconds: number): string {
  return new Date(FIXTURE_NOW.getTime() + seconds * 1000).toISOString();
}

describe('PasswordDigest known answer', () => {
  test('correct digest authenticates', async () => {
    const xml = loadFixture('usernametoken-digest-known-answer.xml');
    assert.ok(xml.includes(CORRECT_DIGEST));
    const result = await processSecurityHeader(headerBlocks(xml), context());
    assert.equal(result.user.name, USER);
    assert.equal(result.method, 'password-digest');
    assert.equal(result.credential, 'UsernameToken');
  });

  for (const [mistake, digest] of WRONG_DIGESTS) {
    test(`digest ${mistake} fails`, async () => {
      const xml = loadFixture('usernametoken-digest-known-answer.xml').replace(CORRECT_DIGEST, digest);
      assert.ok(await failure(xml) instanceof WsseFailedAuthenticationError);
    });
  }

  test('user without opt-in fails', async () => {
    const xml = loadFixture('usernametoken-digest-known-answer.xml').replace(`>${USER}<`, '>carol<');
    assert.ok(await failure(xml) instanceof WsseFailedAuthenticationError);
  });

  test('replayed nonce fails', async () => {
    const xml = loadFixture('usernametoken-digest-known-answer.xml');
    const shared = context();
    await processSecurityHeader(headerBlocks(xml), shared);
    await assert.rejects(processSecurityHeader(headerBlocks(xml), shared), WsseFailedAuthenticationError);
  });

  test('nonce not base64 is invalid', async () => {
    const xml = loadFixture('nonce-not-base64.xml');
    assert.ok(await failure(xml) instanceof WsseInvalidSecurityTokenError);
  });

  test('nonce with other EncodingType is invalid', async () => {
    const xml = loadFixture('usernametoken-digest-known-answer.xml').replace('#Base64Binary', '#HexBinary');
    assert.ok(await failure(xml) instanceof WsseInvalidSecurityTokenError);
  });

  test('digest without Created is invalid', async () => {
    const xml = loadFixture('usernametoken-digest-known-answer.xml').replace(
      /(<\/wsse:Nonce>)\s*<wsu:Created>[^<]*<\/wsu:Created>/,
      '$1',
    );
    assert.ok(await failure(xml) instanceof WsseInvalidSecurityTokenError);
  });
});

describe('Password Type', () => {
  test('missing Type means PasswordText', async () => {
    const xml = loadFixture('msal-2005-password-no-type.xml');
    const result = await processSecurityHeader(headerBlocks(xml), context());
    assert.equal(result.method, 'password-transport');
  });

  test('clear password over HTTP is password', async () => {
    const result = await processSecurityHeader(headerBlocks(loadFixture('rst13-baseline.xml')), context({ secureTransport: false }));
    assert.equal(result.method, 'password');
  });

  test('unknown Type is unsupported', async () => {
    const xml = loadFixture('rst13-baseline.xml').replace('#PasswordText', '#PasswordOneTime');
    assert.ok(await failure(xml) instanceof UnsupportedSecurityTokenError);
  });

  test('missing Password is invalid', async () => {
    const xml = loadFixture('rst13-baseline.xml').replace(/<wsse:Password[^>]*>[^<]*<\/wsse:Password>/, '');
    assert.ok(await failure(xml) instanceof WsseInvalidSecurityTokenError);
  });
});

describe('Timestamp freshness', () => {
  for (const [name, created, expires] of [
    ['Created at the skew limit', offset(60), offset(360)],
    ['Created just inside the age limit', offset(-359.999), offset(60)],
    ['Expires just inside the skew', offset(-100), offset(-59.999)],
    ['no Expires', offset(0), undefined],
  ] as const) {
    test(`${name} is accepted`, async () => {
      const result = await processSecurityHeader(headerBlocks(baselineWithTimestamp(created, expires)), context());
      assert.equal(result.user.name, USER);
    });
  }

  for (const [name, created, expires] of [
    ['Created past the skew limit', offset(60.001), offset(360)],
    ['Created at the age limit', offset(-360), offset(60)],
    ['Expires at the skew limit', offset(-100), offset(-60)],
  ] as const) {
    test(`${name} is expired`, async () => {
      assert.ok(await failure(baselineWithTimestamp(created, expires)) instanceof MessageExpiredError);
    });
  }

  test('Expires before Created is invalid', async () => {
    assert.ok(await failure(baselineWithTimestamp(offset(0), offset(-1))) instanceof InvalidSecurityError);
  });

  test('Created without time zone is invalid', async () => {
    assert.ok(await failure(baselineWithTimestamp('2030-01-01T00:00:00', offset(60))) instanceof InvalidSecurityError);
  });

  test('UsernameToken Created is checked too', async () => {
    const xml = loadFixture('usernametoken-digest-known-answer.xml');
    const later = context({ now: new Date(FIXTURE_NOW.getTime() + 10 * 60_000) });
    assert.ok(await failure(xml.replace(/<wsu:Timestamp[\s\S]*<\/wsu:Timestamp>/, ''), later) instanceof MessageExpiredError);
  });
});

describe('credential sources', () => {
  const withoutToken = () => loadFixture('rst13-baseline.xml').replace(/<wsse:UsernameToken[\s\S]*<\/wsse:UsernameToken>/, '');

  test('HTTP Basic credentials authenticate', async () => {
    const result = await processSecurityHeader(headerBlocks(withoutToken()), context({ basicCredentials: { username: USER, password: PASSWORD } }));
    assert.equal(result.credential, 'HttpBasic');
  });

  test('HTTP Basic can be switched off', async () => {
    const error = await failure(withoutToken(), {
      basicCredentials: { username: USER, password: PASSWORD },
      policy: { ...POLICY, allowHttpBasic: false },
    });
    assert.ok(error instanceof InvalidSecurityError);
  });

  test('no credentials is InvalidSecurity', async () => {
    assert.ok(await failure(withoutToken()) instanceof InvalidSecurityError);
  });

  test('two Security headers are invalid', async () => {
    const xml = loadFixture('rst13-baseline.xml');
    const security = /<wsse:Security[\s\S]*<\/wsse:Security>/.exec(xml)![0];
    assert.ok(await failure(xml.replace(security, security + security)) instanceof InvalidSecurityError);
  });

  test('required Timestamp must be present', async () => {
    const xml = loadFixture('rst13-baseline.xml').replace(/<wsu:Timestamp[\s\S]*<\/wsu:Timestamp>/, '');
    const error = await failure(xml, { policy: { ...POLICY, requireTimestamp: true } });
    assert.ok(error instanceof InvalidSecurityError);
  });
});
