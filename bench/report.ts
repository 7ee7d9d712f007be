import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { configSchema } from '../src/config/index.js';
import type { RunningServer } from '../test/e2e/harness.js';
import type { CryptoResults, RateResult } from './crypto.js';
import type { LoadResult, LoadTarget } from './load.js';
import type { BenchOptions } from './options.js';

/** One load level with the CPU time that client and server spent on it. */
export interface Level {
  transport: 'HTTP' | 'HTTPS';
  result: LoadResult;
  /** CPU seconds of this process per elapsed second (1.0 = one core fully busy). */
  clientCores: number;
  /** CPU seconds of the server process per elapsed second, or NaN where /proc is missing. */
  serverCores: number;
}

/** Prints the machine, Node version and run settings. */
export function printMachine(options: BenchOptions): void {
  const cpus = os.cpus();
  const models = [...new Set(cpus.map((cpu) => cpu.model.trim()))].join(', ');
  const levels =
    `HTTP concurrency ${options.concurrency.join(', ')}; ` +
    `HTTPS concurrency ${options.httpsConcurrency || 'skipped'}`;
  console.log('Token issuance benchmark');
  console.log(`  date:     ${new Date().toISOString()}`);
  console.log(`  node:     ${process.version} (${process.platform} ${os.release()} ${process.arch})`);
  console.log(`  cpu:      ${models}, ${cpus.length} logical CPUs (os.cpus())`);
  console.log(`  memory:   ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
  console.log(`  load:     ${formatLoad()} (load average over 1, 5 and 15 minutes, at start)`);
  console.log(`  levels:   ${levels}`);
  console.log(
    `  timing:   ${options.warmupSeconds} s warm-up before the HTTP levels and before HTTPS, ` +
      `${options.durationSeconds} s per level, ${options.cryptoSeconds} s per crypto measurement`,
  );
  console.log('  client:   this process; node:http(s) Agent with keepAlive, one socket per request loop;');
  console.log('            client and server share the CPUs above');
}

/**
 * Prints how the server runs. Key sizes, log level and token lifetime are read from the running
 * server and the configuration defaults.
 */
export function printServer(server: RunningServer, relyingParty: string): void {
  const defaults = configSchema.parse({});
  const signingBits = modulusBits(server.signingCertPem);
  const tlsBits = modulusBits(readFileSync(server.tlsCertFile, 'utf8'));
  console.log('Server');
  console.log('  process:  node bin/sts.js serve --data-dir TMP --port 0 --host 127.0.0.1 --http-port 0');
  console.log('            (one process, no cluster workers, SQLite store in TMP)');
  console.log(`  HTTP:     ${server.httpUrl}`);
  console.log(`  HTTPS:    ${server.httpsUrl} (generated RSA-${tlsBits} certificate)`);
  console.log(
    `  config:   defaults, no sts.yaml; log level ${defaults.log.level}, ` +
      'so one audit line per request on stdout, read by this process',
  );
  console.log(`  signing:  generated RSA-${signingBits} key, rsa-sha256, exclusive c14n, no encryption`);
  console.log(
    `  token:    SAML 2.0 bearer, lifetime ${defaults.sts.tokenLifetimeSeconds} s, ` +
      `audience ${relyingParty} (registered relying party)`,
  );
  console.log('  password: scrypt runs on the first login only, because the Authenticator caches a');
  console.log('            successful PasswordText check for 60 s. Later requests skip it, and the');
  console.log('            RSA signature is their largest cost.');
}

/** Prints the request the load sends, from one sample request. */
export function printRequestShape(target: LoadTarget, username: string, relyingParty: string): void {
  const sample = target.buildRequest();
  console.log('Request');
  console.log(`  POST ${target.url.pathname}`);
  console.log(`  Content-Type: ${sample.headers['content-type']}`);
  console.log('  SOAP 1.2, WS-Addressing 1.0, WS-Trust 1.3 Issue, TokenType SAML 2.0, KeyType Bearer,');
  console.log(`  AppliesTo ${relyingParty}; body ${Buffer.byteLength(sample.body)} bytes`);
  console.log(`  wsse:Security: Timestamp and UsernameToken ${username} with PasswordText, no Nonce;`);
  console.log('  a new Timestamp and MessageID for every request');
  console.log('  success: HTTP 200 and a RequestedSecurityToken that contains an Assertion');
}

/** Prints the outcome of a warm-up phase. */
export function printWarmup(level: Level): void {
  const { result } = level;
  const failed = countErrors(result.errors);
  console.log(
    `warm-up ${level.transport} c=${result.concurrency}: ${result.tokens} tokens ` +
      `in ${result.elapsedSeconds.toFixed(1)} s${failed ? `, errors ${failed}` : ''}`,
  );
}

/** Prints the outcome of one measured level. */
export function printLevel(level: Level): void {
  const { result } = level;
  const tls = result.tls ? `; ${result.tls.protocol} ${result.tls.cipher}` : '';
  console.log(
    `${level.transport} c=${result.concurrency}: ${result.tokens} tokens in ` +
      `${result.elapsedSeconds.toFixed(1)} s = ${result.tokensPerSecond.toFixed(0)} tokens/s, ` +
      `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
      `errors ${countErrors(result.errors)}`,
  );
  console.log(
    `  CPU cores busy: server ${formatCores(level.serverCores)}, client ${formatCores(level.clientCores)}; ` +
      `connections ${result.connections}; response ${result.responseBytes} bytes${tls}`,
  );
}

/** Prints the in-process crypto measurements. */
export function printCrypto(seconds: number, { rsa, assertions }: CryptoResults): void {
  console.log(
    `\nIn-process crypto, single-threaded, ${seconds} s each in alternating slices ` +
      `(load average ${formatLoad()}):`,
  );
  console.log(`  RSA-2048 PKCS#1 v1.5 SHA-256, crypto.sign with a KeyObject: ${formatRate(rsa)}`);
  console.log(`  SAML 2.0 assertion, buildSignedAssertion (build + sign):   ${formatRate(assertions)}`);
  console.log(
    `  assertion ${assertions.outputBytes} bytes; ` +
      `assertions/s ÷ RSA signs/s = ${ratio(assertions.perSecond, rsa.perSecond)}`,
  );
}

/**
 * Prints one table of all levels. "per CPU-s" is tokens (or operations) per CPU second of the
 * process doing the work: the server for load levels, this process for the in-process rows.
 */
export function printSummary(levels: Level[], { rsa, assertions }: CryptoResults): void {
  console.log(
    `\nSummary: ratio = tokens/s ÷ ${rsa.perSecond.toFixed(0)} RSA signs/s; ` +
      `CPU ratio = per CPU-s ÷ ${rsa.perCpuSecond.toFixed(0)} RSA signs per CPU-s; ` +
      'server, client = CPU cores busy',
  );
  const header = ['run', 'concurrency', 'tokens/s', 'p50 ms', 'p99 ms', 'errors', 'server', 'client'];
  header.push('per CPU-s', 'ratio', 'CPU ratio');
  const rows = levels.map(({ transport, result, serverCores, clientCores }) => {
    const perCpuSecond = result.tokensPerSecond / serverCores;
    return [
      transport,
      String(result.concurrency),
      result.tokensPerSecond.toFixed(0),
      result.p50Ms.toFixed(2),
      result.p99Ms.toFixed(2),
      String(countErrors(result.errors)),
      formatCores(serverCores),
      formatCores(clientCores),
      Number.isNaN(perCpuSecond) ? 'n/a' : perCpuSecond.toFixed(0),
      ratio(result.tokensPerSecond, rsa.perSecond),
      Number.isNaN(perCpuSecond) ? 'n/a' : ratio(perCpuSecond, rsa.perCpuSecond),
    ];
  });
  rows.push(inProcessRow('in-process', assertions, rsa), inProcessRow('raw RSA', rsa, rsa));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  for (const row of [header, ...rows]) {
    // The first column is left-aligned text, the others right-aligned numbers.
    const cells = row.map((cell, column) =>
      column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
    );
    console.log(`  ${cells.join('  ')}`);
  }
}

function inProcessRow(name: string, measured: RateResult, rsa: RateResult): string[] {
  return [
    name,
    '1',
    measured.perSecond.toFixed(0),
    ...['', '', '', '', ''],
    measured.perCpuSecond.toFixed(0),
    ratio(measured.perSecond, rsa.perSecond),
    ratio(measured.perCpuSecond, rsa.perCpuSecond),
  ];
}

/** Prints every failed request of the run and returns the exit code: 1 when any request failed. */
export function printErrors(failures: Array<Map<string, number>>): number {
  const all = new Map<string, number>();
  for (const errors of failures) {
    for (const [description, count] of errors) all.set(description, (all.get(description) ?? 0) + count);
  }
  if (all.size === 0) {
    console.log('\nErrors: none (every response was HTTP 200 with a token)');
    return 0;
  }
  console.log('\nErrors (count, description):');
  for (const [description, count] of all) console.log(`  ${count}  ${description}`);
  return 1;
}

/** Prints the number of server log lines at warn level or above, and the first five of them. */
export function printServerProblems(output: string[]): void {
  const problems = output.filter((line) => {
    try {
      return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 40;
    } catch {
      return false;
    }
  });
  if (problems.length === 0) return;
  console.log(`\nServer log: ${problems.length} warnings and errors; the first ones:`);
  for (const line of problems.slice(0, 5)) console.log(`  ${line}`);
}

function modulusBits(certificatePem: string): string {
  return String(new X509Certificate(certificatePem).publicKey.asymmetricKeyDetails?.modulusLength ?? '?');
}

function countErrors(errors: Map<string, number>): number {
  let total = 0;
  for (const count of errors.values()) total += count;
  return total;
}

function formatCores(cores: number): string {
  return Number.isNaN(cores) ? 'n/a' : cores.toFixed(2);
}

function formatLoad(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function formatRate(result: RateResult): string {
  return (
    `${result.perSecond.toFixed(0)}/s (${result.operations} in ${result.seconds.toFixed(1)} s), ` +
    `${result.perCpuSecond.toFixed(0)} per CPU second`
  );
}

function ratio(value: number, base: number): string {
  return (value / base).toFixed(2);
}
