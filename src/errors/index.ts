/**
 * Typed errors of the STS. Each subclass fixes one SOAP fault code, so a throw site shows which
 * fault the requester receives. `src/soap/fault.ts` is the only place that turns them into XML.
 */

/** Namespace of WS-Security 1.0 (secext) fault codes. */
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
/** Namespace of WS-Trust 1.3 fault codes. */
export const WST13_NS = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
/** Namespace of WS-Trust February 2005 fault codes. */
export const WST2005_NS = 'http://schemas.xmlsoap.org/ws/2005/02/trust';

/** Namespace family of a fault code: WS-Trust (version follows the request), WS-Security, WS-Addressing or SOAP. */
export type FaultFamily = 'wst' | 'wsse' | 'wsa' | 'soap';

/** Fault side, which becomes the SOAP 1.2 Code value (Sender or Receiver). */
export type FaultSide = 'sender' | 'receiver';

/**
 * Base of every error that becomes a SOAP fault. `reason` is the fixed public text for the code;
 * `detail` is internal and goes to the log only.
 */
export abstract class StsError extends Error {
  abstract readonly family: FaultFamily;
  abstract readonly localName: string;
  abstract readonly side: FaultSide;
  /** Fixed public reason for this fault code. */
  abstract readonly reason: string;
  /** Element name added to the public reason, for InvalidRequest and BadRequest only. */
  readonly element?: string;
  /** Internal explanation, logged and never sent. */
  readonly detail: string;
  /** HTTP status for the fault: 500 unless a subclass sets another. */
  readonly httpStatus: number = 500;

  constructor(detail: string, options?: { cause?: unknown; element?: string }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.detail = detail;
    this.element = options?.element;
    this.name = new.target.name;
  }

  /** Public reason text, with the offending element name when the code allows one. */
  publicReason(): string {
    return this.element ? `${this.reason}: ${this.element}` : this.reason;
  }
}

abstract class TrustError extends StsError {
  readonly family = 'wst' as const;
}

abstract class SecurityError extends StsError {
  readonly family = 'wsse' as const;
}

/** wst:InvalidRequest: the request was invalid or malformed. */
export class InvalidRequestError extends TrustError {
  readonly localName = 'InvalidRequest';
  readonly side = 'sender' as const;
  readonly reason = 'The request was invalid or malformed';
}

/** wst:BadRequest: the request could not be understood. */
export class BadRequestError extends TrustError {
  readonly localName = 'BadRequest';
  readonly side = 'sender' as const;
  readonly reason = 'The specified request failed';
}

/** wst:FailedAuthentication: authentication or authorisation of the requester failed. */
export class FailedAuthenticationError extends TrustError {
  readonly localName = 'FailedAuthentication';
  readonly side = 'sender' as const;
  readonly reason = 'Authentication failed';
}

/** wst:InvalidScope: the AppliesTo address names no relying party the STS serves. */
export class InvalidScopeError extends TrustError {
  readonly localName = 'InvalidScope';
  readonly side = 'sender' as const;
  readonly reason = 'The request scope is not valid or is unsupported';
}

/** wst:InvalidSecurityToken: a token in the request body could not be used. */
export class InvalidSecurityTokenError extends TrustError {
  readonly localName = 'InvalidSecurityToken';
  readonly side = 'sender' as const;
  readonly reason = 'Security token has been revoked or is invalid';
}

/** wst:RequestFailed: the STS could not complete a valid request. */
export class RequestFailedError extends TrustError {
  readonly localName = 'RequestFailed';
  readonly side = 'receiver' as const;
  readonly reason = 'The request failed';
}

/** wst:InvalidTimeRange: the requested Lifetime is not a usable time range. */
export class InvalidTimeRangeError extends TrustError {
  readonly localName = 'InvalidTimeRange';
  readonly side = 'sender' as const;
  readonly reason = 'The requested time range is invalid or unsupported';
}

/** wsse:InvalidSecurity: the wsse:Security header is missing or malformed. */
export class InvalidSecurityError extends SecurityError {
  readonly localName = 'InvalidSecurity';
  readonly side = 'sender' as const;
  readonly reason = 'An error was discovered processing the <wsse:Security> header';
}

/** wsse:InvalidSecurityToken: a token in the wsse:Security header is malformed. */
export class WsseInvalidSecurityTokenError extends SecurityError {
  readonly localName = 'InvalidSecurityToken';
  readonly side = 'sender' as const;
  readonly reason = 'An invalid security token was provided';
}

/** wsse:UnsupportedSecurityToken: a token type or password type the STS does not support. */
export class UnsupportedSecurityTokenError extends SecurityError {
  readonly localName = 'UnsupportedSecurityToken';
  readonly side = 'sender' as const;
  readonly reason = 'An unsupported token was provided';
}

/** wsse:FailedAuthentication: the credentials in the wsse:Security header were not accepted. */
export class WsseFailedAuthenticationError extends SecurityError {
  readonly localName = 'FailedAuthentication';
  readonly side = 'sender' as const;
  readonly reason = 'The security token could not be authenticated or authorized';
}

/** wsse:MessageExpired: a Timestamp or Created value is outside the freshness window. */
export class MessageExpiredError extends SecurityError {
  readonly localName = 'MessageExpired';
  readonly side = 'sender' as const;
  readonly reason = 'The message has expired';
}

/** wsse:FailedCheck: a signature or decryption check failed. */
export class FailedCheckError extends SecurityError {
  readonly localName = 'FailedCheck';
  readonly side = 'sender' as const;
  readonly reason = 'The signature or decryption was invalid';
}

/** wsse:UnsupportedAlgorithm: an algorithm the STS does not accept. */
export class UnsupportedAlgorithmError extends SecurityError {
  readonly localName = 'UnsupportedAlgorithm';
  readonly side = 'sender' as const;
  readonly reason = 'An unsupported signature or encryption algorithm was used';
}

/** A qualified XML name, as a MustUnderstand fault reports it. */
export interface QualifiedName {
  namespace: string;
  localName: string;
}

/**
 * Base of the SOAP envelope faults. They have no WS-Trust or WS-Security subcode, so the SOAP
 * local name is the whole fault code.
 */
abstract class SoapError extends StsError {
  readonly family = 'soap' as const;
}

/** SOAP VersionMismatch: the envelope is not of the SOAP version that the Content-Type names. */
export class VersionMismatchError extends SoapError {
  readonly localName = 'VersionMismatch';
  readonly side = 'sender' as const;
  readonly reason = 'The message is not a SOAP envelope of the version that its Content-Type names';
}

/**
 * SOAP MustUnderstand: a header block marked mandatory is not processed by the STS.
 * `notUnderstood` carries the qualified names that a SOAP 1.2 fault lists in NotUnderstood
 * headers; the reason never names them.
 */
export class MustUnderstandError extends SoapError {
  readonly localName = 'MustUnderstand';
  readonly side = 'sender' as const;
  readonly reason = 'One or more mandatory SOAP header blocks were not understood';
  readonly notUnderstood: QualifiedName[];

  constructor(detail: string, options?: { notUnderstood?: QualifiedName[] }) {
    super(detail);
    this.notUnderstood = options?.notUnderstood ?? [];
  }
}

/**
 * SOAP Sender fault (Client in SOAP 1.1) without a subcode: the message is not well-formed XML,
 * contains a DOCTYPE, or exceeds the size or nesting limits, so nothing in it could be read.
 */
export class MalformedMessageError extends SoapError {
  readonly localName = 'Sender';
  readonly side = 'sender' as const;
  readonly reason = 'The message is not well-formed UTF-8 XML, contains a DOCTYPE, or exceeds the size or depth limits';
  override readonly httpStatus: number = 400;
}

/**
 * wsa:ActionMismatch: the action in the HTTP binding (SOAP 1.2 Content-Type `action` parameter or
 * SOAP 1.1 SOAPAction) differs from the wsa:Action header.
 */
export class ActionMismatchError extends StsError {
  readonly family = 'wsa' as const;
  readonly localName = 'ActionMismatch';
  readonly side = 'sender' as const;
  readonly reason = 'The SOAP action in the HTTP request does not match the wsa:Action header';
}

/** Every fault class, for the table test that checks each one against docs/faults.md. */
export const faultClasses = [
  InvalidRequestError,
  BadRequestError,
  FailedAuthenticationError,
  InvalidScopeError,
  InvalidSecurityTokenError,
  RequestFailedError,
  InvalidTimeRangeError,
  InvalidSecurityError,
  WsseInvalidSecurityTokenError,
  UnsupportedSecurityTokenError,
  WsseFailedAuthenticationError,
  MessageExpiredError,
  FailedCheckError,
  UnsupportedAlgorithmError,
  ActionMismatchError,
  VersionMismatchError,
  MustUnderstandError,
  MalformedMessageError,
] as const;

/**
 * Configuration problem found at start-up or when an administrator saves a setting. Each problem
 * names the setting (dotted path) and the fix; the CLI prints them and exits non-zero.
 */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} configuration problems:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A command-line or admin operation the user got wrong; the message names the fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
