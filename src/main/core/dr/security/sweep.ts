/**
 * backup_integrity_sweep (issue 12 item 4, DR-REFERENCE D.4, D.5): after a ransomware intrusion, prove which
 * backups can still be trusted. Every manifest of the destination is authenticated (its key present, its
 * HMAC), every object it names is streamed and hashed against it (constant memory); for S3 the bucket's
 * versioning and Object Lock are reported. Then, per tenant, the newest intact backup before the intrusion
 * time, chosen by the same rule as every restore point (chooseRestorePoint) over the intact backups only,
 * and for the whole database the newest intact full backup (else all-tenants backup) before it.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetBucketVersioningCommand, GetObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import type { CatalogEntry } from '../../../../shared/domain/backups';
import { authenticate, readManifest } from '../../backup/archive';
import { readCatalog } from '../../backup/catalog';
import { HashCounter } from '../../backup/crypto';
import { S3Destination, type Destination } from '../../backup/destination';
import type { BackupKey } from '../../backup/keys';
import { SUFFIX } from '../../backup/naming';
import { isTimeout, networkTimeoutMs, timeoutError } from '../../util/aws-client';
import { OpsError } from '../../util/errors';
import { chooseRestorePoint, type RestorePoint } from '../restore-point';
import { throwIfAborted, type Progress } from './common';

export type BackupVerdict = 'intact' | 'manifest_invalid' | 'manifest_tampered' | 'key_missing' | 'object_missing' | 'checksum_mismatch';

export interface SweptBackup {
  /** The manifest's name at the destination (without .manifest.json). */
  name: string;
  id?: string;
  kind?: string;
  tenant?: string;
  finishedAt?: string;
  verdict: BackupVerdict;
  detail?: string;
}

export interface BucketProtection {
  bucket: string;
  versioning: 'Enabled' | 'Suspended' | 'Off' | 'unknown';
  objectLock: { enabled: boolean; mode?: string; days?: number; years?: number } | 'unknown';
  /** Why a value is unknown (access denied, a deadline). */
  notes: string[];
}

export interface SweepResult {
  destination: string;
  checkedAt: string;
  backups: SweptBackup[];
  intact: number;
  failed: number;
  bucket?: BucketProtection;
  /**
   * With an intrusion time: the newest intact full backup before it (what full_restore takes), and its RPO
   * gap; without an intact full one, the newest intact all-tenants backup, with a note saying what it lacks.
   */
  backup?: CatalogEntry;
  rpoGapSec?: number;
  note?: string;
  /** With an intrusion time: per tenant (and for the whole database) the newest intact backup before it. */
  restorePoints?: ({ tenant?: string } & ({ point: RestorePoint } | { error: { code: string; message: string } }))[];
}

export interface SweepOptions {
  /** The intrusion time (ISO 8601): restore points are chosen before it. */
  incidentAt?: string;
  now?: () => Date;
}

/** Streams one object through SHA-256; resolves with its size and hash. */
async function hashObject(dest: Destination, name: string, signal: AbortSignal | undefined): Promise<{ bytes: number; sha256: string }> {
  const h = new HashCounter();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  await pipeline(await dest.read(name, signal), h, sink, signal ? { signal } : {});
  return { bytes: h.bytes, sha256: h.sha256 };
}

async function sweepOne(dest: Destination, name: string, keys: BackupKey[], signal: AbortSignal | undefined): Promise<SweptBackup> {
  let manifest;
  try {
    manifest = await readManifest(dest, name, signal);
  } catch (err) {
    if (err instanceof OpsError && err.code !== 'cancelled') return { name, verdict: 'manifest_invalid', detail: err.message };
    throw err;
  }
  const base = { name, id: manifest.id, kind: manifest.kind, ...(manifest.tenant ? { tenant: manifest.tenant } : {}), finishedAt: manifest.finishedAt };
  try {
    authenticate(manifest, keys);
  } catch (err) {
    if (err instanceof OpsError && err.code === 'wrong_key') return { ...base, verdict: 'key_missing', detail: `its key ${manifest.encryption.keyId} is not among the keys given: it cannot be decrypted or authenticated.` };
    if (err instanceof OpsError && err.code === 'manifest_tampered') return { ...base, verdict: 'manifest_tampered', detail: err.message };
    throw err;
  }
  const objects: [string, { bytes: number; sha256: string }][] = [[manifest.files.dump, manifest.ciphertext]];
  if (manifest.files.globals && manifest.globals?.ciphertext) objects.push([manifest.files.globals, manifest.globals.ciphertext]);
  for (const [file, want] of objects) {
    let got;
    try {
      got = await hashObject(dest, file, signal);
    } catch (err) {
      if (signal?.aborted) throw new OpsError('cancelled', 'Cancelled; the sweep did not finish, and no backup was judged from a partial read.');
      // A local file that is not there, or S3's NoSuchKey (wrapped as s3_failed by the destination).
      const missing = err instanceof OpsError && (err.code === 'backup_missing' || (err.code === 's3_failed' && /NoSuchKey/.test(err.message)));
      if (missing) return { ...base, verdict: 'object_missing', detail: `${dest.locate(file)} is missing.` };
      throw err;
    }
    if (got.bytes !== want.bytes || got.sha256 !== want.sha256) {
      return { ...base, verdict: 'checksum_mismatch', detail: `${file}: ${got.bytes} bytes, SHA-256 ${got.sha256.slice(0, 16)}…; the manifest says ${want.bytes} bytes, ${want.sha256.slice(0, 16)}… (altered, encrypted by someone else, or truncated).` };
    }
  }
  return { ...base, verdict: 'intact' };
}

async function bucketProtection(dest: S3Destination, signal: AbortSignal | undefined): Promise<BucketProtection> {
  const out: BucketProtection = { bucket: dest.bucket, versioning: 'unknown', objectLock: 'unknown', notes: [] };
  const timeoutMs = networkTimeoutMs();
  const call = async <T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>): Promise<T | undefined> => {
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      return await fn(signal ? AbortSignal.any([signal, deadline]) : deadline);
    } catch (err) {
      throwIfAborted(signal);
      if (deadline.aborted || isTimeout(err)) out.notes.push(timeoutError('S3', dest.endpoint, what, timeoutMs).message);
      else throw err;
      return undefined;
    }
  };
  try {
    const v = await call('GetBucketVersioning', (abortSignal) => dest.client.send(new GetBucketVersioningCommand({ Bucket: dest.bucket }), { abortSignal }));
    if (v) out.versioning = v.Status === 'Enabled' ? 'Enabled' : v.Status === 'Suspended' ? 'Suspended' : 'Off';
  } catch (err) {
    out.notes.push(`Versioning unknown: ${(err as Error).name}: ${(err as Error).message}`.slice(0, 300));
  }
  try {
    const l = await call('GetObjectLockConfiguration', (abortSignal) => dest.client.send(new GetObjectLockConfigurationCommand({ Bucket: dest.bucket }), { abortSignal }));
    if (l) {
      const rule = l.ObjectLockConfiguration?.Rule?.DefaultRetention;
      out.objectLock = { enabled: l.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled', ...(rule?.Mode ? { mode: rule.Mode } : {}), ...(rule?.Days ? { days: rule.Days } : {}), ...(rule?.Years ? { years: rule.Years } : {}) };
    }
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === 'ObjectLockConfigurationNotFoundError') out.objectLock = { enabled: false };
    else out.notes.push(`Object Lock unknown: ${e.name}: ${e.message}`.slice(0, 300));
  }
  if (out.objectLock !== 'unknown' && !out.objectLock.enabled) out.notes.push('Object Lock is off: anyone holding write credentials could delete or overwrite these backups (COMPLIANCE mode makes them immutable for the retention period).');
  else if (out.objectLock !== 'unknown' && out.objectLock.mode !== 'COMPLIANCE') out.notes.push('Object Lock is on without COMPLIANCE default retention: GOVERNANCE can be bypassed by a privileged identity.');
  return out;
}

/** The tenants the catalog knows of (own backups and all-tenants backups' lists). */
function tenantsOf(entries: CatalogEntry[]): string[] {
  const set = new Set<string>();
  for (const e of entries) {
    if (e.tenant) set.add(e.tenant);
    for (const t of (e as { _tenants?: string[] })._tenants ?? []) set.add(t);
  }
  return [...set].sort();
}

export async function backupIntegritySweep(dest: Destination, key: BackupKey | BackupKey[], signal?: AbortSignal, progress?: Progress, opts: SweepOptions = {}): Promise<SweepResult> {
  const keys = Array.isArray(key) ? key : [key];
  if (!keys.length) throw new OpsError('key_required', 'The sweep needs the backup key (or keyring) to authenticate the manifests.', 'Pass the key file(s) the backups were made with; nothing was checked.');
  if (opts.incidentAt !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(opts.incidentAt) || Number.isNaN(Date.parse(opts.incidentAt)))) {
    throw new OpsError('invalid_input', `The intrusion time ${JSON.stringify(opts.incidentAt)} is not an ISO 8601 timestamp.`, 'e.g. 2026-11-25T09:41:00Z; nothing was checked.');
  }
  const names = (await dest.list(SUFFIX.manifest, signal)).map((n) => n.slice(0, -SUFFIX.manifest.length));
  const backups: SweptBackup[] = [];
  for (const name of names) {
    throwIfAborted(signal);
    progress?.({ done: backups.length, total: names.length, unit: 'backups', message: name });
    backups.push(await sweepOne(dest, name, keys, signal));
  }
  progress?.({ done: backups.length, total: names.length, unit: 'backups' });
  const result: SweepResult = {
    destination: dest.location,
    checkedAt: (opts.now?.() ?? new Date()).toISOString(),
    backups,
    intact: backups.filter((b) => b.verdict === 'intact').length,
    failed: backups.filter((b) => b.verdict !== 'intact').length,
  };
  if (dest instanceof S3Destination) result.bucket = await bucketProtection(dest, signal);
  if (opts.incidentAt) {
    const intactIds = new Set(backups.filter((b) => b.verdict === 'intact').map((b) => b.id));
    const all = await readCatalog(dest);
    const entries = all.filter((e) => intactIds.has(e.id));
    const choose = (tenant?: string, allTenants = false) => {
      try {
        return { ...(tenant ? { tenant } : {}), point: chooseRestorePoint(entries, { incidentAt: opts.incidentAt!, ...(tenant ? { tenant } : {}), allTenants }) };
      } catch (err) {
        if (!(err instanceof OpsError)) throw err;
        return { ...(tenant ? { tenant } : {}), error: { code: err.code, message: err.message } };
      }
    };
    const full = all.some((e) => e.kind === 'full') ? choose() : undefined;
    // Many databases are only ever backed up all-tenants (the console's scheduled default): without an
    // intact full backup before the intrusion, the newest intact all-tenants one rebuilds every tenant.
    const tenantsOnly = (!full || !('point' in full)) && all.some((e) => e.kind === 'all-tenants') ? choose(undefined, true) : undefined;
    const database = tenantsOnly && 'point' in tenantsOnly ? tenantsOnly : (full ?? tenantsOnly);
    result.restorePoints = [...tenantsOf(all).map((t) => choose(t)), ...(database ? [database] : [])];
    if (database && 'point' in database) {
      Object.assign(result, { backup: database.point.backup, rpoGapSec: database.point.rpoGapSec });
      if (database === tenantsOnly) {
        result.note = `No intact full backup before the intrusion${full ? '' : ' (this destination has none)'}: proposed the newest intact all-tenants backup instead. It holds every tenant schema but not the shared schemas (public: the organizations and users tables, the application's own objects), so the full restore rebuilds the tenants only: bring the shared schemas into the new database from a source older than the intrusion, and take full backups from now on.`;
      }
    }
  }
  return result;
}
