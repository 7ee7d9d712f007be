import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { TokenTypes, type TrustVersion } from '../trust/index.js';
import { handleSoapRequest } from './handler.js';
import type { StsRuntime } from './runtime.js';
import { writeWsdl } from './wsdl.js';

/** Paths of the WS-Trust endpoint: WSO2's service name, its SOAP 1.1/1.2 port URLs and AD FS paths. */
export const STS_PATHS: ReadonlyArray<{ path: string; trustVersion?: TrustVersion; defaultTokenType?: string }> = [
  { path: '/services/wso2carbon-sts' },
  { path: '/services/wso2carbon-sts.wso2carbon-stsHttpsSoap11Endpoint' },
  { path: '/services/wso2carbon-sts.wso2carbon-stsHttpsSoap12Endpoint' },
  { path: '/services/wso2carbon-sts.wso2carbon-stsHttpSoap11Endpoint' },
  { path: '/services/wso2carbon-sts.wso2carbon-stsHttpSoap12Endpoint' },
  // AD FS returns SAML 1.1 with the legacy URN when the request names no token type, and MSAL
  // and ADAL depend on that, so these paths default to it.
  { path: '/adfs/services/trust/13/usernamemixed', trustVersion: '1.3', defaultTokenType: TokenTypes.saml11Urn },
  { path: '/adfs/services/trust/2005/usernamemixed', trustVersion: '2005', defaultTokenType: TokenTypes.saml11Urn },
];

/** Options of one listener. */
export interface ListenerOptions {
  tls?: { certFile: string; keyFile: string };
}

/**
 * Builds the HTTP(S) application. Request bodies are read as text for the two SOAP media types;
 * any other type gets 415 before the body is parsed.
 */
export function buildApp(runtime: StsRuntime, options: ListenerOptions): FastifyInstance {
  const secure = Boolean(options.tls);
  const timeoutMs = runtime.config.server.requestTimeoutSeconds * 1000;
  // Node checks request and header timeouts only every connectionsCheckingInterval (30 s by
  // default) and allows 60 s for headers, so both are set for the limit to hold for slow clients.
  const serverOptions = {
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: Math.min(1000, timeoutMs),
  };
  const tls = options.tls
    ? { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }
    : undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: runtime.config.server.maxMessageBytes,
    // Fastify reads the scheme from the https option; serverFactory creates the server.
    ...(tls ? { https: tls } : {}),
    serverFactory: (handler: RequestListener) =>
      tls ? createHttpsServer({ ...tls, ...serverOptions }, handler) : createHttpServer(serverOptions, handler),
    // Malformed URLs and protocol errors get the same short plain-text response as other 4xx.
    frameworkErrors: (error: { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
      runtime.logger.warn({ status: 400, code: error.code ?? null, remoteAddress: request.ip }, 'http request rejected');
      return reply.code(400).type('text/plain; charset=utf-8').send('Request failed\n');
    },
    clientErrorHandler: (error: { code?: string }, socket: Socket) => rejectClient(runtime, error, socket),
  } as never) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  // Bodies arrive as bytes and are decoded strictly in the handler, so invalid UTF-8 is refused
  // instead of being read with replacement characters.
  app.addContentTypeParser(['text/xml', 'application/soap+xml'], { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  for (const { path, trustVersion, defaultTokenType } of STS_PATHS) {
    app.post(path, async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) {
        runtime.logger.warn(
          { status: 415, contentType: request.headers['content-type'] ?? null, remoteAddress: request.ip },
          'http request rejected',
        );
        return reply
          .code(415)
          .type('text/plain; charset=utf-8')
          .send('Unsupported media type: send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)\n');
      }
      const response = await handleSoapRequest(runtime, {
        body: request.body,
        contentType: request.headers['content-type'],
        soapAction: header(request, 'soapaction'),
        authorization: header(request, 'authorization'),
        secure,
        remoteAddress: request.ip,
        pathTrustVersion: trustVersion,
        pathDefaultTokenType: defaultTokenType,
      });
      return reply.code(response.status).type(response.contentType).send(response.body);
    });
    app.get(path, async (request, reply) => sendWsdlOrHint(request, reply, secure, runtime.config.server.publicBaseUrl));
  }

  app.setNotFoundHandler((request, reply) => {
    runtime.logger.warn({ status: 404, remoteAddress: request.ip }, 'http request rejected');
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    // A 4xx is the client's mistake: its code is enough, a stack trace would only fill the log.
    if (status >= 500) runtime.logger.error({ err: error, status, remoteAddress: request.ip }, 'http request failed');
    else runtime.logger.warn({ status, code: error.code ?? null, remoteAddress: request.ip }, 'http request rejected');
    let text = 'Request failed\n';
    if (status === 413) text = 'Request body too large\n';
    if (status === 415) text = 'Unsupported media type\n';
    return reply.code(status).type('text/plain; charset=utf-8').send(text);
  });
  return app;
}

/** Plain-text responses to connection-level errors, by Node error code. */
const CLIENT_ERROR_ANSWERS: Record<string, { status: number; statusText: string; text: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, statusText: 'Request Timeout', text: 'Request timeout\n' },
  HPE_HEADER_OVERFLOW: { status: 431, statusText: 'Request Header Fields Too Large', text: 'Request failed\n' },
  default: { status: 400, statusText: 'Bad Request', text: 'Request failed\n' },
};

/**
 * Responds to a connection-level error (request timeout, oversized or malformed headers) with a short
 * plain-text response and closes the socket.
 */
function rejectClient(runtime: StsRuntime, error: { code?: string }, socket: Socket): void {
  const answer = CLIENT_ERROR_ANSWERS[error.code ?? ''] ?? CLIENT_ERROR_ANSWERS.default;
  const { status, statusText, text } = answer;
  runtime.logger.warn({ status, code: error.code ?? null, remoteAddress: socket.remoteAddress ?? null }, 'http request rejected');
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  } else {
    socket.destroy();
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Host header values used in the WSDL: a host name or IP literal with an optional port. */
const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function sendWsdlOrHint(request: FastifyRequest, reply: FastifyReply, secure: boolean, publicBaseUrl?: string) {
  const query = request.raw.url?.split('?')[1] ?? '';
  if (query.toLowerCase() === 'wsdl') {
    const hostHeader = request.headers.host ?? '';
    const host = HOST_HEADER.test(hostHeader) ? hostHeader : 'localhost';
    const base = publicBaseUrl?.replace(/\/+$/, '') ?? `${secure ? 'https' : 'http'}://${host}`;
    // The addresses may come from the Host header, so shared caches must not keep this copy.
    return reply.type('text/xml; charset=utf-8').header('cache-control', 'no-store').send(writeWsdl(base));
  }
  return reply
    .code(405)
    .type('text/plain; charset=utf-8')
    .send('This is a WS-Trust endpoint: POST a SOAP RequestSecurityToken, or GET ?wsdl for its WSDL.\n');
}
