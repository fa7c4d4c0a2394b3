/**
 * The state of a connection's point-in-time recovery: `pgbackrest info --output=json` (backups, the WAL
 * archive's range) and the server's pg_stat_archiver. The recoverable window runs from the end of the
 * oldest backup to the last archived WAL segment: any moment in it can be restored to.
 */
import type { ArchiverState, PitrBackup, PitrConfig, PitrStatus } from '../../../shared/domain/pitr';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { OpsError, toWireError } from '../util/errors';
import { findEngine, runEngine, type Engine } from './pgbackrest';

interface InfoJson {
  name: string;
  status: { code: number; message: string };
  db: { id: number; version: string; 'system-id': number }[];
  archive: { id: string; min: string | null; max: string | null }[];
  backup: {
    label: string;
    type: 'full' | 'diff' | 'incr';
    error?: boolean;
    timestamp: { start: number; stop: number };
    lsn?: { start: string; stop: string };
    info: { size: number; repository: { delta: number; size: number } };
    database: { id: number };
  }[];
}

export interface StanzaInfo {
  backups: PitrBackup[];
  archive: { min?: string; max?: string };
  /** The PostgreSQL major version of the newest database the stanza holds. */
  major?: number;
}

const iso = (epochSec: number) => new Date(epochSec * 1000).toISOString();

/** pgbackrest info for the stanza; a stanza it cannot read is an error saying what to fix. */
export async function stanzaInfo(engine: Engine, cfg: PitrConfig, signal?: AbortSignal): Promise<StanzaInfo> {
  const out = await runEngine(engine, cfg, 'info', ['--output=json'], { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
  let parsed: InfoJson[];
  try {
    parsed = JSON.parse(out) as InfoJson[];
  } catch {
    throw new OpsError('pitr_failed', 'pgbackrest info did not answer with JSON.', 'Check that the pgbackrest binary is pgBackRest 2.36 or newer.');
  }
  const s = parsed.find((x) => x.name === cfg.stanza);
  if (!s) throw new OpsError('pitr_repo_unreadable', `pgbackrest info does not list stanza ${cfg.stanza}.`, 'Check the stanza name against the repo (`pgbackrest info`).');
  // 0 ok, 2 no valid backups (still readable); anything else is a repo we cannot use.
  if (s.status.code !== 0 && s.status.code !== 2) {
    throw new OpsError('pitr_repo_unreadable', `The pgBackRest repo of stanza ${cfg.stanza} cannot be used: ${s.status.message}.`, s.status.code === 1 ? 'No such stanza in this repo: check the repo path (or bucket) and the stanza name, or create it (pgbackrest stanza-create).' : 'Run `pgbackrest info` and `pgbackrest check` for the stanza to see what is wrong.');
  }
  const newest = s.db.at(-1);
  const archive = s.archive.find((a) => newest && a.id.endsWith(`-${newest.id}`)) ?? s.archive.at(-1);
  return {
    backups: s.backup
      .filter((b) => !b.error)
      .map((b) => ({
        label: b.label,
        type: b.type,
        startedAt: iso(b.timestamp.start),
        finishedAt: iso(b.timestamp.stop),
        ...(b.lsn ? { lsnStart: b.lsn.start, lsnStop: b.lsn.stop } : {}),
        bytes: b.info.size,
        repoBytes: b.info.repository.delta,
      })),
    archive: { ...(archive?.min ? { min: archive.min } : {}), ...(archive?.max ? { max: archive.max } : {}) },
    ...(newest ? { major: Number.parseInt(newest.version, 10) } : {}),
  };
}

export interface ArchiverRow {
  archive_mode: string;
  archive_timeout_sec: number;
  pushes_to_pgbackrest: boolean;
  archived_count: string;
  last_archived_wal: string | null;
  last_archived_time: Date | null;
  last_archived_age_sec: number | null;
  failed_count: string;
  last_failed_wal: string | null;
  last_failed_time: Date | null;
  current_wal: string | null;
  ready_count: number | null;
}

/** pg_stat_archiver and the archive settings of the live server (one row of health_wal_archiving). */
export function archiverOf(r: ArchiverRow): ArchiverState {
  return {
    archiveMode: r.archive_mode,
    archiveTimeoutSec: r.archive_timeout_sec,
    pushesToPgbackrest: r.pushes_to_pgbackrest,
    archivedCount: Number(r.archived_count),
    ...(r.last_archived_wal ? { lastArchivedWal: r.last_archived_wal } : {}),
    ...(r.last_archived_time ? { lastArchivedAt: r.last_archived_time.toISOString() } : {}),
    ...(r.last_archived_age_sec !== null ? { lastArchivedAgeSec: Math.max(0, r.last_archived_age_sec) } : {}),
    failedCount: Number(r.failed_count),
    ...(r.last_failed_wal ? { lastFailedWal: r.last_failed_wal } : {}),
    ...(r.last_failed_time ? { lastFailedAt: r.last_failed_time.toISOString() } : {}),
    ...(r.current_wal ? { currentWal: r.current_wal } : {}),
    ...(r.ready_count !== null ? { readyCount: r.ready_count } : {}),
  };
}

export async function archiverState(db: Database): Promise<ArchiverState> {
  return archiverOf((await db.query<ArchiverRow>(loadSql('health_wal_archiving'), [], { purpose: 'monitor' })).rows[0]!);
}

/** From the end of the oldest backup to the last archived WAL (what pg_stat_archiver saw shipped). */
export function recoverableWindow(backups: PitrBackup[], archiver: ArchiverState | undefined): PitrStatus['window'] {
  const oldest = [...backups].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))[0];
  if (!oldest) return undefined;
  const newestBackup = backups.reduce((m, b) => (b.finishedAt > m ? b.finishedAt : m), oldest.finishedAt);
  const to = archiver?.lastArchivedAt && archiver.lastArchivedAt > newestBackup ? archiver.lastArchivedAt : newestBackup;
  return { from: oldest.finishedAt, to };
}

/**
 * The whole status. Never throws for what it reports: a missing pgbackrest, an unreadable repo or a
 * server that cannot be asked end up in `engine.error` / `error`, with the parts that could be read.
 */
export async function pitrStatus(cfg: PitrConfig | undefined, db: Database | undefined, source?: PitrStatus['source'], now = new Date()): Promise<PitrStatus> {
  const base = { backups: [] as PitrBackup[], archive: {}, checkedAt: now.toISOString() };
  let engine: Engine | undefined;
  let engineState: PitrStatus['engine'];
  try {
    engine = findEngine();
    engineState = { ok: true, version: engine.version };
  } catch (err) {
    engineState = { ok: false, error: toWireError(err) };
  }
  let archiver: ArchiverState | undefined;
  let error: PitrStatus['error'];
  if (db) {
    try {
      archiver = await archiverState(db);
    } catch (err) {
      error = toWireError(err);
    }
  }
  if (!cfg) return { ...base, configured: false, engine: engineState, ...(archiver ? { archiver } : {}), ...(error ? { error } : {}) };
  let info: StanzaInfo | undefined;
  if (engine) {
    try {
      info = await stanzaInfo(engine, cfg);
    } catch (err) {
      error = toWireError(err);
    }
  }
  const window = info ? recoverableWindow(info.backups, archiver) : undefined;
  return {
    ...base,
    configured: true,
    ...(source ? { source } : {}),
    config: cfg,
    engine: engineState,
    ...(info ? { backups: info.backups, archive: info.archive } : {}),
    ...(archiver ? { archiver } : {}),
    ...(window ? { window } : {}),
    ...(error ? { error } : {}),
  };
}
