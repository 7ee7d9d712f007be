import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** Result of running an independent XML security tool on a document. */
export interface ToolResult {
  /** True when the tool exited with status 0. */
  ok: boolean;
  /** The decrypted document after a successful decryption, otherwise the tool's messages. */
  output: string;
}

/** ID attribute that xmlsec1 must register before it can resolve a `#id` signature reference. */
export interface IdAttribute {
  /** Attribute name: `ID` on a SAML 2.0 assertion, `AssertionID` on a SAML 1.1 assertion. */
  name: 'ID' | 'AssertionID';
  /** Namespace URI of the element that carries the attribute. */
  elementNs: string;
  /** Local name of the element that carries the attribute. */
  elementName: string;
}

const TOOL_TIMEOUT_MS = 30_000;
const TOOL_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const XMLENC_NS = 'http://www.w3.org/2001/04/xmlenc#';

/**
 * Checks that `command` is an executable on PATH. When it is missing, the test fails if
 * `process.env.CI` is `'true'` (so CI cannot skip interoperability checks silently), and is
 * skipped otherwise.
 *
 * @returns true if the command exists, or false after skipping the test.
 */
export function requireTool(t: TestContext, command: string): boolean {
  if (isOnPath(command)) {
    return true;
  }
  if (process.env.CI === 'true') {
    throw new Error(`${command} not found on PATH: .ci/run must install it in CI`);
  }
  t.skip(`${command} not installed`);
  return false;
}

/**
 * Verifies the first `ds:Signature` of `xml` with xmlsec1 against the public key of `certPem`.
 *
 * Command line (xmlsec1 1.2.37):
 * `xmlsec1 --verify --enabled-key-data key-name --pubkey-cert-pem CERT
 * --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion FILE`.
 * xmlsec1 splits the `--id-attr` node argument at its last colon, so a namespace URI that
 * contains colons works. `--enabled-key-data key-name` stops xmlsec1 from taking a key out of
 * the document's `ds:X509Data`, so only the given certificate can make the signature valid.
 *
 * NOTE: xmlsec1 resolves the reference wherever that ID occurs in the document, so it accepts
 * a signature-wrapped assertion. Pair it with {@link samlsignVerify} or with a check that the
 * signature is the assertion's own child and references the assertion's ID.
 */
export async function xmlsecVerify(
  xml: string,
  certPem: string,
  idAttribute: IdAttribute,
): Promise<ToolResult> {
  return withTempFiles({ 'document.xml': xml, 'cert.pem': certPem }, async (paths) => {
    const result = await runTool('xmlsec1', [
      '--verify',
      '--enabled-key-data',
      'key-name',
      '--pubkey-cert-pem',
      paths['cert.pem'],
      `--id-attr:${idAttribute.name}`,
      `${idAttribute.elementNs}:${idAttribute.elementName}`,
      paths['document.xml'],
    ]);
    return { ok: result.ok, output: result.stdout + result.stderr };
  });
}

/**
 * Verifies a signed SAML 1.1 or SAML 2.0 assertion with OpenSAML's samlsign (package
 * opensaml-tools 3.2.1) against the public key of `certPem`. The assertion must be the root
 * element of `xml`, because samlsign rejects any other root as "not a signable SAML object".
 *
 * Command line: `samlsign -c /abs/cert.pem -f /abs/assertion.xml` (no `-s`, no `-k`: verify).
 * samlsign resolves a relative `-c` path against /etc/opensaml, so both paths are absolute.
 * It exits with 0 when the signature is valid and with 246 (-10) otherwise. Besides the
 * cryptographic check, its signature profile validator requires the signature to be the
 * assertion's own `ds:Signature` with one Reference to the assertion's ID or AssertionID, so it
 * rejects a wrapped assertion with "signature reference does not match parent object ID".
 */
export async function samlsignVerify(xml: string, certPem: string): Promise<ToolResult> {
  return withTempFiles({ 'assertion.xml': xml, 'cert.pem': certPem }, async (paths) => {
    const result = await runTool('samlsign', [
      '-c',
      paths['cert.pem'],
      '-f',
      paths['assertion.xml'],
    ]);
    return { ok: result.ok, output: result.stdout + result.stderr };
  });
}

/**
 * Decrypts the first `xenc:EncryptedData` of `xml` with xmlsec1 and the RSA key `privateKeyPem`.
 * On success `output` is the whole document with the decrypted element in place of the
 * EncryptedData. The EncryptedKey may sit inside the EncryptedData's `ds:KeyInfo` or be a
 * sibling found through `ds:RetrievalMethod`, because its `Id` attribute is registered.
 *
 * Command line (xmlsec1 1.2.37): `xmlsec1 --decrypt --privkey-pem KEY
 * --id-attr:Id http://www.w3.org/2001/04/xmlenc#:EncryptedKey FILE`.
 * NOTE: of the RSA-OAEP key transports, xmlsec1 1.2.37 (OpenSSL build) supports only
 * `xmlenc#rsa-oaep-mgf1p` with DigestMethod SHA-1. It reports `xmlenc11#rsa-oaep` as an unknown
 * transform and rejects a SHA-256 DigestMethod, so such tokens need another decryptor.
 */
export async function xmlsecDecrypt(xml: string, privateKeyPem: string): Promise<ToolResult> {
  return withTempFiles({ 'document.xml': xml, 'key.pem': privateKeyPem }, async (paths) => {
    const result = await runTool('xmlsec1', [
      '--decrypt',
      '--privkey-pem',
      paths['key.pem'],
      '--id-attr:Id',
      `${XMLENC_NS}:EncryptedKey`,
      paths['document.xml'],
    ]);
    return { ok: result.ok, output: result.ok ? result.stdout : result.stdout + result.stderr };
  });
}

function isOnPath(command: string): boolean {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory === '') {
      continue;
    }
    try {
      accessSync(join(directory, command), constants.X_OK);
      return true;
    } catch {
      // Not in this directory: try the next one.
    }
  }
  return false;
}

/** Writes `files` to a new temporary directory, runs `action` on their paths, then deletes them. */
async function withTempFiles<T>(
  files: Record<string, string>,
  action: (paths: Record<string, string>) => Promise<T>,
): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'sts-verify-'));
  try {
    const paths: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      paths[name] = join(directory, name);
      await writeFile(paths[name], content, { mode: 0o600 });
    }
    return await action(paths);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

interface ProcessResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` without a shell. A non-zero exit status is a result, not an error. A tool that
 * cannot be started, times out or overflows the output buffer raises an Error, so that a broken
 * setup never looks like a rejected document.
 */
function runTool(command: string, args: string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const options = {
      timeout: TOOL_TIMEOUT_MS,
      maxBuffer: TOOL_MAX_OUTPUT_BYTES,
      encoding: 'utf8' as const,
    };
    execFile(command, args, options, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ ok: true, stdout, stderr });
        return;
      }
      if (typeof error.code === 'number' && !error.killed) {
        resolve({ ok: false, stdout, stderr });
        return;
      }
      const reason = error.killed ? `timed out after ${TOOL_TIMEOUT_MS} ms` : error.message;
      reject(new Error(`failed to run ${command}: ${reason}\n${stderr}`));
    });
  });
}
