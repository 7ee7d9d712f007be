import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidRequestError } from '../../../src/errors/index.js';
import { readEnvelope } from '../../../src/soap/index.js';
import { parseRequestSecurityToken, summarizeRequest } from '../../../src/trust/index.js';
import { parseXml, type Element } from '../../../src/xml/index.js';
import { loadFixture } from '../../helpers/replay.js';

const WST13 = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
const WST14 = 'http://docs.oasis-open.org/ws-sx/ws-trust/200802';

function payloadOf(xml: string): Element {
  const document = parseXml(xml, { maxBytes: 1 << 20, maxDepth: 64 });
  const version = xml.includes('http://www.w3.org/2003/05/soap-envelope') ? '1.2' : '1.1';
  return readEnvelope(document, version).payload;
}

function payloadFromBody(body: string): Element {
  return payloadOf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`);
}

function invalidElement(payload: Element): string | undefined {
  try {
    parseRequestSecurityToken(payload);
  } catch (error) {
    assert.ok(error instanceof InvalidRequestError);
    return error.element;
  }
  assert.fail('the request was accepted');
}

describe('parseRequestSecurityToken', () => {
  test('reads the baseline request', () => {
    const request = parseRequestSecurityToken(payloadOf(loadFixture('rst13-baseline.xml')));
    assert.equal(request.version, '1.3');
    assert.equal(request.operation, 'Issue');
    assert.equal(request.keyType, `${WST13}/Bearer`);
    assert.equal(request.appliesTo?.address, 'urn:example:rp:alpha');
  });

  test('reads the 2005 request', () => {
    const request = parseRequestSecurityToken(payloadOf(loadFixture('msal-2005-password-no-type.xml')));
    assert.equal(request.version, '2005');
    assert.equal(request.tokenType, undefined);
  });

  test('foreign body names RequestSecurityToken', () => {
    assert.equal(invalidElement(payloadFromBody('<x:Evil xmlns:x="urn:example:evil"/>')), 'RequestSecurityToken');
  });

  test('other WS-Trust element names RequestSecurityToken', () => {
    assert.equal(invalidElement(payloadFromBody(`<wst:Anything xmlns:wst="${WST13}"/>`)), 'RequestSecurityToken');
  });

  test('batch names RequestSecurityTokenCollection', () => {
    assert.equal(
      invalidElement(payloadFromBody(`<wst:RequestSecurityTokenCollection xmlns:wst="${WST13}"/>`)),
      'RequestSecurityTokenCollection',
    );
  });

  test('missing RequestType is named', () => {
    assert.equal(invalidElement(payloadOf(loadFixture('missing-requesttype.xml'))), 'RequestType');
  });

  for (const [element, xml] of [
    ['OnBehalfOf', `<wst:OnBehalfOf><x:Token xmlns:x="urn:example:token"/></wst:OnBehalfOf>`],
    ['ActAs', `<wst14:ActAs xmlns:wst14="${WST14}"><x:Token xmlns:x="urn:example:token"/></wst14:ActAs>`],
  ]) {
    test(`${element} is rejected`, () => {
      const request = loadFixture('rst13-baseline.xml').replace('</wst:RequestSecurityToken>', `${xml}</wst:RequestSecurityToken>`);
      assert.equal(invalidElement(payloadOf(request)), element);
    });
  }

  test('repeated TokenType is named', () => {
    const xml = loadFixture('rst13-baseline.xml').replace(/(<wst:TokenType>[^<]*<\/wst:TokenType>)/, '$1$1');
    assert.equal(invalidElement(payloadOf(xml)), 'TokenType');
  });
});

describe('summarizeRequest', () => {
  test('reads audit fields', () => {
    assert.deepEqual(summarizeRequest(payloadOf(loadFixture('rst13-baseline.xml'))), {
      operation: 'Issue',
      tokenType: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0',
      appliesTo: 'urn:example:rp:alpha',
    });
  });

  test('leaves out what is missing', () => {
    assert.deepEqual(summarizeRequest(payloadOf(loadFixture('missing-requesttype.xml'))), {
      tokenType: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0',
      appliesTo: 'urn:example:rp:alpha',
    });
  });

  test('foreign body gives nothing', () => {
    assert.deepEqual(summarizeRequest(payloadFromBody('<x:Ping xmlns:x="urn:example:ping"/>')), {});
  });
});
