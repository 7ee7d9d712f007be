import { parseArgs } from 'node:util';

/** Settings of one benchmark run. Times are in seconds. */
export interface BenchOptions {
  /** Concurrency levels of the plain-HTTP runs, in order; at least one. */
  concurrency: number[];
  /** Concurrency of the HTTPS run, where 0 skips it. */
  httpsConcurrency: number;
  /** Measured time of each load level. */
  durationSeconds: number;
  /** Unmeasured load before the first plain-HTTP level and before the HTTPS run. */
  warmupSeconds: number;
  /** Measured time of each in-process crypto measurement. */
  cryptoSeconds: number;
}

export const USAGE = `Usage: npm run bench -- [options]

Issues SAML 2.0 bearer tokens against a local "sts serve" and compares the rate with
Node's raw RSA-2048 signing rate on the same machine.

Options (each also settable by the environment variable in brackets):
  --concurrency LIST        plain-HTTP concurrency levels, comma-separated
                            [BENCH_CONCURRENCY] (default 1,4,16,64)
  --https-concurrency N     concurrency of the HTTPS run, 0 to skip
                            [BENCH_HTTPS_CONCURRENCY] (default 16)
  --duration SECONDS        measured time per level [BENCH_DURATION] (default 5)
  --warmup SECONDS          unmeasured load before the HTTP levels and before the
                            HTTPS run [BENCH_WARMUP] (default 3)
  --crypto-duration SECONDS time of each in-process crypto measurement
                            [BENCH_CRYPTO_DURATION] (default: the --duration value)
  --help                    print this text
`;

/** Reads the options from the command line, then the environment, then the defaults. */
export function readOptions(args: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      concurrency: { type: 'string' },
      'https-concurrency': { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'crypto-duration': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';

  const durationSeconds = parseSeconds(
    values.duration ?? env.BENCH_DURATION,
    '--duration (BENCH_DURATION)',
    5,
  );
  return {
    concurrency: parseConcurrencyList(values.concurrency ?? env.BENCH_CONCURRENCY ?? '1,4,16,64'),
    httpsConcurrency: parseCount(
      values['https-concurrency'] ?? env.BENCH_HTTPS_CONCURRENCY ?? '16',
      '--https-concurrency (BENCH_HTTPS_CONCURRENCY)',
      0,
    ),
    durationSeconds,
    warmupSeconds: parseSeconds(values.warmup ?? env.BENCH_WARMUP, '--warmup (BENCH_WARMUP)', 3, 0),
    cryptoSeconds: parseSeconds(
      values['crypto-duration'] ?? env.BENCH_CRYPTO_DURATION,
      '--crypto-duration (BENCH_CRYPTO_DURATION)',
      durationSeconds,
    ),
  };
}

function parseConcurrencyList(text: string): number[] {
  return text.split(',').map((item) => parseCount(item.trim(), '--concurrency (BENCH_CONCURRENCY)', 1));
}

function parseCount(text: string, name: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < minimum || value > 1024) {
    throw new Error(`${name} must be an integer from ${minimum} to 1024, got "${text}"`);
  }
  return value;
}

function parseSeconds(text: string | undefined, name: string, fallback: number, minimum = 0.1): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || value > 3600) {
    throw new Error(`${name} must be a number of seconds from ${minimum} to 3600, got "${text}"`);
  }
  return value;
}
