import { z } from 'zod';

/** SAML 2.0 token type as the WS-Security SAML token profile 1.1 spells it. */
export const SAML20_TOKEN_TYPE = 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0';

/** Token type URIs the STS issues: both spellings of SAML 2.0 and of SAML 1.1. */
const SUPPORTED_TOKEN_TYPES = [
  SAML20_TOKEN_TYPE,
  'urn:oasis:names:tc:SAML:2.0:assertion',
  'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
  'urn:oasis:names:tc:SAML:1.0:assertion',
] as const;

/**
 * Configuration schema with its defaults. Every option has a doc comment; docs/configuration.md
 * lists the same options. Defaults are the secure choice.
 */
export const configSchema = z
  .object({
    server: z
      .object({
        /** HTTPS port of the STS. */
        port: z.number().int().min(0).max(65535).default(9443),
        /** Address the HTTPS listener binds to. */
        host: z.string().min(1).default('0.0.0.0'),
        /** Optional plain-HTTP port, for use behind a TLS-terminating proxy and for tests. */
        httpPort: z.number().int().min(0).max(65535).optional(),
        /** Address the plain-HTTP listener binds to; loopback unless set otherwise. */
        httpHost: z.string().min(1).default('127.0.0.1'),
        /** PEM certificate (chain) for HTTPS; generated into the data directory when unset. */
        tlsCertFile: z.string().optional(),
        /** PEM private key for HTTPS; required when tlsCertFile is set. */
        tlsKeyFile: z.string().optional(),
        /** Largest request body accepted, in bytes. */
        maxMessageBytes: z.number().int().min(1024).default(1024 * 1024),
        /** Deepest element nesting accepted in a request. */
        maxXmlDepth: z.number().int().min(8).max(1000).default(64),
        /** Most elements accepted in a request; a WS-Trust request has a few dozen. */
        maxXmlElements: z.number().int().min(64).max(1_000_000).default(4096),
        /** Maximum time to receive a whole request, in seconds. Slower clients are disconnected. */
        requestTimeoutSeconds: z.number().int().min(1).max(3600).default(30),
        /**
         * Base URL written into the WSDL's port addresses, e.g. https://sts.example.com. When unset
         * the URL is built from the request's Host header.
         */
        publicBaseUrl: z.string().url().optional(),
      })
      .strict()
      .prefault({}),
    sts: z
      .object({
        /** Issuer name written into every assertion. */
        issuerName: z.string().min(1).default('https://localhost:9443/services/wso2carbon-sts'),
        /** Lifetime of issued tokens, in seconds. */
        tokenLifetimeSeconds: z.number().int().min(1).max(7 * 24 * 3600).default(3600),
        /**
         * Token type used when a request names none: one of the two spellings of SAML 2.0 or
         * SAML 1.1. The RSTR of a defaulted SAML 1.1 token names
         * urn:oasis:names:tc:SAML:1.0:assertion, the spelling MSAL and ADAL recognise.
         */
        defaultTokenType: z.enum(SUPPORTED_TOKEN_TYPES).default(SAML20_TOKEN_TYPE),
        /** NameID format (SAML 2.0) and NameIdentifier Format (SAML 1.1) of the subject. */
        nameIdFormat: z.string().min(1).default('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'),
        /**
         * Issue tokens for AppliesTo addresses that match no registered relying party, with the
         * address as audience and no encryption. Off by default: such requests get wst:InvalidScope.
         */
        allowUnregisteredRelyingParties: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        /** Allowed clock difference with requesters, in seconds; also backdates NotBefore. */
        clockSkewSeconds: z.number().int().min(0).max(3600).default(60),
        /** Maximum age of a Timestamp or UsernameToken Created, in seconds, before the clock skew is added. */
        maxMessageAgeSeconds: z.number().int().min(1).max(86400).default(300),
        /** Require a wsu:Timestamp in the wsse:Security header. */
        requireTimestamp: z.boolean().default(false),
        /** Accept HTTP Basic credentials in place of a UsernameToken, as WSO2 does. */
        allowHttpBasic: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        /** pino level: fatal, error, warn, info, debug or trace. */
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Validated, frozen configuration. */
export type StsConfig = z.infer<typeof configSchema>;
