/**
 * Encryption in OpenSSL's `Salted__` format, so that stock tools decrypt a backup on a bare machine:
 *   openssl enc -d -aes-256-cbc -pbkdf2 -md sha256 -iter <iterations> -pass file:KEYFILE
 * Layout: "Salted__" + 8-byte salt + AES-256-CBC(PKCS#7) ciphertext, with key and IV taken from
 * PBKDF2-HMAC-SHA256(passphrase, salt, iterations, 48 bytes) = key(32) || iv(16), as openssl does.
 * Everything here is a stream Transform: constant memory whatever the size.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { OpsError } from '../util/errors';

export const CIPHER = 'aes-256-cbc';
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; recorded in every manifest. */
export const DEFAULT_ITERATIONS = 600_000;
const MAGIC = Buffer.from('Salted__', 'latin1');
const pbkdf2Async = promisify(pbkdf2);

async function deriveKeyIv(passphrase: string, salt: Buffer, iterations: number): Promise<{ key: Buffer; iv: Buffer }> {
  const out = await pbkdf2Async(Buffer.from(passphrase, 'utf8'), salt, iterations, 48, 'sha256');
  return { key: out.subarray(0, 32), iv: out.subarray(32, 48) };
}

/** A Transform that encrypts its input into the Salted__ format (the key derivation runs once, up front). */
export async function encryptStream(passphrase: string, iterations = DEFAULT_ITERATIONS): Promise<Transform> {
  const salt = randomBytes(8);
  const { key, iv } = await deriveKeyIv(passphrase, salt, iterations);
  const cipher = createCipheriv(CIPHER, key, iv);
  let headerSent = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (!headerSent) {
        this.push(Buffer.concat([MAGIC, salt]));
        headerSent = true;
      }
      cb(null, cipher.update(chunk));
    },
    flush(cb: TransformCallback) {
      if (!headerSent) this.push(Buffer.concat([MAGIC, salt]));
      cb(null, cipher.final());
    },
  });
}

/**
 * A Transform that decrypts the Salted__ format. A wrong key almost always surfaces as a padding
 * error at the end ("bad decrypt"); callers check the plaintext hash as well, which catches the rest.
 */
export function decryptStream(passphrase: string, iterations: number): Transform {
  let header = Buffer.alloc(0);
  let decipher: ReturnType<typeof createDecipheriv> | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (decipher) return cb(null, decipher.update(chunk));
      header = Buffer.concat([header, chunk]);
      if (header.length < 16) return cb();
      if (!header.subarray(0, 8).equals(MAGIC)) return cb(new OpsError('bad_format', 'The backup file does not start with OpenSSL\'s "Salted__" header.', 'It is not an encrypted backup of this console, or it is damaged.'));
      const salt = header.subarray(8, 16);
      const rest = header.subarray(16);
      deriveKeyIv(passphrase, salt, iterations).then(
        ({ key, iv }) => {
          decipher = createDecipheriv(CIPHER, key, iv);
          cb(null, decipher.update(rest));
        },
        (err: unknown) => cb(err as Error),
      );
    },
    flush(cb: TransformCallback) {
      if (!decipher) return cb(new OpsError('bad_format', 'The backup file is too short to be an encrypted backup.', 'It is damaged or truncated.'));
      try {
        cb(null, decipher.final());
      } catch {
        cb(new OpsError('wrong_key', 'Decryption failed: the key does not match this backup, or the file is damaged.', 'Use the key whose id the manifest names; nothing was restored.'));
      }
    },
  });
}

/** A pass-through Transform that hashes and counts what flows through it. */
export class HashCounter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  private digest?: string;
  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }
  get sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }
}

/** A fingerprint of a passphrase: names the key in manifests without revealing anything useful about it. */
export function keyIdOf(passphrase: string): string {
  return 'k_' + createHmac('sha256', passphrase).update('podcastflow-ops key id v1').digest('hex').slice(0, 16);
}

function hmacKey(passphrase: string): Buffer {
  return createHmac('sha256', passphrase).update('podcastflow-ops manifest hmac v1').digest();
}

/** JSON with sorted keys, so the HMAC does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function signManifestBody(body: unknown, passphrase: string): string {
  return createHmac('sha256', hmacKey(passphrase)).update(canonicalJson(body)).digest('hex');
}

export function hmacMatches(body: unknown, hmac: string, passphrase: string): boolean {
  const expected = Buffer.from(signManifestBody(body, passphrase), 'hex');
  const given = Buffer.from(hmac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Encrypt a small buffer (the roles file) in the same format. */
export async function encryptBuffer(data: Buffer, passphrase: string, iterations = DEFAULT_ITERATIONS): Promise<Buffer> {
  const t = await encryptStream(passphrase, iterations);
  const chunks: Buffer[] = [];
  t.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => {
    t.on('end', resolve).on('error', reject);
    t.end(data);
  });
  return Buffer.concat(chunks);
}
