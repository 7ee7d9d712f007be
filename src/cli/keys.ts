import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  KeyManager,
  type CertificateWarning,
  type KeyEntryDescription,
} from '../crypto/key-manager.js';
import {
  detectFormat,
  KeyMaterialError,
  readKeyMaterial,
  type KeyMaterialEntry,
  type KeyMaterialFormat,
} from '../crypto/keystore-formats.js';
import { UsageError } from '../errors/index.js';
import { withStore } from './admin-store.js';
import { dataDirOption } from './main.js';
import { readSecret, type SecretSourceOptions } from './secret-input.js';

interface DataDirOptions {
  dataDir: string;
}

interface ImportOptions extends DataDirOptions, SecretSourceOptions {
  alias: string;
  format?: string;
  signing?: boolean;
  activate?: boolean;
  sourceAlias?: string;
  keyPasswordFile?: string;
  keyPasswordEnv?: string;
  force?: boolean;
}

const FORMATS: readonly KeyMaterialFormat[] = ['pem', 'der', 'pkcs12', 'jks'];

const PASSWORD_HINT = 'give it with --password-stdin, --password-file FILE or --password-env VAR';

/** Registers `sts keys` and its sub-commands. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('token-signing keys and trusted certificates');
  keys
    .command('cert')
    .description('print the active token-signing certificate in PEM, for relying parties')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      const active = (await withStore(options.dataDir, (store) => store.listKeyEntries())).find(
        (entry) => entry.kind === 'signing' && entry.active,
      );
      if (!active) {
        process.stderr.write(
          'sts keys cert: no signing key yet; start the server once with "sts serve" to generate it\n',
        );
        process.exitCode = 1;
        return;
      }
      process.stdout.write(active.certificatePem);
    });

  registerImportCommand(keys);

  keys
    .command('list')
    .description('list signing keys and trusted certificates with validity and SHA-256 fingerprint')
    .option('--json', 'print JSON')
    .addOption(dataDirOption())
    .action(async (options: DataDirOptions & { json?: boolean }) => {
      const now = new Date();
      const { entries, warnings } = await withStore(options.dataDir, async (store, dataDir) => {
        const manager = new KeyManager(store, dataDir);
        return {
          entries: await manager.describeEntries(now),
          warnings: await manager.certificateWarnings(now),
        };
      });
      process.stdout.write(
        options.json ? JSON.stringify(entries, null, 2) + '\n' : formatEntries(entries),
      );
      printWarnings(warnings);
    });

  keys
    .command('export <alias>')
    .description('print the certificate of an alias in PEM (never its private key)')
    .option('--out <file>', 'write the PEM to this file instead of standard output')
    .option('--chain', 'append the stored chain certificates')
    .addOption(dataDirOption())
    .action(async (alias: string, options: DataDirOptions & { out?: string; chain?: boolean }) => {
      const pem = await withStore(options.dataDir, (store, dataDir) =>
        new KeyManager(store, dataDir).exportCertificate(alias, Boolean(options.chain)),
      );
      if (options.out === undefined) {
        process.stdout.write(pem);
        return;
      }
      writeFileSync(options.out, pem, { mode: 0o644 });
      process.stderr.write(`wrote the certificate of ${alias} to ${options.out}\n`);
    });

  keys
    .command('remove <alias>')
    .description('remove an alias and delete its private key file (not the active signing key)')
    .option('--force', 'remove it even when relying parties name it as their certAlias')
    .addOption(dataDirOption())
    .action(async (alias: string, options: DataDirOptions & { force?: boolean }) => {
      const removed = await withStore(options.dataDir, (store, dataDir) =>
        new KeyManager(store, dataDir).remove(alias, Boolean(options.force)),
      );
      const keyNote = removed.privateKeyFile ? ' and deleted its private key file' : '';
      process.stderr.write(`removed ${removed.kind} key alias ${alias}${keyNote}\n`);
    });

  keys
    .command('activate <alias>')
    .description('make a signing key the active one; running servers switch on their next request')
    .addOption(dataDirOption())
    .action(async (alias: string, options: DataDirOptions) => {
      const result = await withStore(options.dataDir, (store, dataDir) =>
        new KeyManager(store, dataDir).activate(alias),
      );
      process.stderr.write(
        result.alreadyActive
          ? `signing key ${alias} is active already\n`
          : `activated signing key ${alias}; running servers sign with it from their next request\n`,
      );
    });
}

function registerImportCommand(keys: Command): void {
  keys
    .command('import <file>')
    .description('import certificates and keys from PEM, DER, PKCS#12 or JKS')
    .requiredOption(
      '--alias <alias>',
      'alias of the entry, or prefix ALIAS-<source alias> when the file has several',
    )
    .option('--format <format>', 'pem, der, pkcs12 or jks (default: detected from the content)')
    .option(
      '--signing',
      'import key entries as signing keys; fail for entries without a private key',
    )
    .option('--activate', 'make the imported signing key the active one')
    .option(
      '--source-alias <name>',
      'import only this entry of a JKS or PKCS#12 file (alias or friendlyName)',
    )
    .option('--password-stdin', 'read the key store password from the first line of standard input')
    .option('--password-file <file>', 'read the key store password from the first line of a file')
    .option('--password-env <var>', 'read the key store password from an environment variable')
    .option(
      '--key-password-file <file>',
      'read the private key password, when it differs, from a file',
    )
    .option(
      '--key-password-env <var>',
      'read the private key password, when it differs, from a variable',
    )
    .option('--force', 'replace entries whose alias exists already')
    .addOption(dataDirOption())
    .action(async (file: string, options: ImportOptions) => {
      const material = await readMaterial(file, options);
      const { imported, warnings } = await withStore(options.dataDir, async (store, dataDir) => {
        const manager = new KeyManager(store, dataDir);
        const entries = await manager.importEntries(material, {
          alias: options.alias,
          sourceAlias: options.sourceAlias,
          signing: options.signing,
          activate: options.activate,
          force: options.force,
          sourceName: path.basename(file),
        });
        const aliases = new Set(entries.map((entry) => entry.alias));
        const all = await manager.certificateWarnings();
        return { imported: entries, warnings: all.filter((warning) => aliases.has(warning.alias)) };
      });
      for (const entry of imported) {
        const from = entry.sourceAlias === undefined ? '' : ` from ${entry.sourceAlias}`;
        const kind =
          entry.kind === 'signing'
            ? `signing key${entry.active ? ' (active)' : ''}`
            : 'trusted certificate';
        const verb = entry.replaced ? 'replaced' : 'imported';
        process.stderr.write(
          `${verb} ${entry.alias}${from} as ${kind}, SHA-256 ${entry.sha256Fingerprint}\n`,
        );
      }
      printWarnings(warnings);
    });
}

/**
 * Reads and parses the file. A password is read when a source option is given, or when the
 * format needs one and standard input is a terminal that can prompt.
 */
async function readMaterial(file: string, options: ImportOptions): Promise<KeyMaterialEntry[]> {
  const format = parseFormat(options.format);
  const data = readInputFile(file);
  const fileName = path.basename(file);
  let resolvedFormat: KeyMaterialFormat;
  try {
    resolvedFormat = format ?? detectFormat(data, fileName);
  } catch (error) {
    throw materialError(fileName, error, false);
  }

  const passwordGiven = Boolean(
    options.passwordStdin || options.passwordFile || options.passwordEnv,
  );
  const needsPassword =
    resolvedFormat === 'jks' ||
    resolvedFormat === 'pkcs12' ||
    (resolvedFormat === 'pem' && data.toString('latin1').includes('ENCRYPTED'));
  if (options.passwordFile) requireReadable(options.passwordFile, '--password-file');
  const password =
    passwordGiven || (needsPassword && process.stdin.isTTY)
      ? await readSecret(options, `Password of ${fileName}: `)
      : undefined;
  const keyPassword = await readKeyPassword(options);

  try {
    return readKeyMaterial(data, { format, password, keyPassword, fileName });
  } catch (error) {
    throw materialError(fileName, error, password === undefined);
  }
}

/** Reads the separate private key password through the same reader as the store password. */
async function readKeyPassword(options: ImportOptions): Promise<string | undefined> {
  if (options.keyPasswordFile && options.keyPasswordEnv) {
    throw new UsageError('use only one of --key-password-file and --key-password-env');
  }
  if (options.keyPasswordFile) {
    requireReadable(options.keyPasswordFile, '--key-password-file');
    return readSecret({ passwordFile: options.keyPasswordFile }, '');
  }
  if (options.keyPasswordEnv) {
    const value = process.env[options.keyPasswordEnv];
    if (value === undefined || value === '') {
      throw new UsageError(
        `--key-password-env: environment variable ${options.keyPasswordEnv} is not set`,
      );
    }
    return value;
  }
  return undefined;
}

function parseFormat(value: string | undefined): KeyMaterialFormat | undefined {
  if (value === undefined) return undefined;
  const format = value.toLowerCase() as KeyMaterialFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format: unknown format "${value}"; use pem, der, pkcs12 or jks`);
  }
  return format;
}

function readInputFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(fileErrorMessage(file, error));
  }
}

function requireReadable(file: string, option: string): void {
  try {
    readFileSync(file);
  } catch (error) {
    throw new UsageError(`${option}: ${fileErrorMessage(file, error)}`);
  }
}

function fileErrorMessage(file: string, error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return `file not found: ${file}`;
    case 'EISDIR':
      return `${file} is a directory, not a file`;
    case 'EACCES':
      return `cannot read ${file}: permission denied`;
    default:
      return `cannot read ${file}: ${(error as Error).message}`;
  }
}

/** Turns a parse failure into a usage error that names the file, with a password hint if useful. */
function materialError(fileName: string, error: unknown, noPasswordGiven: boolean): unknown {
  if (!(error instanceof KeyMaterialError)) return error;
  const hint = noPasswordGiven && /password/i.test(error.message) ? `; ${PASSWORD_HINT}` : '';
  return new UsageError(`cannot read ${fileName}: ${error.message}${hint}`);
}

function formatEntries(entries: KeyEntryDescription[]): string {
  if (entries.length === 0) return 'no key entries\n';
  return entries
    .map((entry) => {
      const flags = [entry.kind, ...(entry.active ? ['active'] : [])].join(', ');
      const chain =
        entry.chainLength > 0 ? `\n  chain:       ${entry.chainLength} certificate(s)` : '';
      return (
        `${entry.alias} (${flags})\n` +
        `  subject:     ${entry.subject}\n` +
        `  issuer:      ${entry.issuer}\n` +
        `  not before:  ${entry.notBefore.toISOString()}\n` +
        `  not after:   ${entry.notAfter.toISOString()}\n` +
        `  status:      ${entry.status}\n` +
        `  serial:      ${entry.serialNumber}\n` +
        `  sha256:      ${entry.sha256Fingerprint}${chain}\n`
      );
    })
    .join('\n');
}

/** Prints one `warning:` line on standard error per expired, expiring or not yet valid certificate. */
function printWarnings(warnings: CertificateWarning[]): void {
  for (const warning of warnings) process.stderr.write(`warning: ${warning.message}\n`);
}
