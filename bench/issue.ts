// Token issuance benchmark. `npm run bench -- --help` lists the options, and
// docs/benchmarks.md describes the method and one recorded run.
import { readFileSync } from 'node:fs';
import { buildIssueRequest, TokenTypes } from '../src/trust/index.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../test/e2e/harness.js';
import { childCpuClock, clientCpuClock, type CpuClock } from './cpu.js';
import { createSigningCredential, measureCrypto } from './crypto.js';
import { runLoad, sendOnce, type LoadTarget } from './load.js';
import { readOptions, USAGE, type BenchOptions } from './options.js';
import {
  printCrypto,
  printErrors,
  printLevel,
  printMachine,
  printRequestShape,
  printServer,
  printServerProblems,
  printSummary,
  printWarmup,
  type Level,
} from './report.js';

const RELYING_PARTY = 'https://rp.bench.test/';
const ENDPOINT_PATH = '/services/wso2carbon-sts';
const USERNAME = 'admin';
const TOKEN_PATTERN = /<(?:\w+:)?RequestedSecurityToken><(?:\w+:)?Assertion[\s>]/;

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\nRun "npm run bench -- --help" to list the options.`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  // The run measures the default configuration, so a configuration file named in the
  // caller's environment must not reach the server.
  delete process.env.STS_CONFIG;
  printMachine(options);

  const failures: Array<Map<string, number>> = [];
  const server = await startServer({
    relyingParties: [{ name: 'bench', config: { endpoint: RELYING_PARTY } }],
  });
  let levels: Level[];
  try {
    levels = await runLoadPhases(server, options, failures);
  } finally {
    await server.stop();
  }
  printServerProblems(server.output);

  // Measured after the server has stopped, so no process of this run competes for the CPU.
  const crypto = measureCrypto(createSigningCredential(), RELYING_PARTY, options.cryptoSeconds);
  printCrypto(options.cryptoSeconds, crypto);

  printSummary(levels, crypto);
  return printErrors(failures);
}

/**
 * Sends one request alone, warms up, then measures each plain-HTTP level and the HTTPS level.
 * Failed requests of every phase are added to `failures`.
 */
async function runLoadPhases(
  server: RunningServer,
  options: BenchOptions,
  failures: Array<Map<string, number>>,
): Promise<Level[]> {
  const serverCpu = childCpuClock(server.dataDir);
  const measure = async (target: LoadTarget, concurrency: number, seconds: number) => {
    const level = await measureLevel(target, concurrency, seconds, serverCpu);
    failures.push(level.result.errors);
    return level;
  };
  printServer(server, RELYING_PARTY);
  const httpTarget = createTarget(new URL(ENDPOINT_PATH, server.httpUrl));
  printRequestShape(httpTarget, USERNAME, RELYING_PARTY);

  // The first login runs scrypt. Sent alone, it fills the password cache before the warm-up,
  // whose concurrent requests would otherwise all miss the empty cache and run scrypt each.
  const first = await sendOnce(httpTarget);
  if (first.problem) failures.push(new Map([[first.problem, 1]]));
  const outcome = first.problem ? `failed: ${first.problem}` : 'token';
  console.log(`\nfirst request (scrypt password check): ${first.latencyMs.toFixed(1)} ms, ${outcome}`);

  const levels: Level[] = [];
  const maxConcurrency = Math.max(...options.concurrency);
  printWarmup(await measure(httpTarget, maxConcurrency, options.warmupSeconds));
  for (const concurrency of options.concurrency) {
    levels.push(await measure(httpTarget, concurrency, options.durationSeconds));
    printLevel(levels[levels.length - 1]);
  }

  if (options.httpsConcurrency > 0) {
    // The generated certificate also names 127.0.0.1, so the client needs no name lookup.
    const httpsUrl = server.httpsUrl.replace('//localhost:', '//127.0.0.1:');
    const ca = readFileSync(server.tlsCertFile);
    const httpsTarget = createTarget(new URL(ENDPOINT_PATH, httpsUrl), ca);
    printWarmup(await measure(httpsTarget, options.httpsConcurrency, options.warmupSeconds));
    levels.push(await measure(httpsTarget, options.httpsConcurrency, options.durationSeconds));
    printLevel(levels[levels.length - 1]);
  }
  return levels;
}

/** Runs one load level and reads the CPU time that client and server spent on it. */
async function measureLevel(
  target: LoadTarget,
  concurrency: number,
  seconds: number,
  serverCpu: CpuClock | undefined,
): Promise<Level> {
  const clientBefore = clientCpuClock();
  const serverBefore = serverCpu?.() ?? Number.NaN;
  const result = await runLoad(target, concurrency, seconds);
  const serverAfter = serverCpu?.() ?? Number.NaN;
  return {
    transport: target.url.protocol === 'https:' ? 'HTTPS' : 'HTTP',
    result,
    clientCores: (clientCpuClock() - clientBefore) / result.elapsedSeconds,
    serverCores: (serverAfter - serverBefore) / result.elapsedSeconds,
  };
}

/** Builds SOAP 1.2, WS-Trust 1.3 Issue requests with a fresh Timestamp and MessageID each. */
function createTarget(url: URL, ca?: Buffer): LoadTarget {
  const endpoint = url.toString();
  return {
    url,
    ca,
    buildRequest: () =>
      buildIssueRequest({
        endpoint,
        username: USERNAME,
        password: ADMIN_PASSWORD,
        digest: false,
        soapVersion: '1.2',
        trustVersion: '1.3',
        tokenType: TokenTypes.saml20Profile,
        appliesTo: RELYING_PARTY,
      }),
    checkResponse: (status, body) => {
      if (status === 200 && TOKEN_PATTERN.test(body)) return undefined;
      return `HTTP ${status}: ${describeFault(body)}`;
    },
  };
}

/** Returns the fault code and reason of a SOAP 1.2 fault, or the start of any other body. */
function describeFault(body: string): string {
  const code = /Subcode>\s*<(?:\w+:)?Value[^>]*>([^<]+)</.exec(body)?.[1];
  const reason = /<(?:\w+:)?Text[^>]*>([^<]+)</.exec(body)?.[1];
  if (code || reason) return `${code ?? 'no fault code'}: ${reason ?? 'no reason'}`;
  return `no token in response: ${body.slice(0, 200).replace(/\s+/g, ' ')}`;
}

process.exitCode = await main();
