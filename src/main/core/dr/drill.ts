/**
 * Drills (issue 11): a scenario's recovery path run unattended on scratch objects only, measured.
 *
 * - deletion: the tenant's newest backup is restored into a new scratch database (pfo_drill_…) under the
 *   tenant's own name; rows are deleted there from two tables at the incident time; then the deletion
 *   runbook runs in drill mode against that database (restore point before the incident, restore beside,
 *   diff, merge back), every backup row is checked to be back, and the scratch database is dropped.
 * - system-failure: the newest full backup is restored into a new scratch database, verified, analysed
 *   and dropped.
 * - corruption: on a throwaway embedded cluster only (corruptionDrill below).
 *
 * A drill run is an ordinary run with drill: true; the engine refuses any of its actions on a database not
 * named as a drill's. Steps a drill cannot or must not do unattended (ending sessions, restoring roles,
 * which are cluster-wide, a fresh backup of a copy about to be dropped, actions not built) are skipped,
 * saying why. The live database's fingerprint is taken before and after.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CatalogEntry } from '../../../shared/domain/backups';
import type { DrAction, DrillRecord, DrRun, Scenario } from '../../../shared/domain/dr';
import { readCatalog } from '../backup/catalog';
import { countTableRowsIn } from '../backup/row-counts';
import { drillDatabaseName, sideSchemaName, SUFFIX } from '../backup/naming';
import { restoreBackup } from '../backup/restore';
import { Database } from '../db/database';
import { loadSql } from '../db/sql';
import type { TaskContext } from '../tasks/tasks';
import { OpsError, toWireError } from '../util/errors';
import { ACTIONS, type BackupTools } from './registry';
import { chooseRestorePoint } from './restore-point';
import { loadRunbook } from './runbooks';
import { runCorruptionDrill, startDrillCluster } from './security';
import type { DrConnection, DrService } from './service';

/** Not done in a drill, and why. */
const DRILL_SKIPS: Partial<Record<DrAction, string>> = {
  terminate_role_sessions: 'a drill ends no sessions: nothing runs against its scratch copy',
  restore_globals: 'roles are cluster-wide: a drill creates none',
  fresh_backup: "the drill's copy is dropped at the end; the live database's protection is unchanged",
};

export interface DrillDeps {
  service: DrService;
  conn: DrConnection;
  backups: BackupTools;
  now: () => number;
  /** The live database's catalog and row-count fingerprint (of the tenants named, else of all). */
  fingerprint: (db: Database, tenants?: string[]) => Promise<string>;
  where?: { destination?: string; keyFiles?: string[] };
  runbookDir?: string;
}

const q = (id: string) => pg.escapeIdentifier(id);
const manifestName = (e: CatalogEntry) => e.manifest.replace(/^.*\//, '').slice(0, -SUFFIX.manifest.length);

function on(db: Database, database: string): Database {
  return new Database({ ...db.target, database }, db.toolCredential());
}

async function dropDatabase(db: Database, name: string): Promise<void> {
  await db.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`, [], { purpose: 'admin' });
}

/** Walk a drill run to its end: checklists recorded, decisions take the recommended option, actions run. */
async function walk(deps: DrillDeps, runId: string, inputsFor: (step: string) => Record<string, string> = () => ({}), signal?: AbortSignal): Promise<DrRun> {
  const { service } = deps;
  for (;;) {
    const run = await service.run(runId);
    if (run.status !== 'open') return run;
    if (signal?.aborted) return service.cancel({ runId, run: true });
    const step = run.steps.find((s) => s.id === run.currentStep)!;
    if (step.status === 'failed' || step.status === 'cancelled') return service.fail(runId);
    const adapter = step.action ? ACTIONS[step.action] : undefined;
    const skip = step.action ? (DRILL_SKIPS[step.action] ?? adapter?.clusterWide ?? (adapter ? undefined : `the console cannot run ${step.action} yet`)) : undefined;
    try {
      if (skip) await service.next({ runId, skip: true, note: `drill: ${skip}` });
      else await service.next({ runId, note: 'drill (unattended)', ...(step.kind === 'decision' ? { choose: 'recommended' } : {}), inputs: inputsFor(step.id) }, { wait: true });
    } catch (err) {
      // Refused before it ran (an input, a live target): the drill ends failed, saying why.
      drillErrors.set(runId, (err as Error).message);
      return service.fail(runId);
    }
  }
}

/** Why a drill run was failed by the walk itself (a step refused before it ran). */
const drillErrors = new Map<string, string>();

function record(run: DrRun, extra: Partial<DrillRecord>): DrillRecord {
  const walkError = drillErrors.get(run.id);
  drillErrors.delete(run.id);
  const outcome = run.status === 'succeeded' ? 'succeeded' : run.status === 'cancelled' ? 'cancelled' : 'failed';
  return {
    runId: run.id,
    scenario: run.scenario,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? run.startedAt,
    outcome,
    rtoTargetSec: run.rto.targetSec,
    rtoMeasuredSec: run.rto.elapsedSec,
    ...(run.rpo.targetSec !== undefined ? { rpoTargetSec: run.rpo.targetSec } : {}),
    ...(run.rpo.achievedSec !== undefined ? { rpoAchievedSec: run.rpo.achievedSec } : {}),
    steps: run.steps.map((s) => ({ id: s.id, ...(s.action ? { action: s.action } : {}), status: s.status, ...(s.startedAt && s.finishedAt ? { durationSec: (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 } : {}) })),
    ...(run.status !== 'succeeded' ? { error: walkError ?? run.steps.find((s) => s.error)?.error?.message ?? `the drill ended ${run.status}` } : {}),
    ...extra,
  };
}

/** The tenant a deletion drill copies: the one named, else the one with the largest own backup. */
function pickTenant(entries: CatalogEntry[], tenant?: string): string {
  if (tenant) return tenant;
  const own = entries.filter((e) => e.kind === 'tenant' && e.tenant).sort((a, b) => b.bytes - a.bytes)[0];
  const listed = entries.find((e) => e.kind === 'all-tenants' && (e as { _tenants?: string[] })._tenants?.length);
  const t = own?.tenant ?? (listed as { _tenants?: string[] } | undefined)?._tenants?.[0];
  if (!t) throw new OpsError('no_restore_point', 'No tenant backup at the destination to drill with.', 'Back up a tenant (or all tenants) first.');
  return t;
}

async function deletionDrill(deps: DrillDeps, tenantWanted: string | undefined, ctx: Pick<TaskContext, 'signal' | 'log'>): Promise<{ run: DrRun; extra: Partial<DrillRecord> }> {
  const { conn, backups, service } = deps;
  const entries = (await readCatalog(backups.dest)).filter((e) => e.database === conn.database);
  const tenant = pickTenant(entries, tenantWanted);
  const point = chooseRestorePoint(entries, { tenant, database: conn.database, incidentAt: new Date(deps.now()).toISOString() });
  const scratch = drillDatabaseName(new Date(deps.now()));
  const sdb = on(conn.db, scratch);
  ctx.log(`Drill: copying ${tenant} from ${point.backup.id} into scratch database ${scratch}.`);
  await conn.db.query(`CREATE DATABASE ${q(scratch)} TEMPLATE template0`, [], { purpose: 'admin' });
  try {
    const side = sideSchemaName(tenant, new Date(deps.now()));
    const copy = await restoreBackup({ db: sdb, dest: backups.dest, name: manifestName(point.backup), keys: await backups.keys(), tenant, mode: 'side-schema', target: side, signal: ctx.signal, log: ctx.log });
    await sdb.query(`ALTER SCHEMA ${q(side)} RENAME TO ${q(tenant)}`, [], { purpose: 'admin' });
    const counts = async () => new Map((await countTableRowsIn(sdb, [tenant])).map((r) => [r.table, r.rows]));
    const before = await counts();
    // Two tables nothing references (deleting there cascades nowhere), the largest; a tenth of their rows.
    const leaves = (await sdb.query<{ table: string }>(loadSql('dr/drill_leaf_tables'), [tenant], { purpose: 'admin' })).rows.map((r) => r.table);
    const victims = leaves.filter((t) => (before.get(t) ?? 0) > 0).sort((a, b) => before.get(b)! - before.get(a)!).slice(0, 2);
    if (victims.length < 2) throw new OpsError('error', `Tenant ${tenant} has fewer than two tables with rows that nothing references; the deletion drill needs two.`, 'Drill another tenant (--tenant).');
    const incidentAt = new Date(deps.now()).toISOString();
    for (const t of victims) {
      const n = Math.max(1, Math.min(1000, Math.ceil(before.get(t)! / 10)));
      await sdb.query(`DELETE FROM ${q(tenant)}.${q(t)} WHERE ctid IN (SELECT ctid FROM ${q(tenant)}.${q(t)} LIMIT ${n})`, [], { purpose: 'admin' });
    }
    ctx.log(`Drill: deleted rows from ${victims.join(' and ')} of the scratch copy at ${incidentAt}.`);
    const opened = await service.start({ ...(conn.id ? { connectionId: conn.id } : {}), scenario: 'deletion', tenants: [tenant], incidentAt }, { drill: true, scratchDatabase: scratch, ...deps.where });
    const run = await walk(deps, opened.id, () => ({}), ctx.signal);
    // Every row of the backup back: the copy's counts are the backup's again.
    const after = await counts();
    const short = [...before].filter(([t, n]) => (after.get(t) ?? 0) < n);
    const extra: Partial<DrillRecord> = { bytes: point.backup.bytes, tenant, scratch: copy.database };
    if (run.status === 'succeeded' && short.length) {
      return { run: await service.fail(run.id), extra: { ...extra, error: `${short.length} table(s) still short of the backup's rows: ${short.map(([t]) => t).slice(0, 5).join(', ')}` } };
    }
    return { run, extra };
  } finally {
    await sdb.close().catch(() => {});
    await dropDatabase(conn.db, scratch);
  }
}

async function systemFailureDrill(deps: DrillDeps, ctx: Pick<TaskContext, 'signal' | 'log'>): Promise<{ run: DrRun; extra: Partial<DrillRecord> }> {
  const { conn, service } = deps;
  const target = drillDatabaseName(new Date(deps.now()));
  const opened = await service.start({ ...(conn.id ? { connectionId: conn.id } : {}), scenario: 'system-failure' }, { drill: true, ...deps.where });
  try {
    const run = await walk(deps, opened.id, (step): Record<string, string> => (step === 'full-restore' ? { database: target } : {}), ctx.signal);
    const point = run.steps.find((s) => s.action === 'choose_restore_point')?.output as { backup?: CatalogEntry } | undefined;
    return { run, extra: { ...(point?.backup ? { bytes: point.backup.bytes } : {}), scratch: target } };
  } finally {
    await dropDatabase(conn.db, target);
  }
}

/**
 * corruption: never on the live server. A throwaway embedded cluster in a temporary folder gets a scratch
 * table, a backup, the table's heap file damaged with the server stopped; integrity_check must name it,
 * salvage_dump must dump the rest of the tenant, the backup must restore the table whole beside
 * (security/drill.ts). The measured RTO is the whole drill on the throwaway cluster (its start excluded).
 */
async function corruptionDrill(deps: Omit<DrillDeps, 'backups'>, ctx: Pick<TaskContext, 'signal' | 'log'>): Promise<DrillRecord> {
  const runbook = await loadRunbook('corruption', deps.runbookDir);
  const rtoTargetSec = await deps.service.rtoTarget(deps.conn.id, runbook);
  const runId = `${new Date(deps.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-corruption-drill-${randomBytes(3).toString('hex')}`;
  ctx.log('Drill: starting a throwaway PostgreSQL cluster (the live server is not touched).');
  const cluster = await startDrillCluster({ signal: ctx.signal, log: ctx.log });
  const startedAt = new Date(deps.now()).toISOString();
  const base = { runId, scenario: 'corruption' as const, startedAt, rtoTargetSec, scratch: cluster.dir };
  try {
    const r = await runCorruptionDrill(cluster, ctx.signal);
    const finishedAt = new Date(deps.now()).toISOString();
    const restoredWhole = r.restored.rows === r.restored.expectedRows;
    const ok = r.before.ok && r.detected && restoredWhole;
    const status = (done: boolean) => (done ? ('succeeded' as const) : ('failed' as const));
    ctx.log(`Drill: ${r.damaged} damaged; ${r.detected ? 'detected' : 'NOT detected'} by ${r.after.tool.name}; salvage ${r.salvage.bytes} bytes; restored ${r.restored.rows} of ${r.restored.expectedRows} rows into ${r.restored.schema}.`);
    return {
      ...base,
      finishedAt,
      outcome: ok ? 'succeeded' : 'failed',
      rtoMeasuredSec: (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000,
      steps: [
        { id: 'integrity', action: 'integrity_check', status: status(r.detected) },
        { id: 'salvage', action: 'salvage_dump', status: 'succeeded' },
        { id: 'restore-beside', action: 'restore_beside', status: status(restoredWhole) },
      ],
      tenant: r.tenant,
      corruption: {
        damaged: r.damaged,
        detected: r.detected,
        cleanBefore: r.before.ok,
        tool: r.after.tool.name,
        salvage: { bytes: r.salvage.bytes, sha256: r.salvage.sha256, excluded: r.salvage.excluded },
        restored: { schema: r.restored.schema, rows: r.restored.rows, expectedRows: r.restored.expectedRows },
      },
      ...(ok ? {} : { error: !r.before.ok ? 'the check found damage before the drill damaged anything' : !r.detected ? `the check did not name ${r.damaged}` : `${r.restored.rows} of ${r.restored.expectedRows} rows restored` }),
    };
  } catch (err) {
    const w = toWireError(err);
    const finishedAt = new Date(deps.now()).toISOString();
    return { ...base, finishedAt, outcome: w.code === 'cancelled' ? 'cancelled' : 'failed', rtoMeasuredSec: (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000, steps: [], error: `${w.code}: ${w.message}` };
  } finally {
    await cluster.dispose();
  }
}

/** The corruption drill, start to end (it needs no backups of the live database); recorded whatever the outcome. */
export async function runCorruptionDrillRecord(deps: Omit<DrillDeps, 'backups'>, ctx: Pick<TaskContext, 'signal' | 'log'>): Promise<DrillRecord> {
  // The live database is fingerprinted around it all the same: proof that the drill never touched it.
  const before = await deps.fingerprint(deps.conn.db);
  const rec = await corruptionDrill(deps, ctx);
  const after = await deps.fingerprint(deps.conn.db);
  rec.fingerprint = { before, after, unchanged: before === after };
  if (before !== after) Object.assign(rec, { outcome: 'failed', error: 'The live database changed during the drill (its fingerprint differs).' });
  await deps.service.recordDrill(rec);
  return rec;
}

/** One drill, start to end; the record is appended to the drill history whatever the outcome. */
export async function runDrill(deps: DrillDeps, input: { scenario: Scenario; tenant?: string }, ctx: Pick<TaskContext, 'signal' | 'log'>): Promise<DrillRecord> {
  if (input.scenario !== 'deletion' && input.scenario !== 'system-failure') {
    throw new OpsError('action_not_built', `There is no drill for ${input.scenario} yet; drills exist for deletion, system-failure and corruption.`, 'Nothing was changed.');
  }
  // A deletion drill's rows are counted for the tenant it copies (counting every tenant's rows costs a
  // read of the whole database); the catalog part always covers the whole database.
  const tenant = input.scenario === 'deletion' ? pickTenant((await readCatalog(deps.backups.dest)).filter((e) => e.database === deps.conn.database), input.tenant) : undefined;
  const before = await deps.fingerprint(deps.conn.db, tenant ? [tenant] : undefined);
  const { run, extra } = input.scenario === 'deletion' ? await deletionDrill(deps, tenant, ctx) : await systemFailureDrill(deps, ctx);
  const after = await deps.fingerprint(deps.conn.db, tenant ? [tenant] : undefined);
  const rec = record(run, { ...extra, fingerprint: { before, after, unchanged: before === after } });
  if (!rec.fingerprint!.unchanged) Object.assign(rec, { outcome: 'failed', error: 'The live database changed during the drill (its fingerprint differs).' });
  await deps.service.recordDrill(rec);
  return rec;
}
