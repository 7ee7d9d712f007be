import type { Command } from 'commander';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import { dataDirOption } from './main.js';

interface ServeOptions {
  dataDir: string;
  port?: string;
  host?: string;
  httpPort?: string;
  httpHost?: string;
}

/** Registers `sts serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the STS (HTTPS on port 9443 by default)')
    .addOption(dataDirOption())
    .option('--port <n>', 'HTTPS port (default 9443)')
    .option('--host <addr>', 'address of the HTTPS listener (default 0.0.0.0)')
    .option('--http-port <n>', 'also listen on plain HTTP on this port (loopback unless --http-host is given)')
    .option('--http-host <addr>', 'address of the plain-HTTP listener (default 127.0.0.1)')
    .action(async (options: ServeOptions) => serve(options));
}

async function serve(options: ServeOptions): Promise<void> {
  // The server modules load only for this command, which keeps the admin commands quick to start.
  const [{ ensureTlsCertificate }, { createLogger }, { buildApp }, { bootstrap }, { openDataDirectory, StsRuntime }] =
    await Promise.all([
      import('../crypto/tls-certificate.js'),
      import('../log/index.js'),
      import('../server/app.js'),
      import('../server/bootstrap.js'),
      import('../server/runtime.js'),
    ]);
  const dataDir = path.resolve(options.dataDir);
  const config = loadConfig(dataDir, {
    server: {
      port: parsePort(options.port, '--port'),
      host: options.host,
      httpPort: parsePort(options.httpPort, '--http-port'),
      httpHost: options.httpHost,
    },
    // STS_LOG_LEVEL overrides log.level from sts.yaml and is validated with it.
    log: { level: process.env.STS_LOG_LEVEL || undefined },
  });
  const logger = createLogger({ level: config.log.level });
  checkDataDirectory(dataDir, logger);
  if (config.server.tlsCertFile) checkTlsFiles(config.server.tlsCertFile, config.server.tlsKeyFile!);
  const store = await openDataDirectory(dataDir);
  const first = await bootstrap(store, dataDir, config, logger);
  if (first.generatedAdminPassword) announceAdminPassword(dataDir, first.generatedAdminPassword, logger);
  const runtime = new StsRuntime(config, store, dataDir, logger);
  await runtime.snapshot();
  for (const warning of await runtime.keys.certificateWarnings()) {
    const { alias, kind, active, status, notAfter } = warning;
    logger.warn({ alias, kind, active, status, notAfter: notAfter.toISOString() }, warning.message);
  }

  const tls = config.server.tlsCertFile
    ? { certFile: config.server.tlsCertFile, keyFile: config.server.tlsKeyFile!, generated: false }
    : ensureTlsCertificate(dataDir);
  if (tls.generated) logger.info({ certFile: tls.certFile }, 'generated TLS certificate');

  const https = buildApp(runtime, { tls });
  const httpsAddress = await listen(https, config.server.port, config.server.host, 'server.port (--port)', 'server.host (--host)');
  logger.info(
    { address: httpsAddress, host: config.server.host, port: portOf(httpsAddress), tlsCertFile: tls.certFile },
    'HTTPS listener started',
  );
  const listeners = [https];
  if (config.server.httpPort !== undefined) {
    const http = buildApp(runtime, {});
    const httpAddress = await listen(
      http,
      config.server.httpPort,
      config.server.httpHost,
      'server.httpPort (--http-port)',
      'server.httpHost (--http-host)',
    );
    logger.info({ address: httpAddress, host: config.server.httpHost, port: portOf(httpAddress) }, 'HTTP listener started');
    listeners.push(http);
  }
  logger.info({ dataDir, issuer: config.sts.issuerName }, 'sts started');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'sts stopping');
    await Promise.allSettled(listeners.map((listener) => listener.close()));
    await store.close();
    logger.info('sts stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** Starts a listener, turning the usual socket errors into a message that names the setting. */
async function listen(
  app: { listen(options: { port: number; host: string }): Promise<string> },
  port: number,
  host: string,
  setting: string,
  hostSetting: string,
): Promise<string> {
  try {
    return await app.listen({ port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`${setting}: port ${port} on ${host} is already in use; choose another port`);
    if (code === 'EACCES') throw new UsageError(`${setting}: no permission to listen on port ${port}; use a port above 1023`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`${hostSetting}: address ${host} is not available on this machine; use one of its addresses`);
    }
    throw error;
  }
}

function portOf(address: string): number {
  return Number(/:(\d+)$/.exec(address)?.[1] ?? 0);
}

/**
 * Checks that the data directory is a directory (or can be created) and warns when other users
 * may read it, because it contains the key directory and the database with password hashes.
 */
function checkDataDirectory(dataDir: string, logger: { warn(fields: object, message: string): void }): void {
  if (!existsSync(dataDir)) return;
  const stat = statSync(dataDir);
  if (!stat.isDirectory()) {
    throw new UsageError(`--data-dir: ${dataDir} is a file, not a directory; choose a directory path`);
  }
  if ((stat.mode & 0o077) !== 0) {
    logger.warn(
      { dataDir, mode: (stat.mode & 0o777).toString(8) },
      'data directory is accessible to other users; restrict it with chmod 700',
    );
  }
}

/** Reads the configured TLS files once so that a wrong path or pair fails with a clear message. */
function checkTlsFiles(certFile: string, keyFile: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(readFileSync(certFile));
  } catch (error) {
    throw new UsageError(`server.tlsCertFile: cannot read a PEM certificate from ${certFile} (${reason(error)})`);
  }
  let key;
  try {
    key = createPrivateKey(readFileSync(keyFile));
  } catch (error) {
    throw new UsageError(`server.tlsKeyFile: cannot read a PEM private key from ${keyFile} (${reason(error)})`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new UsageError('server.tlsCertFile and server.tlsKeyFile: the private key does not belong to the certificate');
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES') return 'permission denied';
  return 'not valid PEM';
}

/**
 * Shows the operator the generated admin password once. On a terminal it is printed. When output
 * goes to a log, it is written to a file only the owner can read, and the log names the file.
 */
function announceAdminPassword(
  dataDir: string,
  password: string,
  logger: { warn(fields: object, message: string): void },
): void {
  if (process.stderr.isTTY) {
    process.stderr.write(
      `\nCreated user "admin" with a generated password (shown only now): ${password}\n` +
        'Set STS_ADMIN_PASSWORD before the first start to choose it instead.\n\n',
    );
    return;
  }
  const directory = path.join(dataDir, 'secrets');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = path.join(directory, 'admin-password');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  logger.warn({ file }, 'created user admin with a generated password, written to this file; store it safely, then delete the file');
}

function parsePort(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${option}: ${value} is not a port number (0-65535)`);
  }
  return port;
}
