/**
 * Choosing a restore point (issue 11, the `choose_restore_point` action): for data-loss scenarios the
 * newest backup from *before* the incident time T0, not the newest one. The rule, precisely:
 *
 * 1. Candidates: backups of the database that finished strictly before T0 and may hold the tenant: its own
 *    tenant backups, all-tenants backups listing it, and full backups (a full backup holds every schema of
 *    its database; its manifest does not list them, so a tenant created after it is found missing only at
 *    restore). Without a tenant (system failure) only full backups count; with `allTenants`, only
 *    all-tenants backups (every tenant schema in one archive).
 * 2. A backup whose verify found it not restorable is never chosen.
 * 3. The newest verified (restorable) candidate wins; if none is verified, the newest unverified one,
 *    with a warning to verify it before relying on it.
 *
 * RPO gap = T0 − the chosen backup's finishedAt. Pure over catalog entries; a `RestorePointProvider`
 * wraps it, and point-in-time recovery offers its own restore points (core/pitr/restore-points.ts).
 */
import type { CatalogEntry } from '../../../shared/domain/backups';
import type { PitrRestoreResult, PitrStatus, PitrTarget } from '../../../shared/domain/pitr';
import { OpsError } from '../util/errors';
import { covers, publicEntry, readCatalog } from '../backup/catalog';
import type { Destination } from '../backup/destination';

export interface RestorePointQuery {
  /** The tenant schema to recover; absent: the whole database (full backups only). */
  tenant?: string;
  /** Every tenant at once from one all-tenants backup (a ransomware rebuild where no full backup is intact). */
  allTenants?: boolean;
  /** The database the backups were taken of; absent: any. */
  database?: string;
  /** T0, ISO 8601. */
  incidentAt: string;
}

/** A restore point: a logical backup of the catalog, or a point-in-time target (core/pitr/restore-points.ts). */
export type RestorePoint = BackupRestorePoint | PitrRestorePoint;

export interface BackupRestorePoint {
  /** Where the restore point comes from: a logical backup of the catalog. */
  source: 'backup';
  backup: CatalogEntry;
  /** Seconds between the backup's end and the incident: what the restore cannot bring back. */
  rpoGapSec: number;
  verified: boolean;
  warning?: string;
  /** The other candidates before T0, newest first (at most 5), for the operator to choose instead. */
  alternatives: { backup: CatalogEntry; rpoGapSec: number; verified: boolean }[];
}

/** A moment just before the incident, recovered through pgBackRest (archived WAL replayed onto a backup). */
export interface PitrRestorePoint {
  source: 'pitr';
  /** What `pitr restore --to` takes: a time (ISO 8601, UTC). */
  target: { type: 'time'; value: string };
  stanza: string;
  /** The recoverable window it lies in. */
  window: { from: string; to: string };
  /** Seconds between the target and the incident. */
  rpoGapSec: number;
  /** A PITR target is never "verified" the way a backup is; the restore itself checks it reached the target. */
  verified: false;
  warning?: string;
  /** The logical backups that could be used instead (bestRestorePoint keeps them), newest first. */
  alternatives: BackupRestorePoint['alternatives'];
}

export interface RestorePointProvider {
  readonly source: RestorePoint['source'];
  choose(query: RestorePointQuery): Promise<RestorePoint>;
}

/** A connection's point-in-time recovery, as the DR engine uses it (the app: PitrService.forDr). */
export interface PitrHook {
  provider: RestorePointProvider;
  /** pgBackRest's own view of its backups, archive and recoverable window. */
  status(): Promise<PitrStatus>;
  /** The tenant as of the target, restored beside the live one (core/pitr/restore.ts). */
  restoreBeside(args: { tenant: string; target: PitrTarget; into?: string; signal: AbortSignal; log(message: string): void; progress(done: number, total?: number, unit?: string): void }): Promise<PitrRestoreResult>;
}

export function incidentTime(iso: string): number {
  const t = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(t)) {
    throw new OpsError('invalid_input', `The incident time ${JSON.stringify(iso)} is not an ISO 8601 timestamp.`, 'e.g. 2026-11-25T09:41:00Z');
  }
  return t;
}

function mayHold(e: CatalogEntry, q: RestorePointQuery): boolean {
  if (q.database !== undefined && e.database !== q.database) return false;
  if (q.allTenants) return e.kind === 'all-tenants';
  if (e.kind === 'full') return true;
  return q.tenant !== undefined && covers(e, q.tenant);
}

export function chooseRestorePoint(entries: CatalogEntry[], q: RestorePointQuery): BackupRestorePoint {
  const t0 = incidentTime(q.incidentAt);
  const what = q.tenant ? `tenant ${JSON.stringify(q.tenant)}` : q.allTenants ? 'every tenant (an all-tenants backup)' : 'the database (a full backup)';
  const held = entries.filter((e) => mayHold(e, q));
  const before = held.filter((e) => Date.parse(e.finishedAt) < t0);
  const usable = before.filter((e) => e.verified?.ok !== false).sort((a, b) => b.finishedAt.localeCompare(a.finishedAt) || b.id.localeCompare(a.id));
  if (!usable.length) {
    const why = before.length
      ? `${before.length} backup(s) before it failed their verify (not restorable)`
      : held.length
        ? `the ${held.length} backup(s) that hold it all finished at or after the incident time`
        : 'no backup at the destination holds it';
    throw new OpsError('no_restore_point', `No restore point for ${what} before ${q.incidentAt}: ${why}.`, 'Check the incident time and the destination; a backup taken after the incident would bring the loss back with it.');
  }
  const chosen = usable.find((e) => e.verified?.ok) ?? usable[0]!;
  const point = (e: CatalogEntry) => ({ backup: publicEntry(e), rpoGapSec: Math.round((t0 - Date.parse(e.finishedAt)) / 1000), verified: e.verified?.ok === true });
  const { backup, rpoGapSec, verified } = point(chosen);
  return {
    source: 'backup',
    backup,
    rpoGapSec,
    verified,
    ...(verified ? {} : { warning: `No verified backup of ${what} before the incident time: this one (${chosen.id}) was never proven restorable; verify it before relying on it.` }),
    alternatives: usable.filter((e) => e !== chosen).slice(0, 5).map(point),
  };
}

/** The restore points of a backup destination's catalog. */
export function catalogRestorePoints(dest: Destination): RestorePointProvider {
  return { source: 'backup', choose: async (q) => chooseRestorePoint(await readCatalog(dest), q) };
}
