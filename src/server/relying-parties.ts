import {
  effectiveRelyingPartyConfig,
  describeRegistryConflict,
  findRegistryConflicts,
  parseRelyingPartyConfig,
  relyingPartyWarnings,
  type RelyingPartyConfig,
  type RelyingPartyEntry,
} from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { KeyEntryRecord, RelyingPartyRecord, StsStore } from '../store/index.js';
import {
  checkEncryptionCertificate,
  DEFAULT_CLAIMS,
  loadEncryptionCertificate,
  RelyingPartyRegistry,
  type RegistryEntry,
  type TokenEncryption,
} from '../trust/index.js';

/**
 * Builds the relying-party registry from the store: every record, with its encryption
 * certificate looked up in the trust store. A record that fails validation, or whose encryption
 * is on without a usable certificate, stays registered with an encryption error, so its tokens
 * fail with wst:RequestFailed instead of going out unencrypted. Weak algorithm choices and
 * unusable certificates are logged on every load.
 */
export async function loadRelyingPartyRegistry(store: StsStore, logger?: Logger, now: Date = new Date()): Promise<RelyingPartyRegistry> {
  const records = await store.listRelyingParties();
  const keys = new Map((await store.listKeyEntries()).map((entry) => [entry.alias, entry]));
  const entries: RegistryEntry[] = [];
  for (const record of records) {
    const entry = buildRegistryEntry(record, keys, now, logger);
    if (entry) entries.push(entry);
  }
  return new RelyingPartyRegistry(entries);
}

function buildRegistryEntry(
  record: RelyingPartyRecord,
  keys: ReadonlyMap<string, KeyEntryRecord>,
  now: Date,
  logger: Logger | undefined,
): RegistryEntry | undefined {
  const parsed = parseRelyingPartyConfig(record.config);
  if (!parsed.ok) {
    const endpoint = record.config.endpoint;
    logger?.error({ relyingParty: record.name, problems: parsed.problems }, 'stored relying party is invalid; its tokens fail until it is fixed');
    if (typeof endpoint !== 'string' || !endpoint) return undefined;
    return {
      name: record.name,
      endpoint,
      match: 'exact',
      additionalAudiences: [],
      settings: { claims: [], signatureAlgorithm: 'rsa-sha256', encryption: { error: 'its stored configuration is invalid' } },
    };
  }
  for (const warning of relyingPartyWarnings(record.name, parsed.value)) logger?.warn({ relyingParty: record.name }, warning);

  const config = effectiveRelyingPartyConfig(parsed.value);
  const entry: RegistryEntry = {
    name: record.name,
    endpoint: config.endpoint,
    match: config.match,
    additionalAudiences: config.audiences,
    settings: {
      tokenType: config.tokenType,
      tokenLifetimeSeconds: config.tokenLifetimeSeconds,
      nameIdFormat: config.nameIdFormat,
      subjectClaim: config.subjectClaim,
      claims: config.claims ?? [...DEFAULT_CLAIMS],
      signatureAlgorithm: config.signatureAlgorithm,
    },
  };
  if (config.encryption.enabled) {
    const encryption = loadEncryption(record.name, config, keys, now, logger);
    if ('error' in encryption) {
      logger?.error({ relyingParty: record.name, certAlias: config.certAlias }, `relying party encryption is unusable: ${encryption.error}`);
      entry.settings.encryption = { error: encryption.error };
    } else {
      entry.settings.encryption = encryption.encryption;
      entry.certificateValidity = encryption.validity;
    }
  }
  return entry;
}

function loadEncryption(
  name: string,
  config: ReturnType<typeof effectiveRelyingPartyConfig>,
  keys: ReadonlyMap<string, KeyEntryRecord>,
  now: Date,
  logger: Logger | undefined,
): { encryption: TokenEncryption; validity: { notBefore: Date; notAfter: Date } } | { error: string } {
  if (!config.certAlias) return { error: 'no certAlias is set' };
  const key = keys.get(config.certAlias);
  if (!key) return { error: `certificate alias ${config.certAlias} is not in the trust store` };
  const check = loadEncryptionCertificate(key.certificatePem);
  if (!check.ok) return { error: `certificate ${config.certAlias} ${check.problem}` };
  if (now < check.notBefore || now > check.notAfter) {
    // Registered anyway, because the registry checks the validity period on every request.
    logger?.error(
      { relyingParty: name, certAlias: config.certAlias, notBefore: check.notBefore, notAfter: check.notAfter },
      'relying party encryption certificate is outside its validity period; its tokens fail while it is',
    );
  }
  return {
    encryption: {
      certificate: check.certificate,
      contentAlgorithm: config.encryption.content,
      keyTransport: config.encryption.keyTransport,
      oaepDigest: config.encryption.oaepDigest,
    },
    validity: { notBefore: check.notBefore, notAfter: check.notAfter },
  };
}

/** Problems and warnings found when an administrator saves relying parties. */
export interface SaveCheck {
  problems: string[];
  warnings: string[];
}

/** Options of {@link checkRelyingPartiesForSave} and {@link saveRelyingParties}. */
export interface SaveOptions {
  /** Remove every stored party that `entries` does not name. */
  replaceAll?: boolean;
  /** Field path of entry i in problems, such as `relyingParties[2]`; empty for a single party. */
  fieldPath?: (index: number) => string;
  now?: Date;
}

/**
 * Checks relying parties before they are saved, against the trust store and the parties that
 * stay registered: encryption needs a usable certificate, and no two parties may register the
 * same endpoint with the same match kind.
 */
export async function checkRelyingPartiesForSave(
  store: StsStore,
  entries: readonly RelyingPartyEntry[],
  options: SaveOptions = {},
): Promise<SaveCheck> {
  const fieldPath = options.fieldPath ?? (() => '');
  const now = options.now ?? new Date();
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const prefix = fieldPath(index) ? `${fieldPath(index)}.` : '';
    problems.push(...(await checkCertificate(store, entry, now)).map((problem) => prefix + problem));
    warnings.push(...relyingPartyWarnings(entry.name, entry));
  }

  const saved = new Set(entries.map((entry) => entry.name));
  const unchangedParties: RelyingPartyEntry[] = [];
  if (!options.replaceAll) {
    for (const record of await store.listRelyingParties()) {
      const parsed = parseRelyingPartyConfig(record.config);
      if (!saved.has(record.name) && parsed.ok) unchangedParties.push({ name: record.name, ...parsed.value });
    }
  }
  // Stored parties come first, so every conflict names one of the entries being saved.
  const combined = [...unchangedParties, ...entries];
  const where = (index: number) =>
    index < unchangedParties.length ? `stored relying party "${combined[index].name}"` : fieldPath(index - unchangedParties.length);
  for (const conflict of findRegistryConflicts(combined)) {
    const text = describeRegistryConflict(conflict, combined, where);
    problems.push(text.startsWith('.') ? text.slice(1) : text);
  }
  return { problems, warnings };
}

async function checkCertificate(store: StsStore, entry: RelyingPartyConfig, now: Date): Promise<string[]> {
  const config = effectiveRelyingPartyConfig(entry);
  if (!config.encryption.enabled) return [];
  if (!config.certAlias) {
    return [
      'certAlias: required when encryption.enabled is true (--encrypt); import the relying party\'s certificate ' +
        'into the trust store ("sts keys import --alias ALIAS FILE") and set certAlias (--cert-alias ALIAS)',
    ];
  }
  const key = await store.getKeyEntry(config.certAlias);
  if (!key) {
    return [
      `certAlias: certificate alias "${config.certAlias}" is not in the trust store; import it ` +
        `("sts keys import --alias ${config.certAlias} FILE") or name an existing alias ("sts keys list")`,
    ];
  }
  const check = checkEncryptionCertificate(key.certificatePem, now);
  if (!check.ok) {
    return [`certAlias: certificate "${config.certAlias}" ${check.problem}; import a current RSA certificate of the relying party`];
  }
  return [];
}

/**
 * Validates and saves relying parties. With `replaceAll`, parties missing from `entries` are
 * removed afterwards and returned in `removed`. Nothing is written when any problem is found.
 *
 * @throws ConfigError listing every problem with its field path.
 * NOTE: the store has no multi-record transaction, so a server that reloads during an import
 * may see part of it for one request.
 */
export async function saveRelyingParties(
  store: StsStore,
  entries: readonly RelyingPartyEntry[],
  options: SaveOptions = {},
): Promise<SaveCheck & { removed: string[] }> {
  const check = await checkRelyingPartiesForSave(store, entries, options);
  if (check.problems.length) throw new ConfigError(check.problems);
  for (const { name, ...config } of entries) await store.putRelyingParty(name, config);
  const removed: string[] = [];
  if (options.replaceAll) {
    const keep = new Set(entries.map((entry) => entry.name));
    for (const record of await store.listRelyingParties()) {
      if (!keep.has(record.name) && (await store.deleteRelyingParty(record.name))) removed.push(record.name);
    }
  }
  return { ...check, removed };
}

/** Reads every stored relying party in its stored form, reporting records that fail validation. */
export async function listRelyingPartyEntries(store: StsStore): Promise<{ entries: RelyingPartyEntry[]; invalid: Array<{ name: string; problems: string[] }> }> {
  const entries: RelyingPartyEntry[] = [];
  const invalid: Array<{ name: string; problems: string[] }> = [];
  for (const record of await store.listRelyingParties()) {
    const parsed = parseRelyingPartyConfig(record.config);
    if (parsed.ok) entries.push({ name: record.name, ...parsed.value });
    else invalid.push({ name: record.name, problems: parsed.problems });
  }
  return { entries, invalid };
}
