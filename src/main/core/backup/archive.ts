/**
 * Opening a backup before anything touches a database: manifest parsed, key picked by keyId, HMAC
 * checked, then the dump fetched, both hashes checked while it is decrypted into a private temp file.
 * Any mismatch refuses with a clear error; the temp file never outlives the operation.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Manifest } from '../../../shared/domain/backups';
import { OpsError } from '../util/errors';
import { decryptStream, HashCounter, hmacMatches } from './crypto';
import type { Destination } from './destination';
import { pickKey, type BackupKey } from './keys';
import { SUFFIX } from './naming';

export async function readManifest(dest: Destination, name: string, signal?: AbortSignal): Promise<Manifest> {
  const raw = await dest.readSmall(name + SUFFIX.manifest, signal);
  if (!raw) throw new OpsError('backup_missing', `No manifest ${dest.locate(name + SUFFIX.manifest)}.`, 'Check the path; `backups list --dest …` shows the backups there.');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new OpsError('manifest_invalid', `${dest.locate(name + SUFFIX.manifest)} is not valid JSON.`, 'The manifest is damaged; nothing was restored.');
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) throw new OpsError('manifest_invalid', `${dest.locate(name + SUFFIX.manifest)} is not a backup manifest: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}.`, 'Nothing was restored.');
  return parsed.data;
}

/** The key this manifest needs, and its HMAC checked with it. */
export function authenticate(manifest: Manifest, keys: BackupKey[]): BackupKey {
  const key = pickKey(keys, manifest.encryption.keyId);
  const { hmac, ...body } = manifest;
  if (!hmacMatches(body, hmac.value, key.passphrase)) {
    throw new OpsError('manifest_tampered', `The manifest of ${manifest.name} fails its HMAC check: it was altered, or the key is not the one it was made with.`, 'Nothing was restored. Use an untouched copy of the backup.');
  }
  return key;
}

export interface OpenedArchive {
  manifest: Manifest;
  /** The decrypted pg_dump archive, checked against both hashes. */
  path: string;
  dispose(): Promise<void>;
}

export async function openArchive(dest: Destination, name: string, keys: BackupKey[], signal?: AbortSignal, onBytes?: (n: number, total: number) => void): Promise<OpenedArchive> {
  const manifest = await readManifest(dest, name, signal);
  const key = authenticate(manifest, keys);
  const dir = await mkdtemp(join(tmpdir(), 'pfo-restore-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, `${name}.dump`);
  try {
    const cipher = new HashCounter((n) => onBytes?.(n, manifest.ciphertext.bytes));
    const plain = new HashCounter();
    let decryptError: unknown;
    try {
      await pipeline(await dest.read(manifest.files.dump, signal), cipher, decryptStream(key.passphrase, manifest.encryption.iterations), plain, createWriteStream(path, { mode: 0o600 }), signal ? { signal } : {});
    } catch (err) {
      if (signal?.aborted) throw new OpsError('cancelled', 'Cancelled; nothing was restored.');
      decryptError = err;
    }
    // The ciphertext hash speaks first: a flipped byte is damage, not a wrong key.
    if (cipher.bytes !== manifest.ciphertext.bytes || cipher.sha256 !== manifest.ciphertext.sha256) {
      throw new OpsError('checksum_mismatch', `The encrypted file ${manifest.files.dump} does not match its manifest (SHA-256 or size differs): it is damaged or incomplete.`, 'Nothing was restored. Use another copy or another backup.');
    }
    if (decryptError) throw decryptError;
    if (plain.bytes !== manifest.plaintext.bytes || plain.sha256 !== manifest.plaintext.sha256) {
      throw new OpsError('checksum_mismatch', `The decrypted archive of ${manifest.name} does not match its manifest's SHA-256.`, 'Nothing was restored: the key or the file is not the one the manifest describes.');
    }
    return { manifest, path, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
