import type { Command } from 'commander';
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
      import('../crypto/key-manager.js'),
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
  const store = await openDataDirectory(dataDir);
  const first = await bootstrap(store, dataDir, config, logger);
  if (first.generatedAdminPassword) {
    // Printed once on the terminal, never logged: the log may be shipped elsewhere.
    process.stderr.write(
      `\nCreated user "admin" with a generated password (shown only now): ${first.generatedAdminPassword}\n` +
        'Set STS_ADMIN_PASSWORD before the first start to choose it instead.\n\n',
    );
  }
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
  const httpsAddress = await listen(https, config.server.port, config.server.host, 'server.port (--port)');
  logger.info({ address: httpsAddress, tlsCertFile: tls.certFile }, 'HTTPS listener started');
  const listeners = [https];
  if (config.server.httpPort !== undefined) {
    const http = buildApp(runtime, {});
    const httpAddress = await listen(http, config.server.httpPort, config.server.httpHost, 'server.httpPort (--http-port)');
    logger.info({ address: httpAddress }, 'HTTP listener started');
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
): Promise<string> {
  try {
    return await app.listen({ port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`${setting}: port ${port} on ${host} is already in use; choose another port`);
    if (code === 'EACCES') throw new UsageError(`${setting}: no permission to listen on port ${port}; use a port above 1023`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`${setting}: address ${host} is not available on this machine; check --host or --http-host`);
    }
    throw error;
  }
}

function parsePort(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${option}: ${value} is not a port number (0-65535)`);
  }
  return port;
}
