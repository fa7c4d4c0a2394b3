/**
 * One tenant as it was at a moment (a time, an LSN or a named restore point), beside the live tenant.
 *
 * pgBackRest restores whole clusters, so: restore the cluster to the target into a scratch folder
 * (`--db-include` keeps only the tenant's database's files real), start it with server binaries of its
 * major version until recovery stops at the target and promotes, check from the server's own log that it
 * stopped at the target, rename the tenant there to its side-schema name (the scratch is ours to change)
 * and copy that schema with `pg_dump -n | pg_restore --single-transaction` into the live database: the
 * same side schema, lock and origin comment as a logical restore beside (backup/restore.ts). The scratch
 * server is stopped and its folder removed however this ends: success, failure or cancel.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { PitrConfig, PitrPhase, PitrRestoreResult, PitrTarget } from '../../../shared/domain/pitr';
import { checkIdentifier, sideSchemaName } from '../backup/naming';
import { copySchema, repointSearchPaths, restoreLockKey, schemaExists, withTargetLock } from '../backup/restore';
import { countTableRowsIn } from '../backup/row-counts';
import { originComment } from '../backup/restored-copies';
import { restoreTools, serverFacts } from '../backup/tools';
import { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { OpsError } from '../util/errors';
import { findEngine, runEngine, type Engine } from './pgbackrest';
import { makeScratchDir, removeScratch, serverBinaries, startScratchServer, type ScratchServer } from './scratch';
import { archiverState, stanzaInfo } from './status';

export interface TenantPitrRequest {
  db: Database;
  cfg: PitrConfig;
  tenant: string;
  target: PitrTarget;
  /** The side schema (default <tenant>__restored_<stamp>). */
  intoSchema?: string;
  /** Where the scratch folder goes (default the OS temp folder); the server's OS user must reach it. */
  scratchBase?: string;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  /** Called as each phase starts: i of PHASES.length. */
  phase?: (phase: PitrPhase, index: number, total: number) => void;
  now?: () => Date;
}

export const PHASES: readonly PitrPhase[] = ['restore', 'start', 'check', 'copy', 'cleanup'];
const q = (id: string) => pg.escapeIdentifier(id);

/** pgbackrest's --type/--target for a target (time in UTC, as pgbackrest hands it to the server). */
export function targetArgs(t: PitrTarget): string[] {
  if (t.type === 'time') return ['--type=time', `--target=${new Date(t.value).toISOString().replace('T', ' ').replace('Z', '+00')}`];
  if (t.type === 'lsn') return ['--type=lsn', `--target=${t.value}`];
  return ['--type=name', `--target=${t.value}`];
}

export function describeTarget(t: PitrTarget): string {
  return t.type === 'time' ? new Date(t.value).toISOString() : t.type === 'lsn' ? `LSN ${t.value}` : `restore point "${t.value}"`;
}

/** Where recovery stopped, from the scratch server's log; undefined when it never met the target. */
export function recoveryStop(log: string): { stoppedAt?: string; lastTransactionAt?: string } {
  const stopped = /LOG: {2}recovery stopping ([^\n]+)/.exec(log)?.[1]?.trim();
  const last = /last completed transaction was at log time ([^\n]+)/.exec(log)?.[1]?.trim();
  return { ...(stopped ? { stoppedAt: stopped } : {}), ...(last ? { lastTransactionAt: new Date(last.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString() } : {}) };
}

/** A target this much older than the last archiving is taken to be in the archive already. */
const FLUSH_MARGIN_MS = 5 * 60_000;

/**
 * Before restoring to a recent moment: close the current WAL segment and wait (up to `waitMs`) until the
 * archiver shipped it, so the WAL up to the target is in the repo. Best effort: without the privilege
 * (pg_switch_wal) it says so and the restore goes on with what is archived.
 */
async function flushArchive(db: Database, log: (m: string) => void, signal?: AbortSignal, waitMs = 60_000): Promise<void> {
  let wal: string;
  try {
    wal = (await db.query<{ wal: string }>(loadSql('pitr/switch_wal'), [], { purpose: 'admin' })).rows[0]!.wal;
  } catch (err) {
    log(`Could not switch WAL (${(err as Error).message}); restoring with what the archiver has shipped so far.`);
    return;
  }
  const until = Date.now() + waitMs;
  for (;;) {
    signal?.throwIfAborted();
    const a = await archiverState(db);
    // Segment names of one timeline sort in WAL order.
    if (a.lastArchivedWal && a.lastArchivedWal.slice(8) >= wal.slice(8)) return;
    if (Date.now() > until) {
      log(`WAL segment ${wal} is not archived after ${waitMs / 1000} s${a.lastFailedWal ? ` (last failure: ${a.lastFailedWal})` : ''}; restoring with what is archived.`);
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function restoreTenantToPoint(req: TenantPitrRequest): Promise<PitrRestoreResult> {
  const started = Date.now();
  const log = req.log ?? (() => {});
  const now = req.now ?? (() => new Date());
  const { db, cfg, tenant } = req;
  const side = req.intoSchema ?? sideSchemaName(tenant, now());
  checkIdentifier(side, 'schema');
  // Everything that can refuse does so before anything is written: the engine, the repo, the binaries, the tools, the name.
  const engine = findEngine();
  const info = await stanzaInfo(engine, cfg, req.signal);
  if (!info.backups.length) throw new OpsError('pitr_target_unreachable', `Stanza ${cfg.stanza} holds no backup yet.`, 'Take a full backup first (pgbackrest --stanza=… backup --type=full).');
  const facts = await serverFacts(db);
  const major = info.major ?? Math.floor(facts.server_version_num / 10_000);
  const bin = serverBinaries(major);
  const tools = await restoreTools(db);
  if (await schemaExists(db, side)) throw new OpsError('target_exists', `Schema ${side} already exists in ${db.target.database}.`, 'Pick another name (--into-schema) or drop it first; nothing was changed.');
  // The last archiving's time is not the time of the WAL it shipped: a segment closed by archive_timeout
  // a moment after the target can end before the first commit after it, which recovery must see to stop
  // there. So the current segment is closed and shipped unless the target is well before the last archiving.
  const lastArchived = (await archiverState(db).catch(() => undefined))?.lastArchivedAt;
  const wellBefore = req.target.type === 'time' && lastArchived !== undefined && Date.parse(lastArchived) - Date.parse(req.target.value) > FLUSH_MARGIN_MS;
  if (!wellBefore) await flushArchive(db, log, req.signal);

  return withTargetLock(db, restoreLockKey(db, { schema: side }), `schema ${side} of ${db.target.database}`, async () => {
    const timings: { phase: PitrPhase; ms: number }[] = [];
    let current: PitrPhase | undefined;
    let phaseStart = Date.now();
    const enter = (p: PitrPhase | undefined) => {
      if (current) timings.push({ phase: current, ms: Date.now() - phaseStart });
      current = p;
      phaseStart = Date.now();
      if (p) req.phase?.(p, PHASES.indexOf(p), PHASES.length);
    };
    const scratch = await makeScratchDir(req.scratchBase);
    let server: ScratchServer | undefined;
    try {
      enter('restore');
      const dataDir = path.join(scratch, 'data');
      log(`pgbackrest restore of stanza ${cfg.stanza} to ${describeTarget(req.target)} into ${scratch}.`);
      await pgbackrestRestore(engine, cfg, dataDir, req.target, db.target.database, log, req.signal);
      enter('start');
      log(`Starting PostgreSQL ${bin.version} on the copy; it replays WAL up to the target.`);
      server = await startScratchServer(bin, scratch, dataDir, req.signal);
      enter('check');
      const stop = recoveryStop(server.log());
      if (!stop.stoppedAt) throw new OpsError('pitr_target_unreachable', `Recovery replayed all the archived WAL without meeting ${describeTarget(req.target)}.`, 'Pick a target inside the recoverable window.');
      log(`Recovery stopped ${stop.stoppedAt}${stop.lastTransactionAt ? `; the last transaction replayed is of ${stop.lastTransactionAt}` : ''}.`);
      const sdb = new Database({ host: server.host, port: server.port, database: db.target.database, user: db.target.user, sslmode: 'disable' }, { source: 'none' });
      try {
        const held = await sdb.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tenant], { purpose: 'admin' });
        if (!held.rowCount) throw new OpsError('no_such_tenant', `Tenant ${tenant} did not exist in ${db.target.database} at ${describeTarget(req.target)}.`, 'Check the tenant and the target time; nothing was changed.');
        await sdb.query(`ALTER SCHEMA ${q(tenant)} RENAME TO ${q(side)}`, [], { purpose: 'admin' });
        await repointSearchPaths(sdb, tenant, side);
        const label = [...info.backups].reverse().find((b) => req.target.type !== 'time' || b.finishedAt <= new Date(req.target.value).toISOString())?.label;
        await sdb.query(originComment(side, { kind: 'restored', tenant, at: now().toISOString(), backup: `pgBackRest ${cfg.stanza}${label ? ` ${label}` : ''} to ${describeTarget(req.target)}` }), [], { purpose: 'admin' });
        enter('copy');
        log(`Copying ${tenant} as of the target into ${db.target.database} as ${side} (one transaction).`);
        const env: NodeJS.ProcessEnv = { ...process.env, PGHOST: server.host, PGPORT: String(server.port), PGUSER: db.target.user, PGDATABASE: db.target.database, PGSSLMODE: 'disable', PGAPPNAME: 'podcastflow-ops', PGCONNECT_TIMEOUT: '10' };
        delete env.PGPASSWORD;
        await copySchema(db, env, side, tools, req.signal);
        const counts = await countTableRowsIn(db, [side]);
        const rows = counts.reduce((n, r) => n + r.rows, 0);
        log(`Restored ${counts.length} tables, ${rows} rows into ${side}.`);
        enter('cleanup');
        return {
          tenant,
          database: db.target.database,
          schema: side,
          target: req.target,
          ...(label ? { backupLabel: label } : {}),
          stoppedAt: stop.stoppedAt,
          ...(stop.lastTransactionAt ? { lastTransactionAt: stop.lastTransactionAt } : {}),
          tables: counts.length,
          rows,
          phases: timings,
          durationMs: Date.now() - started,
        };
      } finally {
        await sdb.close().catch(() => {});
      }
    } finally {
      await server?.stop();
      await removeScratch(scratch);
      enter(undefined);
    }
  });
}

/** pgbackrest restore into dataDir; a database that did not exist at the backup is restored without --db-include. */
async function pgbackrestRestore(engine: Engine, cfg: PitrConfig, dataDir: string, target: PitrTarget, database: string, log: (m: string) => void, signal?: AbortSignal): Promise<void> {
  const args = [`--pg1-path=${dataDir}`, ...targetArgs(target), '--target-action=promote', '--archive-mode=off'];
  const opts = signal ? { signal } : {};
  try {
    await runEngine(engine, cfg, 'restore', [...args, `--db-include=${database}`], opts);
  } catch (err) {
    if (!(err instanceof OpsError) || !/\[080\]/.test(err.message)) throw err;
    log(`Database ${database} is not in the backup (made after it): restoring every database, its WAL brings ${database} back.`);
    await rm(dataDir, { recursive: true, force: true });
    await runEngine(engine, cfg, 'restore', args, opts);
  }
}
