import { X509Certificate } from 'node:crypto';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UsageError } from '../errors/index.js';
import { SOAP_NS, type SoapVersion } from '../soap/index.js';
import { buildIssueRequest, tokenTypeFromName, TRUST_NS, type TrustVersion } from '../trust/index.js';
import { childElement, childElements, parseXml, textOf, type Element } from '../xml/index.js';
import { readSecret, type SecretSourceOptions } from './secret-input.js';
import { formatSummary, summarizeToken } from './token-summary.js';

interface ClientOptions extends SecretSourceOptions {
  endpoint: string;
  username: string;
  password?: string;
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
    .option('--password <password>', 'password for the UsernameToken (visible to other local users in ps)')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--password-file <file>', 'read the password from the first line of a file')
    .option('--password-env <var>', 'read the password from an environment variable')
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
  const url = URL.canParse(options.endpoint) ? new URL(options.endpoint) : undefined;
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
    throw new UsageError(`--endpoint: ${options.endpoint} is not an http or https URL`);
  }

  const password = await clientPassword(options);
  const built = buildIssueRequest({
    endpoint: options.endpoint,
    username: options.username,
    password,
    digest: Boolean(options.digest),
    soapVersion,
    trustVersion,
    tokenType: options.tokenType ? tokenTypeFromName(options.tokenType) : undefined,
    appliesTo: options.appliesTo,
  });

  const ca = options.ca ? readOptionFile(options.ca, '--ca') : undefined;
  const stsCert = options.stsCert ? readCertificate(options.stsCert) : undefined;
  let response: { status: number; body: string };
  try {
    response = await post(url, built.body, built.headers, { ca, insecure: Boolean(options.insecure) });
  } catch (error) {
    process.stderr.write(`sts client: ${describeNetworkError(options.endpoint, error)}\n`);
    return 1;
  }
  return printResponse(response, soapVersion, trustVersion, stsCert);
}

/** Reads the --sts-cert file and checks that it contains a certificate, not a key or other PEM. */
function readCertificate(file: string): string {
  const pem = readOptionFile(file, '--sts-cert').toString('utf8');
  try {
    new X509Certificate(pem);
  } catch {
    throw new UsageError(`--sts-cert: ${file} contains no PEM certificate; use the output of "sts keys cert"`);
  }
  return pem;
}

/** Takes the password from --password or from one of the secret sources; an empty one is refused. */
async function clientPassword(options: ClientOptions): Promise<string> {
  const fromSources = Boolean(options.passwordStdin || options.passwordFile || options.passwordEnv);
  if (options.password !== undefined && fromSources) {
    throw new UsageError('use either --password or one of --password-stdin, --password-file, --password-env');
  }
  const password = options.password ?? (await readSecret(options, `Password for ${options.username}: `));
  if (password === '') {
    throw new UsageError('the password is empty; if it comes from a variable such as STS_ADMIN_PASSWORD, check that it is set');
  }
  return password;
}

/**
 * Prints the token of an Issue response on stdout and its summary on stderr, or the fault code
 * and reason on stderr. Returns the exit status: 0 for a token, 1 for a fault or a token whose
 * signature does not verify.
 */
function printResponse(
  response: { status: number; body: string },
  soapVersion: SoapVersion,
  trustVersion: TrustVersion,
  stsCert: string | undefined,
): number {
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
  const tokenType = textOf(childElement(rstr, trustNs, 'TokenType'));
  const summary = summarizeToken(token, tokenXml, stsCert);
  // A token whose signature does not verify is not printed, so `> token.xml` keeps no such token.
  if (summary.signatureValid !== false) process.stdout.write(tokenXml + '\n');
  process.stderr.write(formatSummary(tokenType, summary));
  return summary.signatureValid === false ? 1 : 0;
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

function readOptionFile(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** TLS error codes that mean the server certificate is not trusted, as Node.js reports them. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Describes in one line why the request failed and, for an untrusted certificate, what to do. */
function describeNetworkError(endpoint: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const text = `request to ${endpoint} failed: ${message}`;
  if (code && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return `${text}. The server certificate is not trusted, so pass --ca with its PEM file (DATA_DIR/tls/cert.pem for "sts serve")`;
  }
  return text;
}

function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  tls: { ca?: Buffer; insecure: boolean },
): Promise<{ status: number; body: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ca: tls.ca,
        rejectUnauthorized: !tls.insecure,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

