import { randomUUID } from 'node:crypto';
import {
  ActionMismatchError,
  InvalidRequestError,
  MalformedMessageError,
  StsError,
  WsseFailedAuthenticationError,
} from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { isAuthorized } from '../policy/index.js';
import {
  ADDRESSING_HEADER_QNAMES,
  checkMustUnderstand,
  parseContentType,
  readAddressing,
  readEnvelope,
  unquote,
  writeEnvelope,
  writeFault,
  SOAP_MEDIA_TYPE,
  type AddressingHeaders,
  type SoapVersion,
} from '../soap/index.js';
import {
  issueResponseAction,
  issueToken,
  parseRequestSecurityToken,
  summarizeRequest,
  trustVersionOf,
  TRUST_NS,
  writeIssueResponse,
  type TrustVersion,
} from '../trust/index.js';
import { processSecurityHeader, SECURITY_HEADER_QNAME } from '../wssec/index.js';
import { childElement, NS, parseXml, XmlParseError, type Element } from '../xml/index.js';
import type { StsRuntime } from './runtime.js';

/** An HTTP request as the SOAP handler needs it, independent of the HTTP framework. */
export interface SoapHttpRequest {
  /** Request body: bytes as received (decoded here as strict UTF-8) or already decoded text. */
  body: string | Buffer;
  contentType?: string;
  soapAction?: string;
  authorization?: string;
  secure: boolean;
  remoteAddress?: string;
  /** WS-Trust version implied by the endpoint path, used for faults before the body is read. */
  pathTrustVersion?: TrustVersion;
  /** Token type the endpoint path uses when the request and the relying party name none. */
  pathDefaultTokenType?: string;
}

/** The HTTP response to send. */
export interface SoapHttpResponse {
  status: number;
  contentType: string;
  body: string;
}

const UNDERSTOOD_HEADERS = new Set([...ADDRESSING_HEADER_QNAMES, SECURITY_HEADER_QNAME]);

/** Per-request values the audit line reports. */
interface AuditFields {
  requestId: string;
  operation?: string;
  principal?: string;
  tokenType?: string;
  appliesTo?: string;
  relyingParty?: string;
  tokenId?: string;
  encrypted?: boolean;
  soapVersion?: SoapVersion;
  authMethod?: string;
  remoteAddress?: string;
  /** User name the request claimed (UsernameToken or HTTP Basic), logged when authentication fails. */
  claimedUser?: string;
}

/** Maximum length of a request value copied into a log line, in characters. */
const MAX_ECHO_LENGTH = 256;

/** Maximum length of a wsa:MessageID, ReplyTo or FaultTo address that a response echoes. */
const MAX_MESSAGE_ID_LENGTH = 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Handles one SOAP request end to end and returns the response. Every failure is thrown as an
 * StsError on the way and turned into a SOAP fault here, once.
 */
export async function handleSoapRequest(runtime: StsRuntime, request: SoapHttpRequest): Promise<SoapHttpResponse> {
  const started = process.hrtime.bigint();
  const contentType = parseContentType(request.contentType);
  if (!contentType) {
    return { status: 415, contentType: 'text/plain; charset=utf-8', body: 'Unsupported media type: send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)\n' };
  }
  const version = contentType.version;
  const audit: AuditFields = { requestId: randomUUID(), soapVersion: version, remoteAddress: request.remoteAddress };
  let addressing: AddressingHeaders = {};
  let trustVersion: TrustVersion | undefined = request.pathTrustVersion;
  try {
    const document = parseRequestXml(decodeBody(request.body, contentType.charset), runtime);
    const envelope = readEnvelope(document, version);
    addressing = readAddressing(envelope.headerBlocks);
    addressing = boundAddressing(addressing);
    if (addressing.messageId) audit.requestId = addressing.messageId;
    audit.claimedUser = claimedUser(envelope.headerBlocks) ?? parseBasic(request.authorization)?.username;
    Object.assign(audit, summarizeRequest(envelope.payload));
    trustVersion = trustVersionOf(envelope.payload) ?? trustVersionFromAction(addressing.action) ?? trustVersion;
    checkMustUnderstand(envelope, UNDERSTOOD_HEADERS);
    checkTransportAction(version, contentType.action, request.soapAction, addressing);

    const snapshot = await runtime.snapshot();
    const now = new Date();
    const security = await processSecurityHeader(envelope.headerBlocks, {
      now,
      policy: runtime.config.security,
      authenticator: runtime.authenticator,
      replayCache: runtime.replayCache,
      basicCredentials: parseBasic(request.authorization),
      secureTransport: request.secure,
      isAuthorized: (user) => isAuthorized(user.roles, snapshot.policy),
    });
    audit.principal = security.user.name;
    audit.authMethod = security.method;
    // A user without an allowed role gets the same fault and reason as a wrong password.
    if (!isAuthorized(security.user.roles, snapshot.policy)) {
      throw new WsseFailedAuthenticationError(`user ${security.user.name} has no role that the security policy allows`);
    }

    const rst = parseRequestSecurityToken(envelope.payload);
    audit.operation = rst.operation;
    audit.appliesTo = rst.appliesTo?.address;
    if (rst.operation !== 'Issue') {
      throw new InvalidRequestError(`RequestType ${rst.operation} is not supported`, { element: 'RequestType' });
    }
    const result = issueToken(rst, security, {
      sts: runtime.config.sts,
      clockSkewSeconds: runtime.config.security.clockSkewSeconds,
      now,
      signingCredential: snapshot.signing,
      relyingParties: snapshot.relyingParties,
      claims: runtime.claims,
      endpointTokenType: request.pathDefaultTokenType,
    });
    audit.tokenType = result.response.tokenType;
    audit.tokenId = result.response.assertionId;
    audit.relyingParty = result.relyingParty;
    audit.encrypted = result.encrypted;
    const body = writeEnvelope(version, addressing, issueResponseAction(rst.version), writeIssueResponse(result.response));
    logCompleted(runtime.logger, audit, started);
    return { status: 200, contentType: `${SOAP_MEDIA_TYPE[version]}; charset=utf-8`, body };
  } catch (error) {
    const fault = writeFault(error, {
      version,
      trustNamespace: trustVersion ? TRUST_NS[trustVersion] : undefined,
      // WS-Addressing sends faults to FaultTo when the request names one.
      addressing: addressing.faultTo ? { ...addressing, replyTo: addressing.faultTo } : addressing,
    });
    logFailed(runtime.logger, audit, started, fault.code, error);
    return { status: fault.status, contentType: fault.contentType, body: fault.body };
  }
}

/**
 * Drops addressing values too long to echo: a MessageID is then not echoed in RelatesTo, and a
 * ReplyTo or FaultTo address falls back to the anonymous address.
 */
function boundAddressing(addressing: AddressingHeaders): AddressingHeaders {
  const bounded = { ...addressing };
  if (bounded.messageId && bounded.messageId.length > MAX_MESSAGE_ID_LENGTH) bounded.messageId = undefined;
  if (bounded.replyTo && bounded.replyTo.length > MAX_MESSAGE_ID_LENGTH) bounded.replyTo = undefined;
  if (bounded.faultTo && bounded.faultTo.length > MAX_MESSAGE_ID_LENGTH) bounded.faultTo = undefined;
  return bounded;
}

/**
 * Decodes the body as UTF-8, refusing invalid byte sequences and any other declared charset or
 * XML encoding: every SOAP stack the STS serves sends UTF-8.
 */
function decodeBody(body: string | Buffer, charset: string | undefined): string {
  if (charset && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    throw new MalformedMessageError(`Content-Type charset ${truncate(charset)} is not UTF-8`);
  }
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = strictUtf8.decode(body);
    } catch {
      throw new MalformedMessageError('request body is not valid UTF-8');
    }
  }
  const declaration = /^\uFEFF?<\?xml[^?]*encoding\s*=\s*["']([^"']*)["']/.exec(text);
  if (declaration && !/^utf-?8$/i.test(declaration[1])) {
    throw new MalformedMessageError(`XML declaration names encoding ${truncate(declaration[1])}, not UTF-8`);
  }
  return text;
}

/** Returns the UsernameToken's Username for the log of a failed request; it is never used to authenticate. */
function claimedUser(headerBlocks: Element[]): string | undefined {
  for (const block of headerBlocks) {
    if (block.namespaceURI !== NS.wsse || block.localName !== 'Security') continue;
    const token = childElement(block, NS.wsse, 'UsernameToken');
    const username = token ? childElement(token, NS.wsse, 'Username') : undefined;
    if (username) return (username.textContent ?? '').trim();
  }
  return undefined;
}

/** Cuts a request value to {@link MAX_ECHO_LENGTH} characters for the log. */
function truncate(value: string): string {
  return value.length > MAX_ECHO_LENGTH ? `${value.slice(0, MAX_ECHO_LENGTH)}…` : value;
}

function parseRequestXml(body: string, runtime: StsRuntime) {
  try {
    return parseXml(body, {
      maxBytes: runtime.config.server.maxMessageBytes,
      maxDepth: runtime.config.server.maxXmlDepth,
      maxElements: runtime.config.server.maxXmlElements,
    });
  } catch (error) {
    if (error instanceof XmlParseError) throw new MalformedMessageError(error.message, { cause: error });
    throw error;
  }
}

function trustVersionFromAction(action: string | undefined): TrustVersion | undefined {
  if (action?.startsWith(TRUST_NS['1.3'])) return '1.3';
  if (action?.startsWith(TRUST_NS['2005'])) return '2005';
  return undefined;
}

/**
 * Rejects a request whose HTTP-level action (SOAP 1.2 `action` parameter or SOAP 1.1 SOAPAction)
 * names a different operation than wsa:Action. Either may be absent or empty.
 */
function checkTransportAction(
  version: SoapVersion,
  mediaTypeAction: string | undefined,
  soapActionHeader: string | undefined,
  addressing: AddressingHeaders,
): void {
  let transportAction = mediaTypeAction;
  if (version === '1.1') transportAction = soapActionHeader ? unquote(soapActionHeader.trim()) : undefined;
  if (!transportAction || !addressing.action) return;
  if (transportAction !== addressing.action) {
    throw new ActionMismatchError(`transport action ${transportAction} differs from wsa:Action ${addressing.action}`);
  }
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // Trimmed like a UsernameToken's Username, so both ways of logging in name the same user.
  return { username: decoded.slice(0, colon).trim(), password: decoded.slice(colon + 1) };
}

function durationMs(started: bigint): number {
  return Number((process.hrtime.bigint() - started) / 1000n) / 1000;
}

/**
 * Fields of the audit line. The request fields are always present, as null when the request
 * failed before they could be read, so that log queries can rely on them.
 */
function auditLine(audit: AuditFields, started: bigint) {
  return {
    ...audit,
    requestId: truncate(audit.requestId),
    operation: audit.operation ?? null,
    principal: audit.principal ?? null,
    claimedUser: audit.principal || audit.claimedUser === undefined ? undefined : truncate(audit.claimedUser),
    tokenType: audit.tokenType === undefined ? null : truncate(audit.tokenType),
    appliesTo: audit.appliesTo === undefined ? null : truncate(audit.appliesTo),
    durationMs: durationMs(started),
  };
}

function logCompleted(logger: Logger, audit: AuditFields, started: bigint): void {
  logger.info({ ...auditLine(audit, started), outcome: 'issued' }, 'rst.completed');
}

function logFailed(logger: Logger, audit: AuditFields, started: bigint, faultCode: string, error: unknown): void {
  const fields = { ...auditLine(audit, started), outcome: 'fault', faultCode };
  if (error instanceof StsError) {
    const level = error.side === 'receiver' ? 'error' : 'warn';
    logger[level]({ ...fields, detail: truncate(error.detail) }, 'rst.failed');
  } else {
    logger.error({ ...fields, err: error }, 'rst.failed');
  }
}
