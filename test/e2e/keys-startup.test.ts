import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { createCertificateWithDates } from '../helpers/certificates.js';
import { requireTool } from '../helpers/verifiers.js';
import { ADMIN_PASSWORD, runCli, seedDataDirectory } from './harness.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/sts.js');

/** A pino line of the server log. */
interface LogLine {
  level: number;
  msg: string;
  alias?: string;
  kind?: string;
  status?: string;
  notAfter?: string;
}

const PINO_WARN = 40;

/**
 * Starts `sts serve` on an existing data directory and resolves with every log line written up
 * to "sts started". The harness's startServer always creates a new data directory, and this
 * test needs certificates in the store before the first start.
 */
function serveUntilStarted(dataDir: string, child: { process?: ChildProcess }): Promise<LogLine[]> {
  const server = spawn(
    process.execPath,
    [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'],
    {
      env: { ...process.env, STS_ADMIN_PASSWORD: ADMIN_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.process = server;
  return new Promise((resolve, reject) => {
    const lines: LogLine[] = [];
    const raw: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${raw.join('\n')}`)),
      30_000,
    );
    const onLine = (text: string) => {
      raw.push(text);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      lines.push(line);
      if (line.msg === 'sts started') {
        clearTimeout(timer);
        resolve(lines);
      }
    };
    createInterface({ input: server.stdout! }).on('line', onLine);
    createInterface({ input: server.stderr! }).on('line', onLine);
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code}:\n${raw.join('\n')}`));
    });
  });
}

describe('serve start-up', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sts-keys-startup-'));
  const dataDir = path.join(dir, 'data');
  const child: { process?: ChildProcess } = {};

  after(async () => {
    const server = child.process;
    if (server && server.exitCode === null) {
      await new Promise((resolve) => {
        server.once('exit', resolve);
        server.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('warns about expired certificate', async (t) => {
    if (!requireTool(t, 'openssl')) return;
    createCertificateWithDates(dir, 'old', {
      startDate: '20200101000000Z',
      endDate: '20210101000000Z',
    });
    // Admin commands need an existing store, which the first "sts serve" would otherwise create.
    await seedDataDirectory(dataDir, {});
    const imported = await runCli([
      'keys',
      'import',
      '--alias',
      'old-partner',
      path.join(dir, 'old.pem'),
      '--data-dir',
      dataDir,
    ]);
    assert.equal(imported.code, 0, imported.stderr);

    const lines = await serveUntilStarted(dataDir, child);
    const warnings = lines.filter(
      (line) => line.level === PINO_WARN && line.alias === 'old-partner',
    );
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].status, 'expired');
    assert.equal(warnings[0].kind, 'trusted');
    assert.equal(warnings[0].notAfter, '2021-01-01T00:00:00.000Z');
    assert.equal(
      warnings[0].msg,
      'certificate of trusted key alias old-partner expired on 2021-01-01T00:00:00.000Z',
    );
    const otherWarnings = lines.filter(
      (line) => line.level === PINO_WARN && line.alias !== 'old-partner',
    );
    assert.deepEqual(otherWarnings, []);
  });
});
