import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors/index.js';
import { configSchema, type StsConfig } from './schema.js';

export { configSchema, SAML20_TOKEN_TYPE, type StsConfig } from './schema.js';
export * from './relying-party.js';

/** Name of the optional configuration file in the data directory. */
export const CONFIG_FILE_NAME = 'sts.yaml';

/**
 * Loads the configuration: the file (STS_CONFIG, else DATA_DIR/sts.yaml when present), then the
 * overrides from the command line. Reports every problem at once with its dotted path.
 */
export function loadConfig(dataDir: string, overrides: Record<string, unknown> = {}): StsConfig {
  const file = process.env.STS_CONFIG ?? path.join(dataDir, CONFIG_FILE_NAME);
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = (parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>) ?? {};
    } catch (error) {
      throw new ConfigError([`${file}: not valid YAML or JSON (${(error as Error).message})`]);
    }
  } else if (process.env.STS_CONFIG) {
    throw new ConfigError([`STS_CONFIG: file ${file} not found; set it to an existing YAML file`]);
  }
  return validateConfig(mergeDeep(fromFile, overrides));
}

/** Validates a configuration object, throwing one ConfigError that lists every problem. */
export function validateConfig(input: unknown): StsConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.join('.') || '(root)';
      return `${where}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const config = result.data;
  if (Boolean(config.server.tlsCertFile) !== Boolean(config.server.tlsKeyFile)) {
    throw new ConfigError([
      'server.tlsCertFile and server.tlsKeyFile: set both (PEM files) or neither to use a generated certificate',
    ]);
  }
  return deepFreeze(config);
}

function mergeDeep(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    const current = out[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      out[key] = mergeDeep(current, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
