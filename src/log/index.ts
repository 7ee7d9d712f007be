import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Field names of request and audit log lines, fixed so that log queries keep working. */
export const LogFields = {
  requestId: 'requestId',
  operation: 'operation',
  tokenType: 'tokenType',
  keyType: 'keyType',
  appliesTo: 'appliesTo',
  principal: 'principal',
  tokenId: 'tokenId',
  faultCode: 'faultCode',
  durationMs: 'durationMs',
  remoteAddress: 'remoteAddress',
  soapVersion: 'soapVersion',
  authMethod: 'authMethod',
} as const;

/**
 * Paths pino blanks out whatever a caller passes. The code never logs these values; redaction is
 * the backstop in case an object with such a field reaches the logger.
 */
export const redactPaths = [
  'password',
  '*.password',
  'nonce',
  '*.nonce',
  'privateKey',
  '*.privateKey',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'req.headers.authorization',
  'headers.authorization',
];

/** Creates the root logger: JSON lines at the given level, written to `destination` or stdout. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.STS_LOG_LEVEL ?? 'info',
      base: { service: 'sts' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
