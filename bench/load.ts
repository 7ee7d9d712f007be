import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** Maximum wait for one response, after which the request counts as failed. */
const REQUEST_TIMEOUT_MS = 30_000;

/** One HTTP request body with its headers. */
export interface OutgoingRequest {
  body: string;
  headers: Record<string, string>;
}

/** The endpoint under load, with the functions that build requests and check responses. */
export interface LoadTarget {
  url: URL;
  /** CA certificate (PEM) to trust for an https: URL. */
  ca?: Buffer;
  /** Builds the next request. It is called once per request, so each carries fresh values. */
  buildRequest(): OutgoingRequest;
  /** Returns what is wrong with a response, or undefined when it carries a token. */
  checkResponse(status: number, body: string): string | undefined;
}

/** Outcome of one load level. */
export interface LoadResult {
  concurrency: number;
  /** Responses that carried a token. */
  tokens: number;
  /** Failed requests, counted by description. */
  errors: Map<string, number>;
  /** From the first request to the end of the last response. */
  elapsedSeconds: number;
  tokensPerSecond: number;
  /** Latency percentiles of the token responses, in milliseconds, measured by this client. */
  p50Ms: number;
  p99Ms: number;
  /** TCP connections the keep-alive agent opened. */
  connections: number;
  /** Size of the first token response body. */
  responseBytes: number;
  /** Negotiated TLS protocol and cipher, for an https: URL. */
  tls?: { protocol: string; cipher: string };
}

interface HttpResult {
  status: number;
  body: string;
  bytes: number;
  socket: Socket;
}

/**
 * Runs `concurrency` request loops against the target for `durationSeconds`. Each loop sends its
 * next request when the previous response has arrived, over a keep-alive agent with one socket
 * per loop. Requests still in flight at the deadline finish and are counted.
 */
export async function runLoad(
  target: LoadTarget,
  concurrency: number,
  durationSeconds: number,
): Promise<LoadResult> {
  const agent =
    target.url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: concurrency, ca: target.ca })
      : new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const sockets = new Set<Socket>();
  const latenciesMs: number[] = [];
  const errors = new Map<string, number>();
  let responseBytes = 0;
  let tls: LoadResult['tls'];

  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  const requestLoop = async () => {
    while (performance.now() < deadline) {
      const request = target.buildRequest();
      const sent = performance.now();
      try {
        const response = await post(target.url, agent, request, sockets);
        const problem = target.checkResponse(response.status, response.body);
        if (problem) {
          countError(errors, problem);
          continue;
        }
        latenciesMs.push(performance.now() - sent);
        if (responseBytes === 0) responseBytes = response.bytes;
        tls ??= describeTls(response.socket);
      } catch (error) {
        countError(errors, `request failed: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, requestLoop));
  const elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();

  latenciesMs.sort((a, b) => a - b);
  return {
    concurrency,
    tokens: latenciesMs.length,
    errors,
    elapsedSeconds,
    tokensPerSecond: latenciesMs.length / elapsedSeconds,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    connections: sockets.size,
    responseBytes,
    tls,
  };
}

/**
 * Sends one request on a new connection. Returns its latency and, for a failure, what is wrong
 * with the response.
 */
export async function sendOnce(target: LoadTarget): Promise<{ latencyMs: number; problem?: string }> {
  const agent = target.url.protocol === 'https:' ? new https.Agent({ ca: target.ca }) : new http.Agent();
  const request = target.buildRequest();
  const sent = performance.now();
  try {
    const response = await post(target.url, agent, request, new Set());
    const problem = target.checkResponse(response.status, response.body);
    return { latencyMs: performance.now() - sent, problem };
  } catch (error) {
    return { latencyMs: performance.now() - sent, problem: `request failed: ${(error as Error).message}` };
  } finally {
    agent.destroy();
  }
}

function post(
  url: URL,
  agent: http.Agent,
  request: OutgoingRequest,
  sockets: Set<Socket>,
): Promise<HttpResult> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  const headers = { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: 'POST', agent, headers }, (incoming) => {
      // A keep-alive agent detaches the socket from the response when the response ends.
      const socket = incoming.socket;
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = incoming.statusCode ?? 0;
        resolve({ status, body: body.toString('utf8'), bytes: body.length, socket });
      });
    });
    outgoing.on('socket', (socket) => sockets.add(socket));
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () =>
      outgoing.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS / 1000} s`)),
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

function describeTls(socket: Socket): LoadResult['tls'] {
  if (!(socket instanceof TLSSocket)) return undefined;
  return { protocol: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher()?.name ?? 'unknown' };
}

function countError(errors: Map<string, number>, description: string): void {
  errors.set(description, (errors.get(description) ?? 0) + 1);
}

/** Returns the nearest-rank percentile of sorted values, or NaN when there are none. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}
