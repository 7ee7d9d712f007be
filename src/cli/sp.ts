import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  checkRelyingPartyName,
  CONTENT_ENCRYPTION_ALGORITHMS,
  effectiveRelyingPartyConfig,
  ENDPOINT_MATCHES,
  KEY_TRANSPORT_ALGORITHMS,
  OAEP_DIGESTS,
  parseRegistryFile,
  parseRelyingPartyConfig,
  quoteForMessage,
  SIGNATURE_ALGORITHMS,
  type RelyingPartyEntry,
} from '../config/index.js';
import { ConfigError, UsageError } from '../errors/index.js';
import type { StsStore } from '../store/index.js';
import { listRelyingPartyEntries, loadRelyingPartyRegistry, saveRelyingParties } from '../server/relying-parties.js';
import { checkEncryptionCertificate, DEFAULT_CLAIMS, patternAddressProblem, tokenTypeFromName } from '../trust/index.js';
import { withStore } from './admin-store.js';
import { dataDirOption } from './main.js';

interface DataDirOptions {
  dataDir: string;
}

/** Options of `sp add` and `sp update` that set fields. */
interface FieldOptions extends DataDirOptions {
  description?: string;
  endpoint?: string;
  match?: string;
  audience?: string[];
  certAlias?: string;
  encrypt?: boolean;
  contentEncryption?: string;
  keyTransport?: string;
  oaepDigest?: string;
  tokenType?: string;
  lifetime?: string;
  nameIdFormat?: string;
  subjectClaim?: string;
  claim?: string[];
  claims?: boolean;
  signatureAlgorithm?: string;
}

/** Command-line option of each stored field, so that a problem names both. */
const OPTION_OF_FIELD: Record<string, string> = {
  description: '--description',
  endpoint: '--endpoint',
  match: '--match',
  audiences: '--audience',
  certAlias: '--cert-alias',
  tokenType: '--token-type',
  tokenLifetimeSeconds: '--lifetime',
  nameIdFormat: '--name-id-format',
  subjectClaim: '--subject-claim',
  claims: '--claim',
  signatureAlgorithm: '--signature-algorithm',
  'encryption.enabled': '--encrypt',
  'encryption.content': '--content-encryption',
  'encryption.keyTransport': '--key-transport',
  'encryption.oaepDigest': '--oaep-digest',
};

/** Fields that `sp update --unset` can remove, restoring their default. */
const UNSETTABLE_FIELDS = Object.keys(OPTION_OF_FIELD).filter((field) => field !== 'endpoint' && field !== 'encryption.enabled');

/** Order of fields in `show` and `export` output. */
const FIELD_ORDER = [
  'name',
  'description',
  'endpoint',
  'match',
  'audiences',
  'certAlias',
  'tokenType',
  'tokenLifetimeSeconds',
  'nameIdFormat',
  'subjectClaim',
  'claims',
  'signatureAlgorithm',
  'encryption',
];

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds the options that set relying-party fields. */
function fieldOptions(command: Command): Command {
  return command
    .option('--description <text>', 'free text for administrators')
    .option('--match <kind>', `how the endpoint is compared with AppliesTo: ${ENDPOINT_MATCHES.join(', ')} (default exact)`)
    .option('--audience <uri>', 'additional audience written into AudienceRestriction (repeatable)', collect)
    .option('--cert-alias <alias>', 'trust-store alias of the certificate that tokens are encrypted for')
    .option('--content-encryption <alg>', `${CONTENT_ENCRYPTION_ALGORITHMS.join(', ')} (default aes256-gcm)`)
    .option('--key-transport <alg>', `${KEY_TRANSPORT_ALGORITHMS.join(', ')} (default rsa-oaep-mgf1p)`)
    .option('--oaep-digest <digest>', `OAEP digest of rsa-oaep-mgf1p: ${OAEP_DIGESTS.join(', ')} (default sha1)`)
    .option('--token-type <type>', 'token type when the request names none: saml2, saml11 or a token type URI')
    .option('--lifetime <seconds>', 'token lifetime in seconds (default: sts.tokenLifetimeSeconds)')
    .option('--name-id-format <uri>', 'NameID Format of the subject (default: sts.nameIdFormat)')
    .option('--subject-claim <uri>', 'claim whose first value becomes the subject name (default: the user name)')
    .option('--claim <uri>', 'claim included when the request has no wst:Claims (repeatable; default: the roles and every claim stored for the user)', collect)
    .option('--no-claims', 'include no claims when the request has no wst:Claims')
    .option('--signature-algorithm <alg>', `${SIGNATURE_ALGORITHMS.join(', ')} (default rsa-sha256)`)
    .addOption(dataDirOption());
}

/** Registers `sts sp` and its sub-commands. */
export function registerSpCommands(program: Command): void {
  const sp = program
    .command('sp')
    .description('relying parties (service providers): endpoint, audiences, claims and token encryption');

  fieldOptions(
    sp
      .command('add')
      .description('register a relying party')
      .requiredOption('--name <name>', 'name of the relying party')
      .requiredOption('--endpoint <address>', 'address that AppliesTo must match, or a pattern with --match')
      .option('--encrypt', 'encrypt tokens with the certificate named by --cert-alias'),
  ).action(async (options: FieldOptions & { name: string }) => {
    const nameProblem = checkRelyingPartyName(options.name, '--name');
    if (nameProblem) throw new UsageError(nameProblem);
    await withStore(options.dataDir, async (store) => {
      if (await store.getRelyingParty(options.name)) {
        throw new UsageError(`relying party "${options.name}" already exists; change it with "sts sp update ${options.name}"`);
      }
      await saveOne(store, options.name, applyFieldOptions({}, options));
    });
    process.stderr.write(`added relying party ${options.name}\n`);
  });

  fieldOptions(
    sp
      .command('update <name>')
      .description('change fields of a relying party; lists given here replace the stored lists')
      .option('--endpoint <address>', 'address that AppliesTo must match, or a pattern with --match')
      .option('--encrypt', 'encrypt tokens with the certificate named by --cert-alias')
      .option('--no-encrypt', 'stop encrypting tokens')
      .option('--unset <field>', `restore a field's default (repeatable): ${UNSETTABLE_FIELDS.join(', ')}`, collect),
  ).action(async (name: string, options: FieldOptions & { unset?: string[] }) => {
    await withStore(options.dataDir, async (store) => {
      const record = await store.getRelyingParty(name);
      if (!record) throw new UsageError(`relying party ${quoteForMessage(name)} not found; list them with "sts sp list"`);
      const config = structuredClone(record.config);
      for (const field of options.unset ?? []) unsetField(config, field);
      await saveOne(store, name, applyFieldOptions(config, options));
    });
    process.stderr.write(`updated relying party ${name}\n`);
  });

  sp.command('list')
    .description('list relying parties: name, match, endpoint and encryption')
    .option('--json', 'print JSON')
    .addOption(dataDirOption())
    .action(async (options: DataDirOptions & { json?: boolean }) => {
      const { entries, invalid } = await withStore(options.dataDir, (store) => listRelyingPartyEntries(store));
      if (options.json) {
        process.stdout.write(JSON.stringify(entries.map(orderFields), null, 2) + '\n');
      } else {
        for (const entry of entries) process.stdout.write(formatListLine(entry));
      }
      for (const party of invalid) process.stderr.write(`sts: stored relying party ${party.name} is invalid: ${party.problems.join('; ')}\n`);
    });

  sp.command('show <name>')
    .description('print one relying party with defaults filled in, and its certificate status')
    .option('--format <format>', 'yaml or json', 'yaml')
    .addOption(dataDirOption())
    .action(async (name: string, options: DataDirOptions & { format: string }) => {
      const format = checkFormat(options.format);
      const view = await withStore(options.dataDir, (store) => describeParty(store, name));
      process.stdout.write(format === 'json' ? JSON.stringify(view, null, 2) + '\n' : stringifyYaml(view));
    });

  sp.command('remove <name>')
    .description('remove a relying party; its AppliesTo address gets wst:InvalidScope from the next request on')
    .addOption(dataDirOption())
    .action(async (name: string, options: DataDirOptions) => {
      const removed = await withStore(options.dataDir, (store) => store.deleteRelyingParty(name));
      if (!removed) throw new UsageError(`relying party ${quoteForMessage(name)} not found; list them with "sts sp list"`);
      process.stderr.write(`removed relying party ${name}\n`);
    });

  sp.command('import <file>')
    .description('add or replace the relying parties of a YAML or JSON registry file ("-" reads standard input)')
    .option('--replace', 'also remove every relying party that the file does not list')
    .addOption(dataDirOption())
    .action(async (file: string, options: DataDirOptions & { replace?: boolean }) => {
      const entries = readRegistryFile(file);
      const result = await withStore(options.dataDir, (store) =>
        saveRelyingParties(store, entries, { replaceAll: options.replace, fieldPath: (index) => `relyingParties[${index}]` }),
      );
      printWarnings(result.warnings);
      const summary = result.removed.length ? `, removed ${result.removed.join(', ')}` : '';
      process.stderr.write(`imported ${entries.length} relying parties${summary}\n`);
    });

  sp.command('export')
    .description('print every relying party as a registry file that "sts sp import" reads')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('--out <file>', 'write to this file instead of standard output')
    .addOption(dataDirOption())
    .action(async (options: DataDirOptions & { format: string; out?: string }) => {
      const format = checkFormat(options.format);
      const { entries, invalid } = await withStore(options.dataDir, (store) => listRelyingPartyEntries(store));
      if (invalid.length) {
        throw new ConfigError(invalid.map((party) => `stored relying party ${party.name} is invalid: ${party.problems.join('; ')}`));
      }
      const file = { relyingParties: entries.map(orderFields) };
      const text = format === 'json' ? JSON.stringify(file, null, 2) + '\n' : stringifyYaml(file);
      if (options.out) writeFileSync(options.out, text);
      else process.stdout.write(text);
    });

  sp.command('match <address>')
    .description('print the name of the relying party that an AppliesTo address selects')
    .addOption(dataDirOption())
    .action(async (address: string, options: DataDirOptions) => {
      const registry = await withStore(options.dataDir, (store) => loadRelyingPartyRegistry(store));
      const entry = registry.match(address);
      if (!entry) {
        const problem = patternAddressProblem(address);
        const reason = problem ? `: prefix and wildcard parties never match it, because ${problem}` : '';
        process.stderr.write(`no relying party matches ${quoteForMessage(address)}${reason}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${entry.name}\n`);
    });
}

/** Copies the field options that were given into a stored configuration object. */
function applyFieldOptions(config: Record<string, unknown>, options: FieldOptions): Record<string, unknown> {
  const set = (field: string, value: unknown) => {
    if (value !== undefined) config[field] = value;
  };
  set('description', options.description);
  set('endpoint', options.endpoint);
  set('match', options.match);
  set('audiences', options.audience);
  set('certAlias', options.certAlias);
  set('tokenType', options.tokenType === undefined ? undefined : tokenTypeFromName(options.tokenType));
  set('tokenLifetimeSeconds', options.lifetime === undefined ? undefined : parseSeconds(options.lifetime));
  set('nameIdFormat', options.nameIdFormat);
  set('subjectClaim', options.subjectClaim);
  set('signatureAlgorithm', options.signatureAlgorithm);
  if (options.claim !== undefined && options.claims === false) {
    throw new UsageError('--claim and --no-claims contradict each other; give one of them');
  }
  set('claims', options.claims === false ? [] : options.claim);

  const encryption = { ...((config.encryption as Record<string, unknown> | undefined) ?? {}) };
  const setEncryption = (field: string, value: unknown) => {
    if (value !== undefined) encryption[field] = value;
  };
  setEncryption('enabled', options.encrypt);
  setEncryption('content', options.contentEncryption);
  setEncryption('keyTransport', options.keyTransport);
  setEncryption('oaepDigest', options.oaepDigest);
  if (Object.keys(encryption).length) config.encryption = encryption;
  return config;
}

function parseSeconds(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--lifetime: "${text}" is not a whole number of seconds`);
  return Number(text);
}

function unsetField(config: Record<string, unknown>, field: string): void {
  if (!UNSETTABLE_FIELDS.includes(field)) {
    throw new UsageError(`--unset: unknown field "${field}"; expected one of ${UNSETTABLE_FIELDS.join(', ')}`);
  }
  const [outer, inner] = field.split('.');
  if (!inner) {
    delete config[outer];
    return;
  }
  const nested = config[outer] as Record<string, unknown> | undefined;
  if (nested) delete nested[inner];
}

/** Validates one party, checks its certificate and endpoint, prints warnings and saves it. */
async function saveOne(store: StsStore, name: string, input: Record<string, unknown>): Promise<void> {
  const parsed = parseRelyingPartyConfig(input);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map(withOptionName));
  try {
    const check = await saveRelyingParties(store, [{ name, ...parsed.value }]);
    printWarnings(check.warnings);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map(withOptionName));
    throw error;
  }
}

/** Adds the command-line option to a problem that starts with a field path. */
function withOptionName(problem: string): string {
  const match = /^([\w.]+?)(\[\d+\])?: /.exec(problem);
  const option = match ? OPTION_OF_FIELD[match[1]] : undefined;
  if (!match || !option) return problem;
  return `${match[1]}${match[2] ?? ''} (${option})${problem.slice(match[1].length + (match[2]?.length ?? 0))}`;
}

function readRegistryFile(file: string): RelyingPartyEntry[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let content: unknown;
  try {
    content = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`${file}: not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`]);
  }
  const parsed = parseRegistryFile(content);
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  return parsed.value;
}

async function describeParty(store: StsStore, name: string): Promise<Record<string, unknown>> {
  const record = await store.getRelyingParty(name);
  if (!record) throw new UsageError(`relying party ${quoteForMessage(name)} not found; list them with "sts sp list"`);
  const parsed = parseRelyingPartyConfig(record.config);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((problem) => `stored relying party ${name}: ${problem}`));
  const effective = effectiveRelyingPartyConfig(parsed.value);
  const view: Record<string, unknown> = orderFields({ name, ...effective, claims: effective.claims ?? [...DEFAULT_CLAIMS] });
  if (effective.certAlias) view.certificate = await describeCertificateEntry(store, effective.certAlias);
  return view;
}

async function describeCertificateEntry(store: StsStore, alias: string): Promise<Record<string, unknown>> {
  const key = await store.getKeyEntry(alias);
  if (!key) return { alias, usable: false, problem: 'not in the trust store' };
  const check = checkEncryptionCertificate(key.certificatePem);
  if (!check.ok) return { alias, usable: false, problem: `certificate ${check.problem}` };
  return {
    alias,
    usable: true,
    subject: check.certificate.subject.replaceAll('\n', ', '),
    notAfter: check.notAfter.toISOString(),
    sha256Fingerprint: check.certificate.fingerprint256,
  };
}

function formatListLine(entry: RelyingPartyEntry): string {
  const effective = effectiveRelyingPartyConfig(entry);
  const encryption = effective.encryption.enabled
    ? `encrypted ${effective.encryption.content} for ${effective.certAlias ?? '(no certAlias)'}`
    : 'not encrypted';
  return `${entry.name}\t${effective.match}\t${entry.endpoint}\t${encryption}\n`;
}

function orderFields<T extends object>(entry: T): Record<string, unknown> {
  const source = entry as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) if (source[field] !== undefined) ordered[field] = source[field];
  for (const [field, value] of Object.entries(source)) if (!(field in ordered) && value !== undefined) ordered[field] = value;
  return ordered;
}

function checkFormat(format: string): 'yaml' | 'json' {
  if (format !== 'yaml' && format !== 'json') throw new UsageError(`--format: expected yaml or json, not "${format}"`);
  return format;
}

function printWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) process.stderr.write(`sts: warning: ${warning}\n`);
}
