import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { configSchema } from '../src/config/index.js';
import { generateRsaKeyPair, generateSelfSignedCertificate } from '../src/crypto/certificates.js';
import type { SigningCredential } from '../src/crypto/xmldsig.js';
import { buildSignedAssertion } from '../src/saml/index.js';
import { ROLE_CLAIM } from '../src/trust/index.js';
import { newXmlId } from '../src/xml/index.js';

/** Bytes signed per raw RSA operation: the length of the canonical SignedInfo of an rsa-sha256 token. */
const SIGNED_MESSAGE_BYTES = 728;

/** Length of one measurement slice. The two measurements alternate slice by slice. */
const SLICE_MS = 250;

/** Operations completed in a timed single-threaded loop. */
export interface RateResult {
  operations: number;
  /** Wall-clock time of all slices. */
  seconds: number;
  /** Operations per wall-clock second. */
  perSecond: number;
  /** Operations per CPU second of this process, which stays steady when other processes take the CPU. */
  perCpuSecond: number;
  /** Size of one output (signature or assertion), in bytes. */
  outputBytes: number;
}

/** Results of {@link measureCrypto}. */
export interface CryptoResults {
  rsa: RateResult;
  assertions: RateResult;
}

/** Creates an RSA-2048 key and a self-signed certificate, as `sts serve` does on first start. */
export function createSigningCredential(): SigningCredential {
  const { privateKey, publicKey } = generateRsaKeyPair(2048);
  const certificate = generateSelfSignedCertificate({
    privateKey,
    publicKey,
    commonName: 'bench',
    validityDays: 1,
  });
  return { alias: 'bench', privateKey, certificateBase64: certificate.raw.toString('base64') };
}

/**
 * Measures, for `seconds` each, raw RSA-2048 PKCS#1 v1.5 SHA-256 signatures (crypto.sign with a
 * loaded KeyObject) and signed SAML 2.0 assertions built by buildSignedAssertion. The two
 * alternate in short slices, so a burst of load from other processes affects both alike.
 */
export function measureCrypto(
  credential: SigningCredential,
  audience: string,
  seconds: number,
): CryptoResults {
  const rsa = new RateMeter(createRsaSigner(credential.privateKey));
  const assertions = new RateMeter(createAssertionBuilder(credential, audience));
  const slices = Math.max(1, Math.round((seconds * 1000) / SLICE_MS));
  for (let slice = 0; slice < slices; slice += 1) {
    rsa.run((seconds * 1000) / slices);
    assertions.run((seconds * 1000) / slices);
  }
  return { rsa: rsa.result(), assertions: assertions.result() };
}

/** Returns an operation that signs a SignedInfo-sized message and returns the signature length. */
function createRsaSigner(privateKey: KeyObject): () => number {
  const message = randomBytes(SIGNED_MESSAGE_BYTES);
  return () => sign('sha256', message, privateKey).length;
}

/**
 * Returns an operation that builds and signs one assertion with the fields the server writes for
 * the benchmark's requests (default issuer, lifetime and NameID format, one audience, the role
 * claim) and returns its length in bytes.
 */
function createAssertionBuilder(credential: SigningCredential, audience: string): () => number {
  const { sts, security } = configSchema.parse({});
  return () => {
    const now = new Date();
    const assertion = buildSignedAssertion(
      '2.0',
      {
        id: newXmlId(randomBytes),
        issuer: sts.issuerName,
        issueInstant: now,
        notBefore: new Date(now.getTime() - security.clockSkewSeconds * 1000),
        notOnOrAfter: new Date(now.getTime() + sts.tokenLifetimeSeconds * 1000),
        subjectName: 'admin',
        nameIdFormat: sts.nameIdFormat,
        audiences: [audience],
        authenticationMethod: 'password',
        authenticationInstant: now,
        attributes: [{ uri: ROLE_CLAIM, values: ['admin'] }],
      },
      credential,
    );
    return Buffer.byteLength(assertion);
  };
}

/** Runs an operation in timed slices and adds up operations, wall-clock time and CPU time. */
class RateMeter {
  private operations = 0;
  private elapsedMs = 0;
  private cpuMicroseconds = 0;
  private outputBytes = 0;

  constructor(private readonly operation: () => number) {}

  run(sliceMs: number): void {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + sliceMs;
    let now = started;
    while (now < deadline) {
      this.outputBytes = this.operation();
      this.operations += 1;
      now = performance.now();
    }
    const cpu = process.cpuUsage(cpuBefore);
    this.elapsedMs += now - started;
    this.cpuMicroseconds += cpu.user + cpu.system;
  }

  result(): RateResult {
    const seconds = this.elapsedMs / 1000;
    return {
      operations: this.operations,
      seconds,
      perSecond: this.operations / seconds,
      perCpuSecond: this.operations / (this.cpuMicroseconds / 1e6),
      outputBytes: this.outputBytes,
    };
  }
}
