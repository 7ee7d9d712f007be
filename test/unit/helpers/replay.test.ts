import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import { loadFixture, passwordDigest, refreshRequest } from '../../helpers/replay.js';

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const WSA_2004 = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
const WSA_2005 = 'http://www.w3.org/2005/08/addressing';
const WSP = 'http://schemas.xmlsoap.org/ws/2004/09/policy';
const WST_13 = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
const WST_2005 = 'http://schemas.xmlsoap.org/ws/2005/02/trust';
const DIGEST_TYPE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

/** Password of user alice in the WSS4J and zeep captures. */
const CAPTURED_PASSWORD = 's3cret!&<pw>';
const NOW = new Date('2031-02-03T04:05:06.789Z');
const NOW_PLUS_5_MIN = new Date('2031-02-03T04:10:06.789Z');

/** Request files captured from real clients, with the password of their UsernameToken. */
const CAPTURED_FILES: { name: string; password: string }[] = [
  { name: 'wss4j-text-rst.xml', password: CAPTURED_PASSWORD },
  { name: 'wss4j-digest-rst.xml', password: CAPTURED_PASSWORD },
  { name: 'wss4j-soap12-wsa-digest-rst.xml', password: CAPTURED_PASSWORD },
  { name: 'zeep-usernametoken-rst.xml', password: CAPTURED_PASSWORD },
  { name: 'zeep-usernametoken-digest-rst.xml', password: CAPTURED_PASSWORD },
  { name: 'zeep-soap12-digest-timestamp-rst.xml', password: CAPTURED_PASSWORD },
  { name: 'sts-client-rst.xml', password: 'admin' },
  { name: 'usernametoken-digest-known-answer.xml', password: 'Placeholder-Secret-01' },
  { name: 'msal-2005-password-no-type.xml', password: 'Placeholder-Secret-01' },
];

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

function all(root: Document | Element, namespace: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(namespace, localName));
}

function only(root: Document | Element, namespace: string, localName: string): Element {
  const found = all(root, namespace, localName);
  assert.equal(found.length, 1, `expected exactly one {${namespace}}${localName}`);
  return found[0];
}

function optional(root: Document | Element, namespace: string, localName: string) {
  return all(root, namespace, localName)[0];
}

function text(element: Element | undefined): string {
  return element?.textContent ?? '';
}

/** Returns the layout of an xs:dateTime text: its fraction digits and zone suffix. */
function layoutOf(dateTime: string): string {
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(dateTime);
  assert.ok(match, `not an xs:dateTime: ${dateTime}`);
  return `${match[1]?.length ?? 0}|${match[2] ?? ''}`;
}

function usernameToken(document: Document): Element {
  return only(document, WSSE, 'UsernameToken');
}

function timestampCreated(document: Document): Element | undefined {
  const timestamp = optional(document, WSU, 'Timestamp');
  return timestamp === undefined ? undefined : only(timestamp, WSU, 'Created');
}

function timestampExpires(document: Document): Element | undefined {
  const timestamp = optional(document, WSU, 'Timestamp');
  return timestamp === undefined ? undefined : only(timestamp, WSU, 'Expires');
}

function tokenCreated(document: Document): Element | undefined {
  return optional(usernameToken(document), WSU, 'Created');
}

/** Serializes the RequestSecurityToken without wst:Lifetime, which a refresh changes. */
function requestBody(document: Document): string {
  const request = optional(document, WST_13, 'RequestSecurityToken');
  const copy = (request ?? only(document, WST_2005, 'RequestSecurityToken')).cloneNode(true);
  for (const namespace of [WST_13, WST_2005]) {
    for (const lifetime of all(copy as Element, namespace, 'Lifetime')) {
      lifetime.parentNode?.removeChild(lifetime);
    }
  }
  return String(copy);
}

describe('passwordDigest', () => {
  it('reproduces the digest of the PasswordDigest fixture', () => {
    const nonce = Buffer.from('8f2b1c3d4e5f60718293a4b5c6d7e8f9', 'hex');
    const digest = passwordDigest(nonce, '2030-01-01T00:00:00Z', 'Placeholder-Secret-01');
    assert.equal(digest, 'QfOATa9bPhfXhhAeirMB3MmYI2k=');
  });

  it('matches the PasswordDigest fixture values', () => {
    const token = usernameToken(parse(loadFixture('usernametoken-digest-known-answer.xml')));
    const nonce = Buffer.from(text(only(token, WSSE, 'Nonce')), 'base64');
    assert.equal(nonce.toString('hex'), '8f2b1c3d4e5f60718293a4b5c6d7e8f9');
    assert.equal(text(only(token, WSU, 'Created')), '2030-01-01T00:00:00Z');
    assert.equal(text(only(token, WSSE, 'Password')), 'QfOATa9bPhfXhhAeirMB3MmYI2k=');
  });

  it('reproduces the digests sent by WSS4J and zeep', () => {
    const digestFiles = [
      'wss4j-digest-rst.xml',
      'wss4j-soap12-wsa-digest-rst.xml',
      'zeep-usernametoken-digest-rst.xml',
      'zeep-soap12-digest-timestamp-rst.xml',
    ];
    for (const name of digestFiles) {
      const token = usernameToken(parse(loadFixture(name)));
      const nonce = Buffer.from(text(only(token, WSSE, 'Nonce')), 'base64');
      const created = text(only(token, WSU, 'Created'));
      const expected = text(only(token, WSSE, 'Password'));
      assert.equal(passwordDigest(nonce, created, CAPTURED_PASSWORD), expected, name);
    }
  });
});

describe('refreshRequest', () => {
  for (const { name, password } of CAPTURED_FILES) {
    it(`refreshes ${name} consistently`, () => {
      const original = parse(loadFixture(name));
      const refreshed = parse(refreshRequest(loadFixture(name), { now: NOW, password }));

      const oldCreated = timestampCreated(original);
      const newCreated = timestampCreated(refreshed);
      assert.equal(newCreated === undefined, oldCreated === undefined, 'Timestamp presence');
      if (oldCreated !== undefined && newCreated !== undefined) {
        assert.equal(layoutOf(text(newCreated)), layoutOf(text(oldCreated)), 'Created format');
        assert.ok(Math.abs(Date.parse(text(newCreated)) - NOW.getTime()) < 1000, 'Created = now');
        const newExpires = text(timestampExpires(refreshed));
        assert.equal(layoutOf(newExpires), layoutOf(text(timestampExpires(original))));
        assert.equal(Date.parse(newExpires) - Date.parse(text(newCreated)), 5 * 60 * 1000);
      }

      const oldToken = usernameToken(original);
      const newToken = usernameToken(refreshed);
      const oldNonce = optional(oldToken, WSSE, 'Nonce');
      const newNonce = optional(newToken, WSSE, 'Nonce');
      assert.equal(newNonce === undefined, oldNonce === undefined, 'Nonce presence');
      if (newNonce !== undefined) {
        const nonceBytes = Buffer.from(text(newNonce), 'base64');
        assert.equal(nonceBytes.length, 16);
        assert.equal(nonceBytes.toString('base64'), text(newNonce));
        assert.notEqual(text(newNonce), text(oldNonce));
      }

      const oldTokenCreated = tokenCreated(original);
      const newTokenCreated = tokenCreated(refreshed);
      assert.equal(newTokenCreated === undefined, oldTokenCreated === undefined);
      if (oldTokenCreated !== undefined && newTokenCreated !== undefined) {
        assert.equal(layoutOf(text(newTokenCreated)), layoutOf(text(oldTokenCreated)));
        assert.ok(Math.abs(Date.parse(text(newTokenCreated)) - NOW.getTime()) < 1000);
      }

      const newPassword = only(newToken, WSSE, 'Password');
      if (newPassword.getAttribute('Type') === DIGEST_TYPE) {
        const nonceBytes = Buffer.from(text(newNonce), 'base64');
        const expected = passwordDigest(nonceBytes, text(newTokenCreated), password);
        assert.equal(text(newPassword), expected, 'recomputed PasswordDigest');
        assert.notEqual(text(newPassword), text(only(oldToken, WSSE, 'Password')));
      } else {
        assert.equal(text(newPassword), password, 'PasswordText');
      }

      assert.equal(requestBody(refreshed), requestBody(original), 'RequestSecurityToken unchanged');
    });
  }

  it('keeps the +00:00 zone that zeep writes', () => {
    const xml = loadFixture('zeep-usernametoken-digest-rst.xml');
    const refreshed = parse(refreshRequest(xml, { now: NOW, password: CAPTURED_PASSWORD }));
    assert.equal(text(tokenCreated(refreshed)), '2031-02-03T04:05:06+00:00');
  });

  it('keeps the milliseconds that WSS4J writes', () => {
    const xml = loadFixture('wss4j-digest-rst.xml');
    const refreshed = parse(refreshRequest(xml, { now: NOW, password: CAPTURED_PASSWORD }));
    assert.equal(text(timestampCreated(refreshed)), '2031-02-03T04:05:06.789Z');
    assert.equal(text(timestampExpires(refreshed)), '2031-02-03T04:10:06.789Z');
    assert.equal(text(tokenCreated(refreshed)), '2031-02-03T04:05:06.789Z');
  });

  it('writes whole seconds with Z in place of template placeholders', () => {
    const xml = loadFixture('validate-template.xml');
    const refreshed = parse(refreshRequest(xml, { now: NOW }));
    assert.equal(text(timestampCreated(refreshed)), '2031-02-03T04:05:06Z');
    assert.equal(text(timestampExpires(refreshed)), '2031-02-03T04:10:06Z');
  });

  it('refreshes wst:Lifetime keeping its duration', () => {
    const refreshed = parse(refreshRequest(loadFixture('sts-client-rst.xml'), { now: NOW }));
    const lifetime = only(refreshed, WST_2005, 'Lifetime');
    assert.equal(text(only(lifetime, WSU, 'Created')), NOW.toISOString());
    assert.equal(text(only(lifetime, WSU, 'Expires')), NOW_PLUS_5_MIN.toISOString());
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const refreshed = parse(refreshRequest(loadFixture('rst13-baseline.xml')));
    const created = Date.parse(text(timestampCreated(refreshed)));
    assert.ok(created >= Math.floor(before / 1000) * 1000, 'Created not before the call');
    assert.ok(created <= Date.now(), 'Created not after the call');
  });

  it('rejects a PasswordDigest request without password', () => {
    assert.throws(
      () => refreshRequest(loadFixture('wss4j-digest-rst.xml'), { now: NOW }),
      /PasswordDigest/,
    );
  });

  it('replaces Username and PasswordText', () => {
    const xml = loadFixture('wss4j-text-rst.xml');
    const options = { now: NOW, username: 'bob', password: 'new <&> secret' };
    const serialized = refreshRequest(xml, options);
    const token = usernameToken(parse(serialized));
    assert.equal(text(only(token, WSSE, 'Username')), 'bob');
    assert.equal(text(only(token, WSSE, 'Password')), 'new <&> secret');
    assert.ok(serialized.includes('>new &lt;&amp;&gt; secret<'), 'Password text escaped');
  });

  it('keeps a Password element without Type as text', () => {
    const xml = loadFixture('msal-2005-password-no-type.xml');
    const token = usernameToken(parse(refreshRequest(xml, { now: NOW, password: 'other' })));
    const password = only(token, WSSE, 'Password');
    assert.equal(password.hasAttribute('Type'), false);
    assert.equal(text(password), 'other');
  });

  it('replaces the AppliesTo address', () => {
    const xml = loadFixture('rst13-baseline.xml');
    const options = { now: NOW, appliesTo: 'urn:example:rp:beta' };
    const appliesTo = only(parse(refreshRequest(xml, options)), WSP, 'AppliesTo');
    assert.equal(text(only(appliesTo, WSA_2005, 'Address')), 'urn:example:rp:beta');
  });

  it('replaces a WS-Addressing 2004/08 AppliesTo address', () => {
    const xml = loadFixture('sts-client-rst.xml');
    const options = { now: NOW, appliesTo: 'urn:example:rp:alpha' };
    const appliesTo = only(parse(refreshRequest(xml, options)), WSP, 'AppliesTo');
    assert.equal(text(only(appliesTo, WSA_2004, 'Address')), 'urn:example:rp:alpha');
  });

  it('rejects appliesTo for a request without AppliesTo', () => {
    const xml = loadFixture('validate-template.xml');
    assert.throws(() => refreshRequest(xml, { now: NOW, appliesTo: 'urn:x' }), /AppliesTo/);
  });

  it('replaces the MessageID with the given value', () => {
    const xml = loadFixture('rst13-baseline.xml');
    const options = { now: NOW, messageId: 'urn:uuid:00000000-0000-4000-8000-000000000001' };
    const messageId = only(parse(refreshRequest(xml, options)), WSA_2005, 'MessageID');
    assert.equal(text(messageId), 'urn:uuid:00000000-0000-4000-8000-000000000001');
  });

  it('gives every refresh a fresh MessageID', () => {
    const xml = loadFixture('zeep-usernametoken-rst.xml');
    const first = text(only(parse(refreshRequest(xml, { now: NOW })), WSA_2005, 'MessageID'));
    const second = text(only(parse(refreshRequest(xml, { now: NOW })), WSA_2005, 'MessageID'));
    const original = text(only(parse(xml), WSA_2005, 'MessageID'));
    assert.match(
      first,
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.notEqual(first, original);
    assert.notEqual(first, second);
  });

  it('rejects messageId for a request without MessageID', () => {
    const xml = loadFixture('wss4j-text-rst.xml');
    assert.throws(() => refreshRequest(xml, { now: NOW, messageId: 'urn:x' }), /MessageID/);
  });

  it('keeps the XML declaration', () => {
    const zeep = refreshRequest(loadFixture('zeep-usernametoken-rst.xml'), { now: NOW });
    assert.ok(zeep.startsWith(`<?xml version='1.0' encoding='utf-8'?>\n<soap-env:Envelope`));
    const wss4j = refreshRequest(loadFixture('wss4j-text-rst.xml'), { now: NOW });
    assert.ok(wss4j.startsWith('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope'));
  });

  it('adds no XML declaration', () => {
    const xml = loadFixture('wss4j-text-rst.xml').replace(/^<\?xml[^>]*\?>/, '');
    assert.ok(refreshRequest(xml, { now: NOW }).startsWith('<soap:Envelope'));
  });

  it('rejects XML that is not well-formed', () => {
    assert.throws(() => refreshRequest('<a><b></a>', { now: NOW }), /not well-formed/);
  });
});

describe('loadFixture', () => {
  it('reads a fixture file', () => {
    assert.match(loadFixture('wss4j-text-rst.xml'), /^<\?xml /);
  });

  it('rejects a path outside the fixture directory', () => {
    assert.throws(() => loadFixture('../../package.json'), /invalid fixture name/);
  });
});
