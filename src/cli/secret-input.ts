import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors/index.js';

/** Secret sources of a command; never a command-line value, which `ps` would show. */
export interface SecretSourceOptions {
  passwordStdin?: boolean;
  passwordFile?: string;
  passwordEnv?: string;
}

/**
 * Reads a secret from standard input (first line), a file (first line), an environment
 * variable, or an interactive prompt with echo off, in that order of preference.
 */
export async function readSecret(options: SecretSourceOptions, prompt: string): Promise<string> {
  const sources = [options.passwordStdin, options.passwordFile, options.passwordEnv].filter(Boolean).length;
  if (sources > 1) throw new UsageError('use only one of --password-stdin, --password-file and --password-env');
  if (options.passwordStdin) return firstLine(await readAll(process.stdin), 'standard input');
  if (options.passwordFile) return firstLine(readFile(options.passwordFile), options.passwordFile);
  if (options.passwordEnv) {
    const value = process.env[options.passwordEnv];
    if (value === undefined || value === '') {
      throw new UsageError(`--password-env: environment variable ${options.passwordEnv} is not set`);
    }
    return value;
  }
  if (!process.stdin.isTTY) {
    throw new UsageError('no password given: use --password-stdin, --password-file FILE or --password-env VAR');
  }
  return promptHidden(prompt);
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--password-file: cannot read ${file} (${code ?? 'error'}); check the path and its permissions`);
  }
}

function firstLine(text: string, source: string): string {
  const line = text.split(/\r?\n/)[0];
  if (!line) throw new UsageError(`no password found in ${source}`);
  return line;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    process.stderr.write(prompt);
    output._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
