/**
 * Backup passphrases: from a key file (first line, as `openssl -pass file:` reads it; refused when the
 * group or others can read it) or from an AWS Secrets Manager secret. A passphrase is registered with
 * redact() the moment it is read, and only its fingerprint (keyId) ever leaves this module.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientOptions, isTimeout, networkTimeoutMs, timeoutError } from '../util/aws-client';
import { OpsError } from '../util/errors';
import { makeDirs } from '../util/paths';
import { registerSecret } from '../util/redact';
import { secretsEndpoint } from '../secrets/aws';
import { shellQuote } from '../util/shell';
import { keyIdOf } from './crypto';

export type KeySource = { kind: 'file'; path: string } | { kind: 'aws-secret'; secretId: string; region?: string; endpoint?: string };

export interface BackupKey {
  keyId: string;
  source: KeySource;
  /** Never logged, never returned to a renderer, never written to a manifest. */
  readonly passphrase: string;
}

/**
 * The passphrase exactly as `openssl enc -pass file:KEYFILE` takes it: the first line without its "\n".
 * openssl keeps a "\r" (and any other trailing white space), so restore.sh would decrypt with other
 * bytes than the console did if we stripped it; such a key is refused instead, saying how to fix it.
 */
function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function checkPassphrase(passphrase: string, where: string, file?: string): void {
  if (/\s$/.test(passphrase)) {
    const fix = file ? `Convert it with \`sed -i 's/\\r$//' ${shellQuote(file)}\` (and remove trailing spaces), then use it again.` : 'Store the passphrase without trailing white space or carriage return.';
    throw new OpsError('key_trailing_whitespace', `The passphrase in ${where} ends with ${passphrase.endsWith('\r') ? 'a carriage return (a CRLF line end)' : 'white space'}: stock openssl would use it as part of the key, so a backup could not be decrypted the way restore.sh does it.`, fix);
  }
  if (passphrase.includes('\0') || passphrase.includes('\uFFFD')) {
    throw new OpsError('key_not_text', `The passphrase in ${where} holds a NUL byte or bytes that are not UTF-8 text.`, 'Use a text passphrase, e.g. `openssl rand -base64 48`.');
  }
  if (Buffer.byteLength(passphrase, 'utf8') > 1023) {
    // openssl reads at most 1023 bytes of the line (APP_PASS_LEN): a longer passphrase would be cut.
    throw new OpsError('key_too_long', `The passphrase in ${where} is longer than 1023 bytes, more than openssl reads.`, 'Use a shorter one, e.g. `openssl rand -base64 48`.');
  }
  if (passphrase.length < 16) {
    throw new OpsError('weak_key', `The passphrase in ${where} is shorter than 16 characters.`, 'Generate a strong one, e.g. `openssl rand -base64 48 > backup.key && chmod 600 backup.key`.');
  }
}

export async function loadKeyFile(path: string): Promise<BackupKey> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new OpsError('key_not_found', `Key file ${path} does not exist or cannot be read.`, 'Pass the key file the backups were made with (--key-file).');
  }
  if (!info.isFile()) throw new OpsError('key_not_found', `Key file ${path} is not a regular file.`);
  if ((info.mode & 0o077) !== 0) {
    throw new OpsError('key_file_permissions', `Key file ${path} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}).`, `Restrict it: chmod 600 ${shellQuote(path)}`);
  }
  const passphrase = firstLine(await readFile(path, 'utf8'));
  registerSecret(passphrase);
  checkPassphrase(passphrase, `key file ${path}`, path);
  return { keyId: keyIdOf(passphrase), source: { kind: 'file', path }, passphrase };
}

/** GetSecretValue directly: a SecretString whose first line is the passphrase, or JSON with "passphrase". */
export async function loadAwsSecret(secretId: string, opts: { region?: string; endpoint?: string } = {}): Promise<BackupKey> {
  const timeoutMs = networkTimeoutMs();
  const client = new SecretsManagerClient({ ...(opts.region ? { region: opts.region } : {}), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...awsClientOptions(timeoutMs) });
  let text: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
  } catch (err) {
    if (isTimeout(err)) {
      throw timeoutError('Secrets Manager', opts.endpoint ?? secretsEndpoint({ region: opts.region }), `reading the backup key secret ${secretId}`, timeoutMs);
    }
    const name = (err as { name?: string }).name ?? 'Error';
    throw new OpsError('key_secret_unavailable', `Could not read the backup key secret ${secretId} from AWS Secrets Manager (${name}).`, 'Check the secret id, the region and that these AWS credentials may call secretsmanager:GetSecretValue on it.');
  } finally {
    client.destroy();
  }
  if (!text) throw new OpsError('key_secret_empty', `Secret ${secretId} has no string value.`, 'Store the passphrase as the secret string.');
  let passphrase = firstLine(text);
  if (text.trim().startsWith('{')) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      if (typeof obj.passphrase === 'string') passphrase = obj.passphrase;
    } catch {
      // Not JSON after all: the first line is the passphrase.
    }
  }
  registerSecret(passphrase);
  checkPassphrase(passphrase, `secret ${secretId}`);
  return { keyId: keyIdOf(passphrase), source: { kind: 'aws-secret', secretId, ...opts }, passphrase };
}

export async function loadKey(source: KeySource): Promise<BackupKey> {
  return source.kind === 'file' ? loadKeyFile(source.path) : loadAwsSecret(source.secretId, source);
}

/** A new random passphrase in a new 0600 file of the keyring directory; returns the loaded key. */
export async function generateKeyFile(dir: string): Promise<BackupKey> {
  await makeDirs(dir);
  const passphrase = randomBytes(36).toString('base64');
  registerSecret(passphrase);
  const path = join(dir, `${keyIdOf(passphrase)}.key`);
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(passphrase + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return loadKeyFile(path);
}

/** Every key file of a keyring directory (old keys stay usable for restore after a rotation). */
export async function loadKeyring(dir: string): Promise<BackupKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const keys: BackupKey[] = [];
  for (const name of names.filter((n) => n.endsWith('.key'))) {
    try {
      keys.push(await loadKeyFile(join(dir, name)));
    } catch {
      // A key file we cannot use is skipped; the restore names the keyId it needs.
    }
  }
  return keys;
}

/** Pick the key a manifest was made with, or say which one is needed. */
export function pickKey(keys: BackupKey[], keyId: string): BackupKey {
  const key = keys.find((k) => k.keyId === keyId);
  if (!key) {
    const have = keys.map((k) => k.keyId).join(', ') || 'none';
    throw new OpsError('wrong_key', `This backup was encrypted with key ${keyId}; the key given is ${have}.`, 'Pass the key file (or secret) with that key id. Nothing was restored.');
  }
  return key;
}
