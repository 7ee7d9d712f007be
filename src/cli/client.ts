import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UsageError } from '../errors/index.js';
import { SOAP_NS, type SoapVersion } from '../soap/index.js';
import { buildIssueRequest, tokenTypeFromName, TRUST_NS, type TrustVersion } from '../trust/index.js';
import { childElement, childElements, parseXml, textOf, type Element } from '../xml/index.js';
import { formatSummary, summarizeToken } from './token-summary.js';

interface ClientOptions {
  endpoint: string;
  username: string;
  password: string;
  digest?: boolean;
  soap: string;
  trust: string;
  tokenType?: string;
  appliesTo?: string;
  ca?: string;
  insecure?: boolean;
  stsCert?: string;
}

/** Registers `sts client`. */
export function registerClientCommand(program: Command): void {
  program
    .command('client')
    .description('request a token from an STS, print it on stdout and a summary on stderr')
    .requiredOption('--endpoint <url>', 'STS endpoint, e.g. https://localhost:9443/services/wso2carbon-sts')
    .requiredOption('--username <user>', 'user name for the UsernameToken')
    .requiredOption('--password <password>', 'password for the UsernameToken')
    .option('--digest', 'send a PasswordDigest instead of the clear password')
    .option('--soap <version>', 'SOAP version: 1.1 or 1.2', '1.2')
    .option('--trust <version>', 'WS-Trust version: 1.3 or 2005', '1.3')
    .option('--token-type <type>', 'saml2, saml11 or a token type URI (default: the STS default)')
    .option('--applies-to <uri>', 'relying party address (AppliesTo)')
    .option('--ca <file>', 'PEM certificate to trust for HTTPS, e.g. DATA_DIR/tls/cert.pem')
    .option('--insecure', 'skip HTTPS certificate verification (tests only)')
    .option('--sts-cert <file>', 'PEM token-signing certificate (from "sts keys cert") to verify the token with')
    .action(async (options: ClientOptions) => {
      process.exitCode = await runClient(options);
    });
}

async function runClient(options: ClientOptions): Promise<number> {
  const soapVersion = options.soap as SoapVersion;
  const trustVersion = options.trust as TrustVersion;
  if (soapVersion !== '1.1' && soapVersion !== '1.2') throw new UsageError(`--soap: ${options.soap} is not 1.1 or 1.2`);
  if (trustVersion !== '1.3' && trustVersion !== '2005') throw new UsageError(`--trust: ${options.trust} is not 1.3 or 2005`);
  const built = buildIssueRequest({
    endpoint: options.endpoint,
    username: options.username,
    password: options.password,
    digest: Boolean(options.digest),
    soapVersion,
    trustVersion,
    tokenType: options.tokenType ? tokenTypeFromName(options.tokenType) : undefined,
    appliesTo: options.appliesTo,
  });
  const response = await post(options, built.body, built.headers);
  const soapNs = SOAP_NS[soapVersion];
  let envelope: Element;
  try {
    envelope = parseXml(response.body, { maxBytes: 10 * 1024 * 1024, maxDepth: 100 }).documentElement!;
  } catch {
    process.stderr.write(`sts client: HTTP ${response.status}, response is not XML:\n${response.body.slice(0, 500)}\n`);
    return 1;
  }
  const body = childElement(envelope, soapNs, 'Body');
  const payload = body ? childElements(body)[0] : undefined;
  if (!payload) {
    process.stderr.write(`sts client: HTTP ${response.status}, no SOAP Body in the response\n`);
    return 1;
  }
  if (payload.localName === 'Fault') {
    const fault = readFault(payload, soapVersion);
    process.stderr.write(`sts client: fault ${fault.code}: ${fault.reason} (HTTP ${response.status})\n`);
    return 1;
  }
  const trustNs = TRUST_NS[trustVersion];
  const rstr =
    payload.localName === 'RequestSecurityTokenResponseCollection' ? childElement(payload, trustNs, 'RequestSecurityTokenResponse') : payload;
  const requested = rstr ? childElement(rstr, trustNs, 'RequestedSecurityToken') : undefined;
  const token = requested ? childElements(requested)[0] : undefined;
  if (!rstr || !token) {
    process.stderr.write('sts client: the response has no RequestedSecurityToken\n');
    return 1;
  }
  const tokenXml = sliceElement(response.body, token);
  process.stdout.write(tokenXml + '\n');
  const stsCert = options.stsCert ? readFileSync(options.stsCert, 'utf8') : undefined;
  const tokenType = textOf(childElement(rstr, trustNs, 'TokenType'));
  process.stderr.write(formatSummary(tokenType, summarizeToken(token, tokenXml, stsCert)));
  return 0;
}

function readFault(fault: Element, version: SoapVersion): { code: string; reason: string } {
  if (version === '1.1') {
    return { code: textOf(childElement(fault, '', 'faultcode')) || textOf(childElements(fault)[0]), reason: textOf(childElement(fault, '', 'faultstring')) };
  }
  const ns = SOAP_NS['1.2'];
  const code = childElement(fault, ns, 'Code');
  const subcode = code ? childElement(code, ns, 'Subcode') : undefined;
  const value = textOf(childElement(subcode ?? code ?? fault, ns, 'Value'));
  const reason = textOf(childElement(fault, ns, 'Reason'));
  return { code: value, reason };
}

/**
 * Cuts the token's exact bytes out of the response text, so that what is printed is what was
 * signed. xmldom records line and column of each start tag.
 */
function sliceElement(text: string, element: Element): string {
  const serialized = element.toString();
  const name = element.tagName;
  const lines = text.split('\n');
  const located = element as unknown as { lineNumber?: number; columnNumber?: number };
  if (located.lineNumber === undefined || located.columnNumber === undefined) return serialized;
  let offset = 0;
  for (let i = 0; i < located.lineNumber - 1; i++) offset += lines[i].length + 1;
  offset += located.columnNumber - 1;
  if (!text.startsWith(`<${name}`, offset)) return serialized;
  const end = text.indexOf(`</${name}>`, offset);
  return end < 0 ? serialized : text.slice(offset, end + name.length + 3);
}

function post(options: ClientOptions, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(options.endpoint);
  const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!send) throw new UsageError(`--endpoint: ${options.endpoint} is not an http or https URL`);
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ca: options.ca ? readFileSync(options.ca) : undefined,
        rejectUnauthorized: !options.insecure,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', (error) => reject(new UsageError(`request to ${options.endpoint} failed: ${error.message}`)));
    request.end(body);
  });
}

