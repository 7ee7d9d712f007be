import { randomBytes } from 'node:crypto';
import type { StsConfig } from '../config/index.js';
import { encryptElement } from '../crypto/xmlenc.js';
import type { SigningCredential } from '../crypto/xmldsig.js';
import {
  InvalidRequestError,
  InvalidScopeError,
  InvalidTimeRangeError,
  RequestFailedError,
} from '../errors/index.js';
import { buildSignedAssertion, type SamlVersion } from '../saml/index.js';
import { claimValues } from '../identity/index.js';
import type { SecurityResult } from '../wssec/index.js';
import { newXmlId, NS } from '../xml/index.js';
import { UNREGISTERED_CLAIMS, type ClaimsResolver } from './claims.js';
import { patternAddressProblem, type RelyingPartyResolver, type ResolvedRelyingParty } from './relying-party.js';
import type { RequestSecurityToken } from './rst.js';
import type { IssueResponse } from './rstr.js';
import { BearerKeyTypes, ProofKeyTypes, samlVersionOf, TokenTypes } from './uris.js';

/** Collaborators of the Issue operation. */
export interface IssueContext {
  sts: StsConfig['sts'];
  clockSkewSeconds: number;
  now: Date;
  signingCredential: SigningCredential;
  relyingParties: RelyingPartyResolver;
  claims: ClaimsResolver;
  /** Token type the endpoint uses when neither the request nor the relying party names one. */
  endpointTokenType?: string;
}

/** Issue result: the response model plus fields for the audit log. */
export interface IssueResult {
  response: IssueResponse;
  relyingParty?: string;
  encrypted: boolean;
}

/**
 * Issues a bearer SAML token. Steps, in order: key type, relying party, token type, claims,
 * assertion, signature, encryption.
 */
export function issueToken(request: RequestSecurityToken, security: SecurityResult, context: IssueContext): IssueResult {
  const keyType = checkKeyType(request);
  const party = resolveRelyingParty(request, context);
  const { tokenType, samlVersion } = chooseTokenType(request, party, context);
  const attributes = context.claims.resolve(security.user, request.claims, party);

  const now = context.now;
  const notBefore = new Date(now.getTime() - context.clockSkewSeconds * 1000);
  const notOnOrAfter = chooseExpiry(request, party, context);
  const assertionId = newXmlId(randomBytes);
  // The subject claim is looked up under every spelling of its URI, as requested claims are.
  const subjectName = party.subjectClaim
    ? (claimValues(security.user, party.subjectClaim)[0] ?? security.user.name)
    : security.user.name;

  const assertion = buildSignedAssertion(
    samlVersion,
    {
      id: assertionId,
      issuer: context.sts.issuerName,
      issueInstant: now,
      notBefore,
      notOnOrAfter,
      subjectName,
      nameIdFormat: party.nameIdFormat ?? context.sts.nameIdFormat,
      audiences: party.audiences,
      authenticationMethod: security.method,
      authenticationInstant: security.authenticationInstant,
      attributes,
    },
    context.signingCredential,
    party.signatureAlgorithm,
  );
  const tokenXml = party.encryption ? encryptToken(assertion, samlVersion, party) : assertion;

  return {
    response: {
      version: request.version,
      context: request.context,
      tokenType,
      samlVersion,
      tokenXml,
      assertionId,
      created: notBefore,
      expires: notOnOrAfter,
      appliesTo: request.appliesTo,
      keyType,
    },
    relyingParty: party.name,
    encrypted: Boolean(party.encryption),
  };
}

/**
 * Returns the KeyType to state in the response. Absent means bearer. Proof-key types fail
 * clearly instead of silently giving a bearer token, and a KeyType from the other WS-Trust
 * version is rejected rather than guessed at.
 */
function checkKeyType(request: RequestSecurityToken): string {
  const bearer = BearerKeyTypes[request.version];
  if (request.keyType === undefined) return bearer[0];
  if (bearer.includes(request.keyType)) return request.keyType;
  if (ProofKeyTypes[request.version].includes(request.keyType)) {
    throw new InvalidRequestError('SymmetricKey and PublicKey tokens are not supported; request a bearer token', {
      element: 'KeyType',
    });
  }
  throw new InvalidRequestError(`KeyType is not a WS-Trust ${request.version} key type`, { element: 'KeyType' });
}

function resolveRelyingParty(request: RequestSecurityToken, context: IssueContext): ResolvedRelyingParty {
  if (!request.appliesTo) throw new InvalidRequestError('AppliesTo is missing', { element: 'AppliesTo' });
  const address = request.appliesTo.address;
  const party = context.relyingParties.resolve(address, context.now);
  if (party) return party;
  if (!context.sts.allowUnregisteredRelyingParties) {
    throw new InvalidScopeError(`AppliesTo ${address} matches no registered relying party`);
  }
  // The address becomes the audience, so it must not point elsewhere once a URL parser reads it.
  const problem = patternAddressProblem(address);
  if (problem) throw new InvalidScopeError(`unregistered AppliesTo rejected because ${problem}`);
  return { audiences: [address], claims: [...UNREGISTERED_CLAIMS], signatureAlgorithm: 'rsa-sha256' };
}

function chooseTokenType(
  request: RequestSecurityToken,
  party: ResolvedRelyingParty,
  context: IssueContext,
): { tokenType: string; samlVersion: SamlVersion } {
  if (request.tokenType !== undefined) {
    const samlVersion = samlVersionOf(request.tokenType);
    if (!samlVersion) throw new InvalidRequestError('TokenType is not supported', { element: 'TokenType' });
    return { tokenType: request.tokenType, samlVersion };
  }
  const fallback = party.tokenType ?? context.endpointTokenType ?? context.sts.defaultTokenType;
  const samlVersion = samlVersionOf(fallback);
  if (!samlVersion) throw new RequestFailedError(`configured default token type ${fallback} is not supported`);
  // MSAL and ADAL recognise SAML 1.1 only by the legacy URN, so a defaulted SAML 1.1 type uses it.
  return { tokenType: samlVersion === '1.1' ? TokenTypes.saml11Urn : fallback, samlVersion };
}

/**
 * Returns NotOnOrAfter. A requested wst:Lifetime shorter than the configured lifetime is
 * honoured; a longer one is cut to the configured lifetime. A requested range that ends before
 * it starts, or already ended, is wst:InvalidTimeRange.
 */
function chooseExpiry(request: RequestSecurityToken, party: ResolvedRelyingParty, context: IssueContext): Date {
  const lifetimeSeconds = party.tokenLifetimeSeconds ?? context.sts.tokenLifetimeSeconds;
  const configured = new Date(context.now.getTime() + lifetimeSeconds * 1000);
  const requested = request.lifetime;
  if (!requested?.expires) return configured;
  if (requested.created && requested.expires.getTime() <= requested.created.getTime()) {
    throw new InvalidTimeRangeError('requested Lifetime expires before it is created');
  }
  if (requested.expires.getTime() <= context.now.getTime()) {
    throw new InvalidTimeRangeError('requested Lifetime has already expired');
  }
  return requested.expires.getTime() < configured.getTime() ? requested.expires : configured;
}

function encryptToken(assertion: string, samlVersion: SamlVersion, party: ResolvedRelyingParty): string {
  const encryption = party.encryption!;
  if ('error' in encryption) {
    throw new RequestFailedError(`relying party ${party.name} has encryption on but ${encryption.error}`);
  }
  const encrypted = encryptElement(assertion, {
    recipientCertificate: encryption.certificate,
    contentAlgorithm: encryption.contentAlgorithm,
    keyTransport: encryption.keyTransport,
    oaepDigest: encryption.oaepDigest,
  });
  if (samlVersion === '1.1') return encrypted;
  return `<saml2:EncryptedAssertion xmlns:saml2="${NS.saml20}">${encrypted}</saml2:EncryptedAssertion>`;
}
