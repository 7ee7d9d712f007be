import { InvalidRequestError, InvalidTimeRangeError } from '../errors/index.js';
import { parseUtcDateTime } from '../wssec/time.js';
import { childElement, childElements, NS, textOf, type Element } from '../xml/index.js';
import { TRUST_NS, type TrustOperation, type TrustVersion } from './uris.js';

/** A requested claim: its type URI and whether the requester can do without it. */
export interface RequestedClaim {
  uri: string;
  optional: boolean;
  /** True when the ClaimType element carried a value, which the STS never uses. */
  carriesValue: boolean;
}

/** The wst:Claims element of a request. */
export interface RequestedClaims {
  dialect: string;
  claims: RequestedClaim[];
}

/** AppliesTo as requested, with the namespaces used so the response can echo it the same way. */
export interface AppliesTo {
  address: string;
  policyNamespace: string;
  addressingNamespace: string;
}

/** A RequestSecurityToken in one model for WS-Trust 1.3 and 2005. */
export interface RequestSecurityToken {
  version: TrustVersion;
  namespace: string;
  operation: TrustOperation;
  context?: string;
  tokenType?: string;
  keyType?: string;
  keySize?: number;
  appliesTo?: AppliesTo;
  claims?: RequestedClaims;
  /** Requested token lifetime (wst:Lifetime); either bound may be absent. */
  lifetime?: { created?: Date; expires?: Date };
  element: Element;
}

const OPERATIONS: readonly TrustOperation[] = ['Issue', 'Validate', 'Renew', 'Cancel'];
const ADDRESSING_NAMESPACES = [NS.wsa2005, NS.wsa2004];
/** WS-Trust 1.4 namespace, which defines ActAs. */
const WST14_NS = 'http://docs.oasis-open.org/ws-sx/ws-trust/200802';

/** Returns the WS-Trust version of a body payload, or undefined when it is not a WS-Trust element. */
export function trustVersionOf(payload: Element): TrustVersion | undefined {
  if (payload.namespaceURI === NS.wst13) return '1.3';
  if (payload.namespaceURI === NS.wst2005) return '2005';
  return undefined;
}

/**
 * Parses a wst:RequestSecurityToken body payload into a typed request. A fault names only
 * elements of the WS-Trust schema, never a name taken from the request.
 */
export function parseRequestSecurityToken(payload: Element): RequestSecurityToken {
  const version = trustVersionOf(payload);
  if (!version) {
    throw new InvalidRequestError(`body element {${payload.namespaceURI ?? ''}}${payload.localName} is not WS-Trust`, {
      element: 'RequestSecurityToken',
    });
  }
  if (payload.localName === 'RequestSecurityTokenCollection') {
    throw new InvalidRequestError('batch requests are not supported', { element: 'RequestSecurityTokenCollection' });
  }
  if (payload.localName !== 'RequestSecurityToken') {
    throw new InvalidRequestError(`unsupported body element ${payload.localName}`, { element: 'RequestSecurityToken' });
  }

  const namespace = TRUST_NS[version];
  const request: RequestSecurityToken = {
    version,
    namespace,
    operation: readOperation(payload, version),
    element: payload,
  };
  const context = payload.getAttribute('Context');
  if (context) request.context = context;
  request.tokenType = optionalText(payload, namespace, 'TokenType');
  request.keyType = optionalText(payload, namespace, 'KeyType');
  const keySize = optionalText(payload, namespace, 'KeySize');
  if (keySize !== undefined) {
    if (!/^\d{1,6}$/.test(keySize)) throw new InvalidRequestError('KeySize is not a number', { element: 'KeySize' });
    request.keySize = Number(keySize);
  }
  rejectDelegation(payload, namespace);
  request.appliesTo = readAppliesTo(payload);
  const lifetime = childElement(payload, namespace, 'Lifetime');
  if (lifetime) request.lifetime = readLifetime(lifetime);
  const claims = childElement(payload, namespace, 'Claims');
  if (claims) request.claims = readClaims(claims);
  return request;
}

/** Audit fields of a request, read without raising for a malformed one. */
export interface RequestSummary {
  operation?: TrustOperation;
  tokenType?: string;
  appliesTo?: string;
}

/**
 * Reads the operation, TokenType and AppliesTo address of a body payload for the audit log,
 * before the requester is authenticated. Anything missing or malformed is left out, and the
 * full parse with {@link parseRequestSecurityToken} reports it.
 */
export function summarizeRequest(payload: Element): RequestSummary {
  const version = trustVersionOf(payload);
  if (!version || payload.localName !== 'RequestSecurityToken') return {};
  const namespace = TRUST_NS[version];
  const summary: RequestSummary = {};
  const requestType = textOf(childElement(payload, namespace, 'RequestType'));
  const operation = requestType.slice(namespace.length + 1) as TrustOperation;
  if (requestType.startsWith(`${namespace}/`) && OPERATIONS.includes(operation)) summary.operation = operation;
  const tokenType = textOf(childElement(payload, namespace, 'TokenType'));
  if (tokenType) summary.tokenType = tokenType;
  const appliesTo = childElement(payload, [NS.wsp2004, NS.wsp15], 'AppliesTo');
  const reference = appliesTo && (childElement(appliesTo, ADDRESSING_NAMESPACES, 'EndpointReference') ?? appliesTo);
  const address = textOf(reference ? childElement(reference, ADDRESSING_NAMESPACES, 'Address') : undefined);
  if (address) summary.appliesTo = address;
  return summary;
}

/**
 * Rejects OnBehalfOf and ActAs (the latter in the WS-Trust 1.4 namespace, as 1.3 clients send
 * it). The STS does not issue delegated tokens, and ignoring the element would hand the caller
 * a token for itself when it asked for one for someone else.
 */
function rejectDelegation(payload: Element, namespace: string): void {
  if (childElement(payload, namespace, 'OnBehalfOf')) {
    throw new InvalidRequestError('OnBehalfOf is not supported', { element: 'OnBehalfOf' });
  }
  if (childElement(payload, [WST14_NS, namespace], 'ActAs')) {
    throw new InvalidRequestError('ActAs is not supported', { element: 'ActAs' });
  }
}

function readOperation(payload: Element, version: TrustVersion): TrustOperation {
  const text = optionalText(payload, TRUST_NS[version], 'RequestType');
  if (text === undefined) throw new InvalidRequestError('RequestType is missing', { element: 'RequestType' });
  const prefix = `${TRUST_NS[version]}/`;
  const operation = text.startsWith(prefix) ? (text.slice(prefix.length) as TrustOperation) : undefined;
  if (!operation || !OPERATIONS.includes(operation)) {
    throw new InvalidRequestError(`RequestType is not a WS-Trust ${version} request type`, { element: 'RequestType' });
  }
  return operation;
}

function optionalText(parent: Element, namespace: string, localName: string): string | undefined {
  const elements = childElements(parent, namespace, localName);
  if (elements.length > 1) throw new InvalidRequestError(`${localName} appears more than once`, { element: localName });
  return elements.length ? textOf(elements[0]) : undefined;
}

/**
 * Returns the only child with this name in any of the namespaces. Two copies are rejected
 * because another processor could read the other one; the fault names `element`.
 */
function onlyOne(
  parent: Element,
  namespaces: readonly string[],
  localName: string,
  element = localName,
): Element | undefined {
  const found = childElements(parent).filter(
    (child) => child.localName === localName && namespaces.includes(child.namespaceURI ?? ''),
  );
  if (found.length > 1) throw new InvalidRequestError(`${localName} appears more than once`, { element });
  return found[0];
}

/** Reads AppliesTo in either WS-Policy namespace, with an EndpointReference in either WS-Addressing namespace. */
function readAppliesTo(payload: Element): AppliesTo | undefined {
  const appliesTo = onlyOne(payload, [NS.wsp2004, NS.wsp15], 'AppliesTo');
  if (!appliesTo) return undefined;
  const reference = onlyOne(appliesTo, ADDRESSING_NAMESPACES, 'EndpointReference', 'AppliesTo');
  const address = onlyOne(reference ?? appliesTo, ADDRESSING_NAMESPACES, 'Address', 'AppliesTo');
  const value = textOf(address);
  if (!address || !value) {
    throw new InvalidRequestError('AppliesTo has no EndpointReference/Address', { element: 'AppliesTo' });
  }
  return {
    address: value,
    policyNamespace: appliesTo.namespaceURI!,
    addressingNamespace: address.namespaceURI!,
  };
}

/**
 * Reads wst:Claims. The Dialect attribute is accepted unqualified (as .NET and CXF write it) or
 * qualified with any namespace (the WSO2 sample client qualifies it with the trust namespace).
 */
function readClaims(claims: Element): RequestedClaims {
  let dialect = claims.getAttribute('Dialect');
  if (!dialect) {
    for (let i = 0; i < claims.attributes.length; i++) {
      const attribute = claims.attributes.item(i)!;
      if (attribute.localName === 'Dialect') dialect = attribute.value;
    }
  }
  const requested: RequestedClaim[] = [];
  for (const element of childElements(claims)) {
    if (element.localName !== 'ClaimType') continue;
    const uri = element.getAttribute('Uri') ?? '';
    if (!uri) throw new InvalidRequestError('ClaimType without Uri', { element: 'ClaimType' });
    const optional = element.getAttribute('Optional');
    requested.push({
      uri,
      optional: optional === 'true' || optional === '1',
      carriesValue: childElements(element).length > 0 || textOf(element) !== '',
    });
  }
  return { dialect: dialect ?? '', claims: requested };
}

/** Reads wst:Lifetime: wsu:Created and wsu:Expires, each optional, as UTC date-times. */
function readLifetime(lifetime: Element): { created?: Date; expires?: Date } {
  const read = (name: 'Created' | 'Expires'): Date | undefined => {
    const element = childElement(lifetime, NS.wsu, name);
    if (!element) return undefined;
    const value = parseUtcDateTime(textOf(element));
    if (!value) throw new InvalidTimeRangeError(`Lifetime/${name} is not a UTC dateTime`);
    return value;
  };
  return { created: read('Created'), expires: read('Expires') };
}
