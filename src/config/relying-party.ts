import { z } from 'zod';

/**
 * Schema of a registered relying party (service provider) as the store keeps it, and of the
 * registry file that `sts sp import` reads and `sts sp export` writes. Stored records hold only
 * the fields an administrator set, so a changed default reaches every party that did not set
 * it. docs/relying-parties.md describes every field.
 */

/** Comparisons of `endpoint` with the AppliesTo address. */
export const ENDPOINT_MATCHES = ['exact', 'prefix', 'wildcard'] as const;
/** Content encryption algorithms; the first is the default. */
export const CONTENT_ENCRYPTION_ALGORITHMS = ['aes256-gcm', 'aes128-gcm', 'aes256-cbc', 'aes128-cbc'] as const;
/** Key transport algorithms; the first is the default. */
export const KEY_TRANSPORT_ALGORITHMS = ['rsa-oaep-mgf1p', 'rsa-1_5'] as const;
/** OAEP digests of rsa-oaep-mgf1p; the first is the default. MGF1 uses SHA-1 in both cases. */
export const OAEP_DIGESTS = ['sha1', 'sha256'] as const;
/** Token signature algorithms; the first is the default. */
export const SIGNATURE_ALGORITHMS = ['rsa-sha256', 'rsa-sha1'] as const;

/** Token type URIs a relying party may name as its default, both spellings of each SAML version. */
export const RELYING_PARTY_TOKEN_TYPES = [
  'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0',
  'urn:oasis:names:tc:SAML:2.0:assertion',
  'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
  'urn:oasis:names:tc:SAML:1.0:assertion',
] as const;

/** Short token type names accepted in place of the URIs. */
const TOKEN_TYPE_NAMES: Record<string, string> = {
  saml2: RELYING_PARTY_TOKEN_TYPES[0],
  saml20: RELYING_PARTY_TOKEN_TYPES[0],
  saml11: RELYING_PARTY_TOKEN_TYPES[2],
  saml1: RELYING_PARTY_TOKEN_TYPES[2],
};

/** Maximum token lifetime a relying party may set, in seconds (7 days, as for sts.tokenLifetimeSeconds). */
const MAX_LIFETIME_SECONDS = 7 * 24 * 3600;

/** Names: a letter or digit, then letters, digits and `. _ - : @`, at most 128 characters. */
export const RELYING_PARTY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

const uriSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(2048, 'must be at most 2048 characters')
  .regex(/^[^\s\p{Cc}]*$/u, 'must not contain whitespace or control characters');

/** Schemes that WHATWG URL parsing reads with a host even when `//` is missing or written as `\`. */
const SPECIAL_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp']);

const encryptionSchema = z
  .object({
    /** Encrypt tokens for this party with the certificate named by certAlias. */
    enabled: z.boolean().optional(),
    /** Content encryption; aes256-gcm when unset. CBC only for parties that lack GCM. */
    content: z.enum(CONTENT_ENCRYPTION_ALGORITHMS).optional(),
    /** Key transport; rsa-oaep-mgf1p when unset. rsa-1_5 only for parties that lack OAEP. */
    keyTransport: z.enum(KEY_TRANSPORT_ALGORITHMS).optional(),
    /** OAEP digest of rsa-oaep-mgf1p; sha1 when unset. */
    oaepDigest: z.enum(OAEP_DIGESTS).optional(),
  })
  .strict();

/** One relying party as stored (without its name, which is the record key). */
export const relyingPartyConfigSchema = z
  .object({
    /** Free text for administrators. */
    description: z.string().max(1000, 'must be at most 1000 characters').optional(),
    /** Address that AppliesTo must match, or a pattern when `match` is prefix or wildcard. */
    endpoint: uriSchema,
    /** exact (default), prefix or wildcard. */
    match: z.enum(ENDPOINT_MATCHES).optional(),
    /** Audiences written after the endpoint (or the AppliesTo address for a pattern). */
    audiences: z.array(uriSchema).optional(),
    /** Trust-store alias of the certificate that tokens are encrypted for. */
    certAlias: z.string().min(1, 'must not be empty').optional(),
    /** Token type when the request names none; sts.defaultTokenType when unset. */
    tokenType: z.preprocess(
      (value) => (typeof value === 'string' ? (TOKEN_TYPE_NAMES[value] ?? value) : value),
      z.enum(RELYING_PARTY_TOKEN_TYPES).optional(),
    ),
    /** Token lifetime in seconds; sts.tokenLifetimeSeconds when unset. */
    tokenLifetimeSeconds: z.number().int().min(1).max(MAX_LIFETIME_SECONDS).optional(),
    /** NameID Format of the subject; sts.nameIdFormat when unset. */
    nameIdFormat: uriSchema.optional(),
    /** Claim URI whose first value becomes the subject name; the user name when unset or absent. */
    subjectClaim: uriSchema.optional(),
    /** Claim URIs included when the request has no wst:Claims; the role claim when unset. */
    claims: z.array(uriSchema).optional(),
    /** rsa-sha256 (default) or rsa-sha1. */
    signatureAlgorithm: z.enum(SIGNATURE_ALGORITHMS).optional(),
    encryption: encryptionSchema.optional(),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.match === 'wildcard' && !config.endpoint.includes('*')) {
      context.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: 'a wildcard pattern needs at least one "*"; use match exact for a fixed address',
      });
    } else if (config.match === 'prefix' || config.match === 'wildcard') {
      const problem = patternEndpointProblem(config.endpoint, config.match);
      if (problem) context.addIssue({ code: 'custom', path: ['endpoint'], message: problem });
    }
    const encryption = config.encryption;
    if (encryption?.keyTransport === 'rsa-1_5' && encryption.oaepDigest !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['encryption', 'oaepDigest'],
        message: 'applies to keyTransport rsa-oaep-mgf1p only; remove it or change keyTransport',
      });
    }
  });

/**
 * Checks that a prefix or wildcard endpoint is tied to one host or name. A pattern party's
 * audience is the AppliesTo address itself, so a pattern without a literal host would sign tokens
 * for unrelated services, and a prefix that ends inside the host also matches
 * `https://host.evil.test` and `https://host@evil.test`.
 */
function patternEndpointProblem(endpoint: string, match: 'prefix' | 'wildcard'): string | undefined {
  const noLiteralHost =
    `${match} pattern ${endpoint} has no literal host or name, so it matches unrelated addresses; ` +
    "include the relying party's host or name (such as https://rp.example.com/ or urn:example:rp:), " +
    'or set sts.allowUnregisteredRelyingParties: true in sts.yaml if tokens for every AppliesTo are really wanted';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(endpoint);
  if (!scheme) {
    if (!/[^*/:.]/.test(endpoint)) return noLiteralHost;
    return `${match} pattern ${endpoint} must start with a literal URI scheme, such as https:// or urn:`;
  }
  const schemeName = scheme[1].toLowerCase();
  const rest = endpoint.slice(scheme[0].length);
  if (!rest.startsWith('//')) {
    if (!/[^*/:.]/.test(rest)) return noLiteralHost;
    if (SPECIAL_SCHEMES.has(schemeName)) return `${match} pattern ${endpoint} must start with "${schemeName}://" and a host`;
    return undefined;
  }

  // The authority ends at the first "/", "?" or "#"; a port may follow the host.
  const authority = /^[^/?#]*/.exec(rest.slice(2))![0];
  if (authority.includes('@')) {
    return `${match} pattern ${endpoint} contains user info ("@" before the host), and addresses with user info match no pattern`;
  }
  const host = authority.replace(/:[0-9*]*$/, '');
  if (!/[^*.]/.test(host)) return noLiteralHost;
  // A wildcard host needs a registrable name after its last "*": "*.com" would match every
  // .com site. Two labels (example.com, co.uk) are the least that names one organisation.
  if (host.includes('*')) {
    const suffix = host.slice(host.lastIndexOf('*') + 1).replace(/^\./, '');
    if (suffix.split('.').filter(Boolean).length < 2) {
      return (
        `${match} pattern ${endpoint} has a wildcard host without a domain of its own after the "*" ` +
        '(such as *.rp.example.com); name at least two labels after the last "*"'
      );
    }
  }
  if (match === 'prefix' && rest.length === authority.length + 2) {
    return (
      `prefix ${endpoint} ends inside the host and port, so it also matches other hosts ` +
      `(such as ${endpoint}.evil.test or ${endpoint}@evil.test); end it with "/" (${endpoint}/)`
    );
  }
  return undefined;
}

/** A relying party as stored. */
export type RelyingPartyConfig = z.infer<typeof relyingPartyConfigSchema>;

/** A relying party with its name, as the registry file lists it. */
export type RelyingPartyEntry = RelyingPartyConfig & { name: string };

/** Every setting of a relying party with the registry's defaults filled in. */
export interface EffectiveRelyingPartyConfig {
  description?: string;
  endpoint: string;
  match: (typeof ENDPOINT_MATCHES)[number];
  audiences: string[];
  certAlias?: string;
  tokenType?: string;
  tokenLifetimeSeconds?: number;
  nameIdFormat?: string;
  subjectClaim?: string;
  /** Undefined means the default claim list. */
  claims?: string[];
  signatureAlgorithm: (typeof SIGNATURE_ALGORITHMS)[number];
  encryption: {
    enabled: boolean;
    content: (typeof CONTENT_ENCRYPTION_ALGORITHMS)[number];
    keyTransport: (typeof KEY_TRANSPORT_ALGORITHMS)[number];
    oaepDigest: (typeof OAEP_DIGESTS)[number];
  };
}

/** Fills in the defaults of the fields that the registry itself decides. */
export function effectiveRelyingPartyConfig(config: RelyingPartyConfig): EffectiveRelyingPartyConfig {
  return {
    ...config,
    match: config.match ?? 'exact',
    audiences: config.audiences ?? [],
    signatureAlgorithm: config.signatureAlgorithm ?? 'rsa-sha256',
    encryption: {
      enabled: config.encryption?.enabled ?? false,
      content: config.encryption?.content ?? 'aes256-gcm',
      keyTransport: config.encryption?.keyTransport ?? 'rsa-oaep-mgf1p',
      oaepDigest: config.encryption?.oaepDigest ?? 'sha1',
    },
  };
}

/** Result of validating one stored relying party or one registry file. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Validates one relying party's stored form. Each problem starts with the field's dotted path
 * after `pathPrefix` (for example `relyingParties[2].encryption.content: expected one of ...`).
 */
export function parseRelyingPartyConfig(input: unknown, pathPrefix = ''): ValidationResult<RelyingPartyConfig> {
  const result = relyingPartyConfigSchema.safeParse(input);
  if (result.success) return { ok: true, value: stripUndefined(result.data) };
  return { ok: false, problems: result.error.issues.map((issue) => formatIssue(issue, pathPrefix)) };
}

/** Checks a relying-party name, returning a problem that names the field or undefined. */
export function checkRelyingPartyName(name: unknown, field = 'name'): string | undefined {
  if (typeof name !== 'string') return `${field}: expected a string`;
  if (!RELYING_PARTY_NAME_PATTERN.test(name)) {
    return `${field}: ${quoteForMessage(name)} is not a valid name; use 1-128 letters, digits or . _ - : @, starting with a letter or digit`;
  }
  return undefined;
}

/**
 * Quotes a value for an error message as a JSON string. Control, format and separator characters
 * other than the space are escaped too, so a value cannot hide characters or alter the terminal.
 */
export function quoteForMessage(value: string): string {
  return JSON.stringify(value).replace(/[\p{Cc}\p{Cf}\p{Z}]/gu, (character) => {
    if (character === ' ') return character;
    const code = character.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Validates a registry file: `{ relyingParties: [{ name, endpoint, ... }, ...] }`. Reports every
 * problem at once: invalid fields, repeated names and endpoints registered twice.
 */
export function parseRegistryFile(input: unknown): ValidationResult<RelyingPartyEntry[]> {
  if (!isPlainObject(input)) return { ok: false, problems: ['(root): expected an object with a relyingParties list'] };
  const problems = Object.keys(input)
    .filter((key) => key !== 'relyingParties')
    .map((key) => `${key}: unknown field; the file has one field, relyingParties`);
  const list = input.relyingParties;
  if (!Array.isArray(list)) {
    problems.push('relyingParties: expected a list of relying parties');
    return { ok: false, problems };
  }
  const entries: RelyingPartyEntry[] = [];
  const positions: number[] = [];
  list.forEach((item, index) => {
    const where = `relyingParties[${index}]`;
    if (!isPlainObject(item)) {
      problems.push(`${where}: expected an object with name and endpoint`);
      return;
    }
    const { name, ...rest } = item;
    const nameProblem = checkRelyingPartyName(name, `${where}.name`);
    if (nameProblem) problems.push(nameProblem);
    const parsed = parseRelyingPartyConfig(rest, `${where}.`);
    if (!parsed.ok) problems.push(...parsed.problems);
    else if (!nameProblem) {
      entries.push({ name: name as string, ...parsed.value });
      positions.push(index);
    }
  });
  const where = (index: number) => `relyingParties[${positions[index]}]`;
  problems.push(...findRegistryConflicts(entries).map((conflict) => describeRegistryConflict(conflict, entries, where)));
  return problems.length ? { ok: false, problems } : { ok: true, value: entries };
}

/** Two entries of one list that may not both be registered. */
export interface RegistryConflict {
  /** Index of the later entry. */
  index: number;
  /** Index of the earlier entry it collides with. */
  otherIndex: number;
  field: 'name' | 'endpoint';
}

/**
 * Finds repeated names, and endpoints that two parties register with the same match kind, which
 * would make the party for an address depend on list order.
 */
export function findRegistryConflicts(entries: readonly RelyingPartyEntry[]): RegistryConflict[] {
  const conflicts: RegistryConflict[] = [];
  const names = new Map<string, number>();
  const endpoints = new Map<string, number>();
  entries.forEach((entry, index) => {
    const sameName = names.get(entry.name);
    if (sameName !== undefined) conflicts.push({ index, otherIndex: sameName, field: 'name' });
    else names.set(entry.name, index);
    const key = `${entry.match ?? 'exact'} ${entry.endpoint}`;
    const sameEndpoint = endpoints.get(key);
    if (sameEndpoint !== undefined && sameName === undefined) {
      conflicts.push({ index, otherIndex: sameEndpoint, field: 'endpoint' });
    } else if (sameEndpoint === undefined) {
      endpoints.set(key, index);
    }
  });
  return conflicts;
}

/** Describes a conflict; `where(i)` names entry i, such as `relyingParties[2]`. */
export function describeRegistryConflict(
  conflict: RegistryConflict,
  entries: readonly RelyingPartyEntry[],
  where: (index: number) => string,
): string {
  const entry = entries[conflict.index];
  const other = entries[conflict.otherIndex];
  if (conflict.field === 'name') {
    return `${where(conflict.index)}.name: "${entry.name}" is already used by ${where(conflict.otherIndex)}`;
  }
  return (
    `${where(conflict.index)}.endpoint: ${entry.endpoint} (match ${entry.match ?? 'exact'}) is already registered ` +
    `by relying party "${other.name}"; give each party its own endpoint`
  );
}

/**
 * Warnings for choices that weaken a relying party's tokens or its matching: SHA-1 signatures,
 * AES-CBC, RSA PKCS#1 v1.5 key transport, a literal `*` in an exact endpoint, and a prefix that
 * does not end at a separator.
 */
export function relyingPartyWarnings(name: string, config: RelyingPartyConfig): string[] {
  const effective = effectiveRelyingPartyConfig(config);
  const warnings: string[] = [];
  if (effective.signatureAlgorithm === 'rsa-sha1') {
    warnings.push(`relying party "${name}" signs tokens with rsa-sha1, which is deprecated; use rsa-sha256 when the party supports it`);
  }
  if (effective.encryption.enabled && effective.encryption.content.endsWith('-cbc')) {
    warnings.push(
      `relying party "${name}" encrypts tokens with ${effective.encryption.content}, which has no integrity protection; ` +
        'use aes256-gcm when the party supports it',
    );
  }
  if (effective.encryption.enabled && effective.encryption.keyTransport === 'rsa-1_5') {
    warnings.push(
      `relying party "${name}" wraps keys with rsa-1_5, which is open to padding-oracle attacks; ` +
        'use rsa-oaep-mgf1p when the party supports it',
    );
  }
  if (effective.match === 'exact' && effective.endpoint.includes('*')) {
    warnings.push(`relying party "${name}" has "*" in an exact endpoint, which matches only a literal "*"; set match wildcard for a pattern`);
  }
  if (effective.match === 'prefix' && !/[/:#?=]$/.test(effective.endpoint)) {
    warnings.push(
      `relying party "${name}" has prefix ${effective.endpoint}, which also matches longer path segments and names ` +
        '(such as a "-test" suffix); end the prefix with "/" (or ":" in a URN) to match one subtree',
    );
  }
  return warnings;
}

function formatIssue(issue: z.core.$ZodIssue, pathPrefix: string): string {
  const where = joinPath(pathPrefix, issue.path);
  switch (issue.code) {
    case 'invalid_value':
      return `${where || '(root)'}: expected one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${joinPath(pathPrefix, [...issue.path, key])}: unknown field`).join('; ');
    case 'invalid_type':
      return `${where || '(root)'}: expected ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'number') return `${where}: expected at least ${String(issue.minimum)}`;
      return `${where}: ${issue.message}`;
    case 'too_big':
      if (issue.origin === 'number') return `${where}: expected at most ${String(issue.maximum)}`;
      return `${where}: ${issue.message}`;
    default:
      return `${where || '(root)'}: ${issue.message}`;
  }
}

/** Joins a prefix such as `relyingParties[2].` and a zod path into `relyingParties[2].a.b[0]`. */
function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let text = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text;
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    out[key] = isPlainObject(inner) ? stripUndefined(inner) : inner;
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
