import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DigestSecretBox, hashPassword } from '../../src/identity/index.js';
import { openDataDirectory } from '../../src/server/runtime.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/sts.js');

/** Password of the admin user the harness creates on first start. */
export const ADMIN_PASSWORD = 'Admin-Secret-01';

/** A user to create before the server starts. */
export interface SeedUser {
  name: string;
  password: string;
  roles?: string[];
  /** Store the password recoverably so PasswordDigest works for this user. */
  digest?: boolean;
  claims?: Record<string, string[]>;
}

/** A relying party to register before the server starts (the stored JSON form). */
export interface SeedRelyingParty {
  name: string;
  config: Record<string, unknown>;
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  users?: SeedUser[];
  relyingParties?: SeedRelyingParty[];
  /** Written to DATA_DIR/sts.yaml before start. */
  configYaml?: string;
  env?: Record<string, string>;
}

/** A running STS process with its data directory. */
export interface RunningServer {
  dataDir: string;
  httpUrl: string;
  httpsUrl: string;
  /** Path of the generated TLS certificate, to trust in HTTPS clients. */
  tlsCertFile: string;
  /** Active token-signing certificate (PEM), as `sts keys cert` prints it. */
  signingCertPem: string;
  /** Every line the server wrote to stdout and stderr so far. */
  output: string[];
  /** Runs the `sts` CLI against this data directory (without adding --data-dir). */
  cli(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliResult>;
  stop(): Promise<void>;
}

/** Exit code and output of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/sts.js ARGS` and collects its output. */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/** Creates users and relying parties in a fresh data directory, as an administrator would. */
export async function seedDataDirectory(dataDir: string, options: ServerOptions): Promise<void> {
  const store = await openDataDirectory(dataDir);
  const secrets = DigestSecretBox.open(dataDir);
  for (const user of options.users ?? []) {
    await store.createUser({
      name: user.name,
      passwordHash: await hashPassword(user.password),
      digestSecret: user.digest ? secrets.seal(user.password) : null,
    });
    for (const role of user.roles ?? []) {
      await store.addRole(role);
      await store.addUserRole(user.name, role);
    }
    for (const [uri, values] of Object.entries(user.claims ?? {})) await store.setUserClaim(user.name, uri, values);
  }
  for (const party of options.relyingParties ?? []) await store.putRelyingParty(party.name, party.config);
  await store.close();
}

/**
 * Starts `sts serve` on free ports (HTTPS and loopback HTTP) with a new data directory and
 * waits until both listeners are up.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sts-e2e-'));
  await seedDataDirectory(dataDir, options);
  if (options.configYaml) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dataDir, 'sts.yaml'), options.configYaml);
  }
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--http-port', '0'],
    { cwd: ROOT, env: { ...process.env, STS_ADMIN_PASSWORD: ADMIN_PASSWORD, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const addresses = await waitForListeners(child, output);
  const server: RunningServer = {
    dataDir,
    httpUrl: addresses.http,
    httpsUrl: addresses.https,
    tlsCertFile: path.join(dataDir, 'tls/cert.pem'),
    signingCertPem: '',
    output,
    cli: (args, cliOptions) => runCli([...args, '--data-dir', dataDir], cliOptions),
    stop: () => stopChild(child, dataDir),
  };
  const cert = await runCli(['keys', 'cert', '--data-dir', dataDir]);
  server.signingCertPem = cert.stdout;
  return server;
}

function waitForListeners(child: ChildProcess, output: string[]): Promise<{ http: string; https: string }> {
  return new Promise((resolve, reject) => {
    const found: { http?: string; https?: string } = {};
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('\n')}`)), 30_000);
    const onLine = (line: string) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'HTTPS listener started') found.https = entry.address;
        if (entry.msg === 'HTTP listener started') found.http = entry.address;
        if (entry.msg === 'sts started' && found.https && found.http) {
          clearTimeout(timer);
          resolve({ http: found.http, https: found.https.replace('127.0.0.1', 'localhost') });
        }
      } catch {
        // Lines that are not JSON (the generated-password notice) are kept in the output only.
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code}:\n${output.join('\n')}`));
    });
  });
}

function stopChild(child: ChildProcess, dataDir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      rmSync(dataDir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
}

/** Response of {@link postSoap}. */
export interface SoapResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Posts a SOAP message. The media type follows the envelope namespace unless `contentType` is
 * given; HTTPS URLs trust `caFile`.
 */
export async function postSoap(
  url: string,
  body: string,
  options: { contentType?: string; soapAction?: string; headers?: Record<string, string>; caFile?: string } = {},
): Promise<SoapResponse> {
  const soap12 = body.includes('http://www.w3.org/2003/05/soap-envelope');
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? (soap12 ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8'),
    ...options.headers,
  };
  if (options.soapAction !== undefined) headers.soapaction = options.soapAction;
  const { request } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers, ca: options.caFile ? readFileSync(options.caFile) : undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** True when the response carries no token at all: no RequestedSecurityToken and no assertion. */
export function hasNoToken(body: string): boolean {
  return !/RequestedSecurityToken|:Assertion[\s>]|<Assertion[\s>]|EncryptedAssertion/.test(body);
}
