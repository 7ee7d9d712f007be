/**
 * Import planning for `KeyManager.importEntries`: selecting, naming and checking the entries of
 * a key material file before anything is written.
 */
import { UsageError } from '../errors/index.js';
import type { KeyEntryRecord, StsStore } from '../store/index.js';
import { describeCertificate } from './certificates.js';
import type { KeyMaterialEntry } from './keystore-formats.js';

/** Minimum RSA modulus of a signing key, in bits. */
const MIN_SIGNING_KEY_BITS = 2048;

/** Key aliases: a letter or digit, then up to 127 letters, digits, '.', '_', '-' or '@'. */
const ALIAS_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** Options of {@link KeyManager.importEntries}. */
export interface ImportKeyOptions {
  /** Alias of the imported entry, or the prefix of the aliases when several entries are imported. */
  alias: string;
  /** JKS alias or PKCS#12 friendlyName of the one entry to import. */
  sourceAlias?: string;
  /** Requires a private key in every imported entry, so that each becomes a signing key. */
  signing?: boolean;
  /** Makes the imported signing key the active one. */
  activate?: boolean;
  /** Replaces entries whose alias exists already. */
  force?: boolean;
  /** Name of the imported file, used in messages. */
  sourceName?: string;
}

/** An entry of the imported file with the alias and kind it gets in the store. */
export interface PlannedEntry {
  alias: string;
  kind: KeyEntryRecord['kind'];
  material: KeyMaterialEntry;
  existing?: KeyEntryRecord;
}

/** Entries of an import with the aliases they get in the store, and the alias to activate. */
export interface ImportPlan {
  planned: PlannedEntry[];
  /** Imported alias that becomes the active signing key, or undefined to keep the current one. */
  activeAlias: string | undefined;
}

/**
 * Runs every check of an import against `store` without writing: selects and names the
 * entries, checks signing keys and replaced aliases, and picks the alias that ends up active.
 *
 * @throws UsageError for the cases that {@link KeyManager.importEntries} lists.
 */
export async function planImport(
  store: StsStore,
  material: KeyMaterialEntry[],
  options: ImportKeyOptions,
): Promise<ImportPlan> {
  checkAlias(options.alias);
  const source = options.sourceName ?? 'the key material';
  const selected = selectEntries(material, options.sourceAlias, source);
  if (options.signing) requirePrivateKeys(selected, source);
  const planned = nameEntries(selected, options.alias);
  for (const entry of planned) {
    if (entry.kind === 'signing') checkSigningKey(entry);
    entry.existing = await store.getKeyEntry(entry.alias);
    checkReplacement(entry, Boolean(options.force));
  }
  const activeAlias = await chooseActiveAlias(store, planned, Boolean(options.activate), source);
  return { planned, activeAlias };
}

/**
 * Picks the alias that ends up active: the one signing key with `activate`, else a replaced
 * active key keeps its place, else the first signing key when no signing key is active.
 */
async function chooseActiveAlias(
  store: StsStore,
  planned: PlannedEntry[],
  activate: boolean,
  source: string,
): Promise<string | undefined> {
  const signing = planned.filter((entry) => entry.kind === 'signing');
  if (activate) {
    if (signing.length !== 1) {
      throw new UsageError(
        signing.length === 0
          ? `--activate: ${source} contains no private key, so there is no signing key to activate`
          : `--activate: ${source} contains ${signing.length} key entries; pick one with --source-alias`,
      );
    }
    return signing[0].alias;
  }
  const replacedActive = signing.find(
    (entry) => entry.existing?.kind === 'signing' && entry.existing.active,
  );
  if (replacedActive) return replacedActive.alias;
  const entries = await store.listKeyEntries();
  const hasActive = entries.some((entry) => entry.kind === 'signing' && entry.active);
  return hasActive ? undefined : signing[0]?.alias;
}

function checkAlias(alias: string): void {
  if (!ALIAS_PATTERN.test(alias)) {
    throw new UsageError(
      `invalid key alias "${alias}": use 1 to 128 letters, digits, '.', '_', '-' or '@', ` +
        'starting with a letter or digit',
    );
  }
}

/** Returns every entry, or the one whose source alias matches (exactly, else ignoring case). */
function selectEntries(
  material: KeyMaterialEntry[],
  sourceAlias: string | undefined,
  source: string,
): KeyMaterialEntry[] {
  if (sourceAlias === undefined) return material;
  const exact = material.filter((entry) => entry.alias === sourceAlias);
  if (exact.length === 1) return exact;
  const folded = material.filter(
    (entry) => entry.alias?.toLowerCase() === sourceAlias.toLowerCase(),
  );
  if (folded.length === 1) return folded;
  const named = material.filter((entry) => entry.alias !== undefined);
  const available = named.map(
    (entry) => `${entry.alias} (${entry.privateKey ? 'key entry' : 'trusted certificate'})`,
  );
  throw new UsageError(
    `--source-alias: ${source} has no entry named "${sourceAlias}"; ` +
      (available.length > 0
        ? `its entries are: ${available.join(', ')}`
        : 'its entries have no names'),
  );
}

function requirePrivateKeys(selected: KeyMaterialEntry[], source: string): void {
  const withoutKey = selected.filter((entry) => entry.privateKey === undefined);
  if (withoutKey.length === 0) return;
  if (selected.length === 1) {
    const subject = describeCertificate(selected[0].certificate).subject;
    throw new UsageError(
      `--signing: ${source} contains the certificate "${subject}" ` +
        'without its private key; import it without --signing as a trusted certificate, or import a file ' +
        'that also contains the private key (PEM with both blocks, PKCS#12 or JKS)',
    );
  }
  const keyEntries = selected.filter((entry) => entry.privateKey !== undefined).map(sourceLabel);
  throw new UsageError(
    `--signing: ${source} has entries without a private key (${withoutKey.map(sourceLabel).join(', ')}); ` +
      (keyEntries.length > 0
        ? `pick a key entry with --source-alias (${keyEntries.join(', ')})`
        : 'it contains no private key at all'),
  );
}

function sourceLabel(entry: KeyMaterialEntry): string {
  return entry.alias ?? describeCertificate(entry.certificate).subject;
}

/**
 * Names the entries as {@link KeyManager.importEntries} describes. Characters of a source alias
 * that an alias may not contain become '_'.
 */
function nameEntries(selected: KeyMaterialEntry[], alias: string): PlannedEntry[] {
  const planned = selected.map((material, index): PlannedEntry => {
    const suffix =
      material.alias === undefined
        ? String(index + 1)
        : material.alias.replace(/[^A-Za-z0-9._@-]/g, '_');
    const name = selected.length === 1 ? alias : `${alias}-${suffix}`;
    checkAlias(name);
    return { alias: name, kind: material.privateKey ? 'signing' : 'trusted', material };
  });
  const seen = new Set<string>();
  for (const entry of planned) {
    if (seen.has(entry.alias)) {
      throw new UsageError(
        `two entries would both be named ${entry.alias}: import them one at a time with --source-alias`,
      );
    }
    seen.add(entry.alias);
  }
  return planned;
}

/** Rejects keys that the XML signer cannot use: it signs with RSA PKCS#1 v1.5 only. */
function checkSigningKey(entry: PlannedEntry): void {
  const key = entry.material.privateKey!;
  const type = key.asymmetricKeyType;
  if (type !== 'rsa') {
    throw new UsageError(
      `key for ${entry.alias} has type ${type ?? 'unknown'}, but the STS signs tokens with ` +
        'RSA keys only: import an RSA key pair, or import the certificate alone as a trusted certificate',
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_SIGNING_KEY_BITS) {
    throw new UsageError(
      `RSA key for ${entry.alias} has ${bits} bits, below the minimum of ${MIN_SIGNING_KEY_BITS} for ` +
        'signing keys: generate a new key pair of 2048 bits or more',
    );
  }
}

function checkReplacement(entry: PlannedEntry, force: boolean): void {
  const existing = entry.existing;
  if (!existing) return;
  if (!force) {
    throw new UsageError(
      `key alias ${entry.alias} exists already: choose another --alias, or replace it with --force`,
    );
  }
  if (existing.kind === 'signing' && existing.active && entry.kind !== 'signing') {
    throw new UsageError(
      `key alias ${entry.alias} is the active signing key and a trusted certificate cannot replace it: ` +
        'activate another signing key first with "sts keys activate ALIAS"',
    );
  }
}
