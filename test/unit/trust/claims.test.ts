import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidRequestError } from '../../../src/errors/index.js';
import { claimValues, equivalentClaimUris, type AuthenticatedUser } from '../../../src/identity/index.js';
import {
  DialectClaimsResolver,
  type RequestedClaim,
  type RequestedClaims,
  type ResolvedRelyingParty,
} from '../../../src/trust/index.js';

const WSO2 = 'http://wso2.org/claims';
const WS_IDENTITY = 'http://schemas.xmlsoap.org/ws/2005/05/identity';
const MS_ROLE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

const user: AuthenticatedUser = {
  name: 'alice',
  roles: ['admin', 'staff'],
  claims: {
    [`${WSO2}/givenname`]: ['Alice'],
    [`${WS_IDENTITY}/claims/surname`]: ['Liddell'],
    [`${WSO2}/emailaddress`]: ['alice@example.test', 'a.liddell@example.test'],
    'urn:example:claims:department': ['Research'],
    [`${WSO2}/role`]: ['stored-role-is-ignored'],
    [`${WSO2}/country`]: [],
  },
};

function party(claims: string[] = [`${WSO2}/role`]): ResolvedRelyingParty {
  return { name: 'rp', audiences: ['urn:rp'], claims, signatureAlgorithm: 'rsa-sha256' };
}

function request(dialect: string, ...claims: Array<Partial<RequestedClaim> & { uri: string }>): RequestedClaims {
  return { dialect, claims: claims.map((claim) => ({ optional: false, carriesValue: false, ...claim })) };
}

const resolver = new DialectClaimsResolver();

describe('claim dialect mapping', () => {
  test('wso2 lastname maps to surname', () => {
    assert.deepEqual(equivalentClaimUris(`${WSO2}/lastname`), [`${WSO2}/lastname`, `${WS_IDENTITY}/claims/surname`]);
  });

  test('custom URI maps to itself', () => {
    assert.deepEqual(equivalentClaimUris('urn:example:claims:department'), ['urn:example:claims:department']);
  });

  test('value found under other spelling', () => {
    assert.deepEqual(claimValues(user, `${WS_IDENTITY}/claims/givenname`), ['Alice']);
    assert.deepEqual(claimValues(user, `${WSO2}/lastname`), ['Liddell']);
  });

  test('role claims come from roles', () => {
    assert.deepEqual(claimValues(user, `${WSO2}/role`), ['admin', 'staff']);
    assert.deepEqual(claimValues(user, MS_ROLE), ['admin', 'staff']);
  });

  test('username claim defaults to name', () => {
    assert.deepEqual(claimValues(user, `${WS_IDENTITY}/claims/name`), ['alice']);
  });

  test('empty stored list counts as missing', () => {
    assert.deepEqual(claimValues(user, `${WS_IDENTITY}/claims/country`), []);
  });
});

describe('DialectClaimsResolver without wst:Claims', () => {
  test('default party gets roles', () => {
    assert.deepEqual(resolver.resolve(user, undefined, party()), [{ uri: `${WSO2}/role`, values: ['admin', 'staff'] }]);
  });

  test('configured claims keep their URIs', () => {
    const attributes = resolver.resolve(user, undefined, party([`${WS_IDENTITY}/claims/emailaddress`, `${WSO2}/mobile`]));
    assert.deepEqual(attributes, [
      { uri: `${WS_IDENTITY}/claims/emailaddress`, values: ['alice@example.test', 'a.liddell@example.test'] },
    ]);
  });

  test('empty claim list gives nothing', () => {
    assert.deepEqual(resolver.resolve(user, undefined, party([])), []);
  });
});

describe('DialectClaimsResolver with wst:Claims', () => {
  for (const dialect of [WS_IDENTITY, WSO2]) {
    test(`dialect ${dialect} accepts both spellings`, () => {
      const attributes = resolver.resolve(
        user,
        request(dialect, { uri: `${WSO2}/givenname` }, { uri: `${WS_IDENTITY}/claims/surname` }, { uri: MS_ROLE }),
        party([]),
      );
      assert.deepEqual(attributes, [
        { uri: `${WSO2}/givenname`, values: ['Alice'] },
        { uri: `${WS_IDENTITY}/claims/surname`, values: ['Liddell'] },
        { uri: MS_ROLE, values: ['admin', 'staff'] },
      ]);
    });
  }

  test('requested claims replace configured ones', () => {
    const attributes = resolver.resolve(user, request(WSO2, { uri: 'urn:example:claims:department' }), party());
    assert.deepEqual(attributes, [{ uri: 'urn:example:claims:department', values: ['Research'] }]);
  });

  test('missing optional claim is omitted', () => {
    const attributes = resolver.resolve(
      user,
      request(WS_IDENTITY, { uri: `${WS_IDENTITY}/claims/mobilephone`, optional: true }, { uri: `${WSO2}/givenname` }),
      party(),
    );
    assert.deepEqual(attributes, [{ uri: `${WSO2}/givenname`, values: ['Alice'] }]);
  });

  test('missing required claim names it', () => {
    const uri = `${WS_IDENTITY}/claims/mobilephone`;
    assert.throws(
      () => resolver.resolve(user, request(WS_IDENTITY, { uri }), party()),
      (error: unknown) => {
        assert.ok(error instanceof InvalidRequestError);
        assert.equal(error.publicReason(), `The request was invalid or malformed: ClaimType ${uri}`);
        return true;
      },
    );
  });

  test('overlong missing claim URI is not echoed', () => {
    const uri = `urn:example:${'x'.repeat(300)}`;
    assert.throws(
      () => resolver.resolve(user, request(WSO2, { uri }), party()),
      (error: unknown) => error instanceof InvalidRequestError && error.element === 'ClaimType',
    );
  });

  test('unknown dialect names Claims', () => {
    assert.throws(
      () => resolver.resolve(user, request('urn:example:dialect', { uri: `${WSO2}/givenname` }), party()),
      (error: unknown) => error instanceof InvalidRequestError && error.publicReason() === 'The request was invalid or malformed: Claims',
    );
  });

  test('missing dialect names Claims', () => {
    assert.throws(
      () => resolver.resolve(user, request('', { uri: `${WSO2}/givenname` }), party()),
      (error: unknown) => error instanceof InvalidRequestError && error.element === 'Claims',
    );
  });

  test('claim carrying value gets stored value', () => {
    const attributes = resolver.resolve(user, request(WSO2, { uri: `${WSO2}/givenname`, carriesValue: true }), party());
    assert.deepEqual(attributes, [{ uri: `${WSO2}/givenname`, values: ['Alice'] }]);
  });

  test('duplicate requests give one attribute', () => {
    const attributes = resolver.resolve(
      user,
      request(WSO2, { uri: `${WSO2}/givenname`, optional: true }, { uri: `${WSO2}/givenname` }),
      party(),
    );
    assert.deepEqual(attributes, [{ uri: `${WSO2}/givenname`, values: ['Alice'] }]);
  });

  test('duplicate keeps required flag', () => {
    const uri = `${WSO2}/mobile`;
    assert.throws(
      () => resolver.resolve(user, request(WSO2, { uri, optional: true }, { uri }), party()),
      (error: unknown) => error instanceof InvalidRequestError,
    );
  });
});
