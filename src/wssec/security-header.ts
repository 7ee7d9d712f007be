import { createHash } from 'node:crypto';
import {
  InvalidSecurityError,
  MessageExpiredError,
  UnsupportedSecurityTokenError,
  WsseFailedAuthenticationError,
  WsseInvalidSecurityTokenError,
} from '../errors/index.js';
import type { AuthenticatedUser, Authenticator } from '../identity/index.js';
import type { AuthenticationMethod } from '../saml/model.js';
import type { ReplayCache } from '../store/replay-cache.js';
import { isForThisNode } from '../soap/envelope.js';
import { childElements, NS, textOf, UT, type Element } from '../xml/index.js';
import { parseUtcDateTime } from './time.js';

/** Freshness settings for Timestamp and UsernameToken Created values. */
export interface FreshnessPolicy {
  clockSkewSeconds: number;
  maxMessageAgeSeconds: number;
  requireTimestamp: boolean;
  allowHttpBasic: boolean;
}

/** Inputs of WS-Security processing besides the header itself. */
export interface SecurityContext {
  now: Date;
  policy: FreshnessPolicy;
  authenticator: Authenticator;
  replayCache: ReplayCache;
  /** Credentials from an HTTP `Authorization: Basic` header, if any. */
  basicCredentials?: { username: string; password: string };
  /** True when the request arrived over TLS, which makes a clear password PasswordProtectedTransport. */
  secureTransport: boolean;
  /**
   * Decides whether a verified user may obtain tokens. Only such users have their password
   * check cached, so a refused user costs the full password hash every time, like a wrong password.
   */
  isAuthorized?: (user: AuthenticatedUser) => boolean;
}

/** Outcome of WS-Security processing: who the requester is and how it proved it. */
export interface SecurityResult {
  user: AuthenticatedUser;
  method: AuthenticationMethod;
  authenticationInstant: Date;
  /** Name of the credential source, for the log: UsernameToken or HTTP Basic. */
  credential: 'UsernameToken' | 'HttpBasic';
}

/** Qualified name of the wsse:Security header, which the STS understands. */
export const SECURITY_HEADER_QNAME = `{${NS.wsse}}Security`;

/** Longest Nonce accepted, in base64 characters (96 bytes decoded). */
const MAX_NONCE_BASE64_CHARS = 128;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Processes the wsse:Security header in a fixed order: find the header, check the Timestamp,
 * then authenticate the UsernameToken (or HTTP Basic credentials when the header has none).
 */
export async function processSecurityHeader(headerBlocks: Element[], context: SecurityContext): Promise<SecurityResult> {
  const security = findSecurityHeader(headerBlocks);
  if (security) checkTimestamp(security, context);
  else if (context.policy.requireTimestamp) throw new InvalidSecurityError('wsse:Security header is missing');

  const usernameToken = security ? single(security, NS.wsse, 'UsernameToken', invalidSecurity) : undefined;
  if (usernameToken) return authenticateUsernameToken(usernameToken, context);
  if (context.basicCredentials && context.policy.allowHttpBasic) return authenticateBasic(context);
  throw new InvalidSecurityError('no UsernameToken in the wsse:Security header and no HTTP Basic credentials');
}

/**
 * Returns the wsse:Security header addressed to the STS. Headers for another SOAP actor or role
 * are not the STS's to process and are skipped; two headers for the STS are an error.
 */
function findSecurityHeader(headerBlocks: Element[]): Element | undefined {
  const headers = headerBlocks.filter(
    (block) => block.namespaceURI === NS.wsse && block.localName === 'Security' && isForThisNode(block),
  );
  if (headers.length > 1) throw new InvalidSecurityError('more than one wsse:Security header');
  return headers[0];
}


/**
 * Returns the only child with this name. A repeated element is rejected because a gateway that
 * reads a different copy would see a different message than the STS.
 */
function single(
  parent: Element,
  namespace: string,
  localName: string,
  error: (detail: string) => Error,
): Element | undefined {
  const found = childElements(parent, namespace, localName);
  if (found.length > 1) throw error(`${localName} appears more than once`);
  return found[0];
}

const invalidSecurity = (detail: string) => new InvalidSecurityError(detail);
const invalidToken = (detail: string) => new WsseInvalidSecurityTokenError(detail);

function checkTimestamp(security: Element, context: SecurityContext): void {
  const timestamp = single(security, NS.wsu, 'Timestamp', invalidSecurity);
  if (!timestamp) {
    if (context.policy.requireTimestamp) throw new InvalidSecurityError('wsu:Timestamp is missing');
    return;
  }
  const createdText = textOf(single(timestamp, NS.wsu, 'Created', invalidSecurity));
  const created = parseUtcDateTime(createdText);
  if (!created) throw new InvalidSecurityError('wsu:Timestamp/wsu:Created is missing or not a UTC dateTime');
  checkCreated(created, context, 'Timestamp');

  const expiresElement = single(timestamp, NS.wsu, 'Expires', invalidSecurity);
  if (expiresElement) {
    const expires = parseUtcDateTime(textOf(expiresElement));
    if (!expires) throw new InvalidSecurityError('wsu:Timestamp/wsu:Expires is not a UTC dateTime');
    if (expires.getTime() < created.getTime()) throw new InvalidSecurityError('wsu:Timestamp expires before it was created');
    if (expires.getTime() + context.policy.clockSkewSeconds * 1000 <= context.now.getTime()) {
      throw new MessageExpiredError('wsu:Timestamp has expired');
    }
  }
}

/**
 * Rejects a Created value more than the clock skew in the future, or at least the maximum age
 * plus the clock skew in the past. The skew applies on both sides because the requester's clock
 * may run ahead of or behind the STS clock.
 */
function checkCreated(created: Date, context: SecurityContext, what: string): void {
  const { clockSkewSeconds, maxMessageAgeSeconds } = context.policy;
  const now = context.now.getTime();
  if (created.getTime() - clockSkewSeconds * 1000 > now) {
    throw new MessageExpiredError(`${what} Created is in the future beyond the allowed clock skew`);
  }
  if (now - created.getTime() >= (maxMessageAgeSeconds + clockSkewSeconds) * 1000) {
    throw new MessageExpiredError(`${what} Created is older than the maximum message age`);
  }
}

async function authenticateUsernameToken(token: Element, context: SecurityContext): Promise<SecurityResult> {
  const username = textOf(single(token, NS.wsse, 'Username', invalidToken));
  const passwordElement = single(token, NS.wsse, 'Password', invalidToken);
  if (!username || !passwordElement) {
    throw new WsseInvalidSecurityTokenError('UsernameToken without Username or Password');
  }
  // The UsernameToken profile makes Type optional, with PasswordText as the default.
  const type = passwordElement.getAttribute('Type') || UT.passwordText;
  if (type !== UT.passwordText && type !== UT.passwordDigest) {
    throw new UnsupportedSecurityTokenError('UsernameToken Password Type is not PasswordText or PasswordDigest');
  }
  const nonceElement = single(token, NS.wsse, 'Nonce', invalidToken);
  const createdElement = single(token, NS.wsu, 'Created', invalidToken);
  const createdText = textOf(createdElement);
  let created: Date | undefined;
  if (createdElement) {
    created = parseUtcDateTime(createdText);
    if (!created) throw new WsseInvalidSecurityTokenError('UsernameToken Created is not a UTC dateTime');
    checkCreated(created, context, 'UsernameToken');
  }
  const nonce = nonceElement ? decodeNonce(nonceElement) : undefined;

  let user: AuthenticatedUser | undefined;
  let method: AuthenticationMethod;
  if (type === UT.passwordDigest) {
    if (!nonce || !createdElement) {
      throw new WsseInvalidSecurityTokenError('PasswordDigest needs both Nonce and Created');
    }
    const digest = decodeStrictBase64(textOf(passwordElement));
    if (!digest) throw new WsseFailedAuthenticationError('PasswordDigest is not base64');
    user = await context.authenticator.verifyPasswordDigest(username, nonce, createdText, digest);
    method = 'password-digest';
  } else {
    user = await context.authenticator.verifyPasswordText(username, passwordElement.textContent ?? '', context.isAuthorized);
    method = context.secureTransport ? 'password-transport' : 'password';
  }
  if (!user) throw new WsseFailedAuthenticationError('unknown user or wrong password');
  // The nonce is recorded only after the credentials check, so requests that fail
  // authentication cannot fill the replay cache.
  if (nonce) await checkReplay(nonce, created, context);
  return { user, method, authenticationInstant: context.now, credential: 'UsernameToken' };
}

async function authenticateBasic(context: SecurityContext): Promise<SecurityResult> {
  const { username, password } = context.basicCredentials!;
  const user = await context.authenticator.verifyPasswordText(username, password, context.isAuthorized);
  if (!user) throw new WsseFailedAuthenticationError('unknown user or wrong password (HTTP Basic)');
  return {
    user,
    method: context.secureTransport ? 'password-transport' : 'password',
    authenticationInstant: context.now,
    credential: 'HttpBasic',
  };
}

function decodeNonce(nonceElement: Element): Buffer {
  const encoding = nonceElement.getAttribute('EncodingType');
  if (encoding && encoding !== UT.base64Binary) {
    throw new WsseInvalidSecurityTokenError('UsernameToken Nonce EncodingType is not Base64Binary');
  }
  const text = textOf(nonceElement);
  // Clients send 16 to 32 random bytes; a longer value only costs memory in the replay cache.
  if (text.length > MAX_NONCE_BASE64_CHARS) throw new WsseInvalidSecurityTokenError('UsernameToken Nonce is too long');
  const nonce = decodeStrictBase64(text);
  if (!nonce || nonce.length === 0) throw new WsseInvalidSecurityTokenError('UsernameToken Nonce is not valid base64');
  return nonce;
}

/**
 * Decodes base64 only when the whole text is valid base64. Node's decoder silently skips bad
 * characters, which would let a malformed nonce through as different bytes.
 */
function decodeStrictBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!STRICT_BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/**
 * Rejects a nonce already seen. Entries live for the whole window in which the same Created
 * value would still be accepted, so a replay inside that window is always detected.
 */
async function checkReplay(nonce: Buffer, created: Date | undefined, context: SecurityContext): Promise<void> {
  const { clockSkewSeconds, maxMessageAgeSeconds } = context.policy;
  const base = created ? Math.max(created.getTime(), context.now.getTime()) : context.now.getTime();
  const expiresAtMs = base + (maxMessageAgeSeconds + 2 * clockSkewSeconds) * 1000;
  const key = createHash('sha256').update(nonce).digest('base64');
  const fresh = await context.replayCache.addIfAbsent(`ut-nonce:${key}`, expiresAtMs);
  if (!fresh) throw new WsseFailedAuthenticationError('UsernameToken Nonce was already used');
}
