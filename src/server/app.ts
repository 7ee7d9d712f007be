import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
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
  // AD FS answers SAML 1.1 with the legacy URN when the request names no token type, and MSAL
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
  const app = Fastify({
    logger: false,
    bodyLimit: runtime.config.server.maxMessageBytes,
    ...(options.tls
      ? { https: { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) } }
      : {}),
  } as never) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/xml', 'application/soap+xml'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  for (const { path, trustVersion, defaultTokenType } of STS_PATHS) {
    app.post(path, async (request, reply) => {
      if (typeof request.body !== 'string') {
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
    app.get(path, async (request, reply) => sendWsdlOrHint(request, reply, secure));
  }

  app.get('/health', async () => ({ status: 'ok' }));

  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    runtime.logger[status >= 500 ? 'error' : 'warn']({ err: error, status }, 'http request failed');
    const text = status === 413 ? 'Request body too large\n' : status === 415 ? 'Unsupported media type\n' : 'Request failed\n';
    return reply.code(status).type('text/plain; charset=utf-8').send(text);
  });
  return app;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendWsdlOrHint(request: FastifyRequest, reply: FastifyReply, secure: boolean) {
  const query = request.raw.url?.split('?')[1] ?? '';
  if (query.toLowerCase() === 'wsdl') {
    const host = request.headers.host ?? 'localhost';
    return reply.type('text/xml; charset=utf-8').send(writeWsdl(`${secure ? 'https' : 'http'}://${host}`));
  }
  return reply
    .code(405)
    .type('text/plain; charset=utf-8')
    .send('This is a WS-Trust endpoint: POST a SOAP RequestSecurityToken, or GET ?wsdl for its WSDL.\n');
}
