import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Keeps the passwords of users who opted in to WS-Security PasswordDigest. A digest can only be
 * checked against the clear password, so for those users the password is also stored encrypted
 * with AES-256-GCM under a 256-bit key in the data directory (file mode 0600). Anyone who can
 * read both the database and that key file can recover those passwords; users without the
 * opt-in have only their scrypt hash stored.
 */
export class DigestSecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Opens the box with the key file `DIR/secrets/digest.key`, creating the key on first use. */
  static open(dataDir: string): DigestSecretBox {
    const directory = path.join(dataDir, 'secrets');
    const file = path.join(directory, 'digest.key');
    if (!existsSync(file)) {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not contain a 256-bit base64 key; restore it from backup`);
    return new DigestSecretBox(key);
  }

  /** Encrypts a password as `v1:` + base64(IV ‖ ciphertext ‖ tag). */
  seal(password: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
    return 'v1:' + Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64');
  }

  /** Decrypts a value written by {@link seal}; throws when it was tampered with. */
  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('unknown digest secret format');
    const data = Buffer.from(sealed.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
  }
}
