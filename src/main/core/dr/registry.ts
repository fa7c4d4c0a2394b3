/**
 * The DR actions the engine can run: DrAction -> an adapter over the existing services (restore points,
 * verify, restore, backup). An action without an adapter is refused before anything changes. Each adapter
 * names the databases it acts on, so that a drill is refused on anything but its scratch database.
 */
import type { CatalogEntry } from '../../../shared/domain/backups';
import { createHash } from 'node:crypto';
import { chmod, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DrAction } from '../../../shared/domain/dr';
import type { SecretRef } from '../../../shared/domain/secrets';
import { resultOf, runBackup } from '../backup/backup';
import type { Destination } from '../backup/destination';
import type { BackupKey } from '../backup/keys';
import { dropRestoredCopy } from '../backup/restored-copies';
import { checkIdentifier, restoredDatabaseName, SUFFIX } from '../backup/naming';
import { restoreBackup, verifyBackup } from '../backup/restore';
import { restoreTools, serverFacts } from '../backup/tools';
import { Database } from '../db/database';
import { connectionLost, isConnectionLost, OpsError } from '../util/errors';
import { makeDirs } from '../util/paths';
import { readManifest } from '../backup/archive';
import { analyzeDatabase, verifyRestoredCounts } from './actions/database';
import { diffSchemas } from './actions/diff';
import { freezeTenant, terminateRoleSessions, thawTenant, type RevokedPrivilege } from './actions/freeze';
import { planMerge, runMerge } from './actions/merge';
import { bestRestorePoint } from '../pitr/restore-points';
import { catalogRestorePoints, type PitrHook, type PitrRestorePoint, type RestorePointQuery } from './restore-point';
import { backupIntegritySweep, breachScope, breachScopeCsv, captureEvidence, integrityCheck, lockRole, persistenceHunt, readBaseline, rotateRolePassword, salvageDump, unlockRole, baselineId, NO_BASELINE_HINT, type Db, type LockRecord, type Session } from './security';

/** Where the run's backups are, and the keys to read and write them. */
export interface BackupTools {
  dest: Destination;
  /** Every key that may open a backup (the active one and the older ones of the keyring). */
  keys(): Promise<BackupKey[]>;
  /** The key new backups are written with. */
  key(): Promise<BackupKey>;
  /** The catalog, where the host reads it its own way (the app: its default folder not made yet is empty). */
  catalog?(): Promise<CatalogEntry[]>;
}

export interface ActionEnv {
  /** The database the run acts on: the connection's, or a drill's scratch database. */
  db: Database;
  /** The database the backups were taken of (a drill's source). */
  sourceDatabase: string;
  backups: BackupTools;
  inputs: Record<string, unknown>;
  /** The object the step will create, decided before it starts (journalled, dropped on a retry after a crash). */
  partial?: { schema: string };
  incidentAt: string;
  /** The run's folder (<home>/dr/runs/<id>): evidence and salvage files go under it. */
  runDir: string;
  /** The app data directory (the security baseline is read from it, under the key of db's target). */
  home: string;
  /** The connection's Secrets Manager secret, when its credential comes from one. */
  secret?: SecretRef;
  stepId: string;
  /** 1 for the step's first attempt: a retry writes its files into a folder of its own. */
  attempt: number;
  /** The connection's point-in-time recovery, when it has pgBackRest set up (never in a drill). */
  pitr?: () => Promise<PitrHook | undefined>;
  signal: AbortSignal;
  log(message: string): void;
  progress(done: number, total?: number, unit?: string): void;
  now(): number;
}

export interface ActionAdapter {
  /** The databases the action writes to or reads live data of; none for catalog-only actions. */
  targets(env: Pick<ActionEnv, 'db' | 'inputs'>): string[];
  /** The side schema it will create, when it creates one. */
  partial?(env: Pick<ActionEnv, 'inputs' | 'now'>, sideName: (tenant: string, at: Date) => string): { schema: string } | undefined;
  run(env: ActionEnv): Promise<unknown>;
  /** Why a drill may not run it at all, when it acts on the whole cluster (roles): refused as drill_live_target. */
  clusterWide?: string;
  /** What it would do, for the operator to see before confirming (read-only). */
  preview?(env: Pick<ActionEnv, 'db' | 'inputs' | 'signal'>): Promise<unknown>;
}

function text(env: Pick<ActionEnv, 'inputs'>, name: string): string {
  const v = env.inputs[name];
  if (typeof v !== 'string' || !v) throw new OpsError('invalid_input', `The step needs its input ${name}.`, 'Give it with --input name=value (or start the run with it).');
  return v;
}

function optionalText(env: Pick<ActionEnv, 'inputs'>, name: string): string | undefined {
  const v = env.inputs[name];
  return typeof v === 'string' && v ? v : undefined;
}

/** The backup input when the restore-point step chose a point-in-time target instead of a logical backup. */
function pitrPoint(env: Pick<ActionEnv, 'inputs'>): PitrRestorePoint | undefined {
  const v = env.inputs.backup as PitrRestorePoint | undefined;
  return v !== null && typeof v === 'object' && v.source === 'pitr' ? v : undefined;
}

async function pitrOf(env: ActionEnv): Promise<PitrHook> {
  const hook = await env.pitr?.();
  if (!hook) throw new OpsError('pitr_not_configured', 'The restore point is a point-in-time target, but point-in-time recovery is not set up for this connection (any more).', 'Set up pgBackRest for it (Backups → Point in time), or run the restore-point step again to choose a logical backup.');
  return hook;
}

/** The restore point: with pgBackRest set up, the one of it and the backup catalog that loses least. */
async function chooseRestorePoint(env: ActionEnv, q: RestorePointQuery) {
  const catalog = catalogRestorePoints(env.backups.dest);
  const pitr = await env.pitr?.();
  const point = pitr ? await bestRestorePoint([catalog, pitr.provider], q) : await catalog.choose(q);
  // Say plainly which one the run uses (DR-REFERENCE).
  const uses =
    point.source === 'pitr'
      ? `point-in-time recovery through pgBackRest (stanza ${point.stanza}) to ${point.target.value}: ${point.rpoGapSec} s before the incident${point.alternatives[0] ? `; the newest logical backup would lose ${point.alternatives[0].rpoGapSec} s` : ''}`
      : `the logical backup ${point.backup.id} of ${point.backup.finishedAt}: ${point.rpoGapSec} s before the incident${pitr ? ' (point-in-time recovery has no closer restore point)' : ''}`;
  env.log(`Restore point: ${uses}.`);
  return { ...point, uses };
}

/** A backup input: the catalog entry an earlier step chose, or a manifest given by the operator. */
function backupName(env: Pick<ActionEnv, 'inputs'>): string {
  if (pitrPoint(env)) throw new OpsError('invalid_input', 'This step needs a logical backup; the restore point chosen is a point-in-time target.', 'Merge the lost rows back from the side schema instead, or do this step by hand and skip it; nothing was changed.');
  const v = env.inputs.backup;
  const manifest = typeof v === 'string' ? v : (v as CatalogEntry | undefined)?.manifest;
  if (!manifest || !manifest.endsWith(SUFFIX.manifest)) throw new OpsError('invalid_input', 'The step needs the backup to use (a <name>.manifest.json).', 'Run the restore-point step first, or give --input backup=MANIFEST.');
  return manifest.replace(/^.*\//, '').slice(0, -SUFFIX.manifest.length);
}

const own = (env: Pick<ActionEnv, 'db'>) => [env.db.target.database];
const none = () => [];

function onDatabase(db: Database, database: string): Database {
  return database === db.target.database ? db : new Database({ ...db.target, database }, db.toolCredential());
}

async function withDatabase<T>(db: Database, database: string, fn: (d: Database) => Promise<T>): Promise<T> {
  const d = onDatabase(db, database);
  try {
    return await fn(d);
  } finally {
    if (d !== db) await d.close();
  }
}

async function verified(env: ActionEnv, name: string) {
  const rec = await verifyBackup({ db: env.db, dest: env.backups.dest, name, keys: await env.backups.keys(), signal: env.signal, log: env.log, progress: (d, t, u) => env.progress(d, t, u) });
  if (!rec.ok) throw new OpsError('verify_failed', `Backup ${name} is NOT proven restorable: ${rec.error ?? `${rec.mismatches.length} tables differ from the manifest`}.`, 'Choose another restore point (an earlier backup) and run the step again.');
  return rec;
}

/**
 * A point-in-time target is proven by pgBackRest's own checks: the stanza's backups and archive read back,
 * and the target inside the recoverable window; the restore then checks recovery stopped at the target.
 */
async function verifiedPitr(env: ActionEnv, point: PitrRestorePoint) {
  const status = await (await pitrOf(env)).status();
  const problem = status.error?.message ?? (status.engine.ok ? undefined : status.engine.error?.message) ?? (status.window ? undefined : 'the repo holds no backup');
  if (problem || !status.window) throw new OpsError('verify_failed', `Point-in-time recovery to ${point.target.value} is NOT available: ${problem ?? 'no recoverable window'}.`, 'Fix pgBackRest (pitr status), or run the restore-point step again to choose a logical backup.');
  const at = Date.parse(point.target.value);
  if (at < Date.parse(status.window.from)) throw new OpsError('verify_failed', `The target ${point.target.value} is before pgBackRest's recoverable window (from ${status.window.from}).`, 'Run the restore-point step again.');
  const archived = at <= Date.parse(status.window.to);
  return {
    ok: true,
    source: 'pitr',
    stanza: point.stanza,
    target: point.target,
    window: status.window,
    backups: status.backups.length,
    note: `pgBackRest's own backups and WAL archive were checked (stanza ${point.stanza}: ${status.backups.length} backup(s), recoverable from ${status.window.from} to ${status.window.to}); ${archived ? 'the target is inside the window' : 'the WAL up to the target is not archived yet: the restore switches WAL and waits for the archiver'}. The restore checks recovery stopped at the target.`,
  };
}

const sideTenant = (env: Pick<ActionEnv, 'inputs'>) => {
  const tenant = text(env, 'tenant');
  checkIdentifier(tenant, 'tenant');
  return tenant;
};

/** A step's folder under the run's: evidence/<step>, a retry's evidence/<step>-<attempt>. */
function stepDir(env: ActionEnv, kind: string): { abs: string; rel: string } {
  const rel = join(kind, env.attempt > 1 ? `${env.stepId}-${env.attempt}` : env.stepId);
  return { abs: join(env.runDir, rel), rel };
}

/** One file written once into the run's folder (exclusive create, fsync, 0400), with its SHA-256. */
async function writeOnce(abs: string, text: string): Promise<string> {
  await makeDirs(dirname(abs));
  const h = await open(abs, 'wx', 0o600);
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  await chmod(abs, 0o400);
  return createHash('sha256').update(text).digest('hex');
}

/** A checked-out client of the admin pool: one session for a transaction (lock, unlock, rotation), released after. */
async function withSession<T>(db: Database, fn: (c: Session) => Promise<T>): Promise<T> {
  const client = await (await db.pool('admin')).connect();
  let broken: unknown;
  try {
    return await fn(client);
  } catch (err) {
    broken = err;
    throw err;
  } finally {
    // A session the server ended is not handed back to the pool.
    client.release(broken !== undefined && isConnectionLost(broken) ? (broken as Error) : undefined);
  }
}

/** The security actions query through pg directly: a session the server ended is `connection_lost`, as everywhere. */
function mapLost(a: ActionAdapter): ActionAdapter {
  return {
    ...a,
    run: (env) =>
      a.run(env).catch((err: unknown) => {
        throw isConnectionLost(err) ? connectionLost(err) : err;
      }),
  };
}

const admin = (db: Database): Promise<Db> => db.pool('admin');

const ROLES_ARE_CLUSTER_WIDE = 'roles are cluster-wide: a drill never locks, unlocks or rotates one';

/** The security actions of issue 12 (core/dr/security). */
const SECURITY_ACTIONS: Partial<Record<DrAction, ActionAdapter>> = {
  capture_evidence: {
    targets: own,
    run: async (env) => {
      const dir = stepDir(env, 'evidence');
      const files = await captureEvidence(await admin(env.db), { dir: dir.abs, signal: env.signal, progress: (p) => env.progress(p.done, p.total, p.unit), now: () => new Date(env.now()) });
      return { folder: dir.rel, files: files.length, evidence: files.map((f) => ({ file: join(dir.rel, f.file), sha256: f.sha256 })) };
    },
  },
  integrity_check: {
    targets: own,
    run: async (env) => {
      const schema = optionalText(env, 'tenant');
      const install = optionalText(env, 'installMissing');
      return integrityCheck({ db: env.db, ...(schema ? { schema } : {}), installMissing: install === 'yes' }, env.signal, (p) => env.progress(p.done, p.total, p.unit));
    },
  },
  salvage_dump: {
    targets: own,
    run: async (env) => {
      const tenant = sideTenant(env);
      const ex = env.inputs.exclude;
      const exclude = Array.isArray(ex) ? ex.map(String) : typeof ex === 'string' && ex ? ex.split(',').map((t) => t.trim()).filter(Boolean) : [];
      const dir = stepDir(env, 'salvage');
      await makeDirs(dir.abs);
      const out = await salvageDump({ db: env.db, tenant, exclude, file: join(dir.abs, `${tenant}.salvage.dump`) }, env.signal, (p) => env.progress(p.done, p.total, p.unit));
      const file = join(dir.rel, `${tenant}.salvage.dump`);
      return { ...out, file, evidence: [{ file, sha256: out.sha256 }] };
    },
  },
  persistence_hunt: {
    targets: (env) => [optionalText(env, 'database') ?? env.db.target.database],
    run: async (env) => {
      // The baseline of the connection's database (baseline.ts: one key from the app and the CLI), also when the hunt looks at a restored copy.
      const baseline = await readBaseline(env.home, baselineId(env.db.target));
      if (!baseline) throw new OpsError('no_baseline', `No security baseline was recorded for ${env.db.target.database} (as ${env.db.target.user} on ${env.db.target.host}:${env.db.target.port}), so there is nothing to hunt against.`, NO_BASELINE_HINT);
      return withDatabase(env.db, optionalText(env, 'database') ?? env.db.target.database, async (d) => persistenceHunt(await admin(d), baseline));
    },
  },
  breach_scope: {
    targets: own,
    run: async (env) => {
      const scope = await breachScope(await admin(env.db), { role: text(env, 'role') });
      const dir = stepDir(env, 'evidence');
      const file = join(dir.rel, 'breach-scope.csv');
      const sha256 = await writeOnce(join(env.runDir, file), breachScopeCsv(scope));
      return { ...scope, csv: file, evidence: [{ file, sha256 }] };
    },
  },
  lock_role: {
    targets: own,
    clusterWide: ROLES_ARE_CLUSTER_WIDE,
    run: (env) => withSession(env.db, (c) => lockRole(c, { role: text(env, 'role'), signal: env.signal, now: () => new Date(env.now()) })),
  },
  unlock_role: {
    targets: own,
    clusterWide: ROLES_ARE_CLUSTER_WIDE,
    run: (env) => withSession(env.db, (c) => unlockRole(c, env.inputs.lock as LockRecord)),
  },
  rotate_credentials: {
    targets: own,
    clusterWide: ROLES_ARE_CLUSTER_WIDE,
    run: (env) => {
      const role = text(env, 'role');
      // The connection's secret holds the console's own credential: it is updated only when that role is rotated.
      const secret = env.secret && role === env.db.target.user ? env.secret : undefined;
      return withSession(env.db, (c) => rotateRolePassword(c, { role, ...(secret ? { secret } : {}), signal: env.signal, now: () => new Date(env.now()) }));
    },
  },
  backup_integrity_sweep: {
    targets: none,
    run: async (env) => {
      const given = optionalText(env, 'destination');
      // The sweep checks the run's own destination with its keys; another one would need its own keys.
      if (given && given !== env.backups.dest.location) throw new OpsError('invalid_input', `The run's backups are at ${env.backups.dest.location}, not ${given}.`, 'Sweep another destination with its keys from a run started with --dest DEST --key-file FILE; nothing was checked.');
      return backupIntegritySweep(env.backups.dest, await env.backups.keys(), env.signal, (p) => env.progress(p.done, p.total, p.unit), { incidentAt: optionalText(env, 'incidentAt') ?? env.incidentAt, now: () => new Date(env.now()) });
    },
  },
};
export const ACTIONS: Partial<Record<DrAction, ActionAdapter>> = {
  terminate_role_sessions: {
    targets: own,
    run: async (env) => {
      const role = optionalText(env, 'role');
      // The role is optional: a person's one-off statement leaves no sessions to end.
      if (!role) return { terminated: 0, pids: [], note: 'no role named: no sessions ended' };
      return terminateRoleSessions(env.db, { role }, env.signal);
    },
  },
  freeze: { targets: own, run: (env) => freezeTenant(env.db, { tenant: sideTenant(env) }, env.signal) },
  thaw: {
    targets: own,
    run: async (env) => {
      const revoked = env.inputs.revoked;
      // Nothing frozen (the freeze step skipped): nothing to give back.
      if (!Array.isArray(revoked)) return { tenant: sideTenant(env), granted: [], note: 'the freeze step took nothing: nothing to give back' };
      return thawTenant(env.db, { tenant: sideTenant(env), revoked: revoked as RevokedPrivilege[] }, env.signal);
    },
  },
  diff: { targets: own, run: (env) => diffSchemas(env.db, { copy: text(env, 'copy'), live: sideTenant(env) }, env.signal) },
  merge_back: {
    targets: own,
    preview: async (env) => {
      const plan = await planMerge(env.db, { copy: text(env, 'copy'), live: sideTenant(env) }, env.signal);
      return { statements: plan.statements, skipped: plan.skipped, notes: plan.notes };
    },
    run: async (env) => {
      const plan = await planMerge(env.db, { copy: text(env, 'copy'), live: sideTenant(env) }, env.signal);
      env.log(`Merge plan: ${plan.statements.length} statement(s), ${plan.statements.reduce((n, s) => n + s.expectedRows, 0)} row(s) to bring back.`);
      for (const st of plan.statements) env.log(st.sql);
      const result = await runMerge(env.db, plan, env.signal);
      return { ...result, plan: { statements: plan.statements, skipped: plan.skipped, notes: plan.notes } };
    },
  },
  choose_restore_point: {
    targets: none,
    run: (env) =>
      chooseRestorePoint(env, {
        ...(optionalText(env, 'tenant') ? { tenant: optionalText(env, 'tenant')! } : {}),
        database: env.sourceDatabase,
        incidentAt: optionalText(env, 'incidentAt') ?? env.incidentAt,
      }),
  },
  check_tools: {
    targets: none,
    run: async (env) => {
      const [server, tools] = await Promise.all([serverFacts(env.db), restoreTools(env.db)]);
      return { server: server.server_version, pgDump: tools.pgDump.version, pgRestore: tools.pgRestore.version };
    },
  },
  verify_backup: {
    targets: none,
    run: async (env) => {
      const point = pitrPoint(env);
      return point ? verifiedPitr(env, point) : verified(env, backupName(env));
    },
  },
  restore_beside: {
    targets: own,
    partial: (env, sideName) => ({ schema: sideName(sideTenant(env), new Date(env.now())) }),
    run: async (env) => {
      const tenant = sideTenant(env);
      const point = pitrPoint(env);
      if (point) return (await pitrOf(env)).restoreBeside({ tenant, target: point.target, ...(env.partial ? { into: env.partial.schema } : {}), signal: env.signal, log: env.log, progress: (d, t, u) => env.progress(d, t, u) });
      const out = await restoreBackup({ db: env.db, dest: env.backups.dest, name: backupName(env), keys: await env.backups.keys(), tenant, mode: 'side-schema', ...(env.partial ? { target: env.partial.schema } : {}), signal: env.signal, log: env.log, progress: (d, t, u) => env.progress(d, t, u) });
      if (out.mismatches.length) throw new OpsError('verify_failed', `The copy ${out.schema ?? ''} differs from the backup's manifest in ${out.mismatches.length} tables.`, 'Drop the copy (restores drop) and choose another restore point.');
      return out;
    },
  },
  swap: {
    targets: own,
    run: async (env) => {
      const tenant = sideTenant(env);
      const key = await env.backups.key();
      return restoreBackup({
        db: env.db,
        dest: env.backups.dest,
        name: backupName(env),
        keys: await env.backups.keys(),
        tenant,
        mode: 'replace',
        // The step's own gate took the confirmation; replace mode asks for the tenant's name as well.
        confirm: tenant,
        signal: env.signal,
        log: env.log,
        progress: (d, t, u) => env.progress(d, t, u),
        safetyBackup: async (t) => (await runBackup({ db: env.db, dest: env.backups.dest, key, scope: { kind: 'tenant', tenant: t }, signal: env.signal, log: env.log })).manifestLocation,
      });
    },
  },
  drop_copy: { targets: own, run: (env) => dropRestoredCopy(env.db, text(env, 'copy')) },
  full_restore: {
    targets: (env) => [optionalText(env, 'database') ?? '(a new database)'],
    run: async (env) => {
      const name = backupName(env);
      const target = optionalText(env, 'database') ?? restoredDatabaseName(env.sourceDatabase, new Date(env.now()));
      const out = await restoreBackup({ db: env.db, dest: env.backups.dest, name, keys: await env.backups.keys(), mode: 'new-database', target, signal: env.signal, log: env.log, progress: (d, t, u) => env.progress(d, t, u) });
      if (out.mismatches.length) throw new OpsError('verify_failed', `The restored database ${target} differs from the backup's manifest in ${out.mismatches.length} tables.`, 'Look at the task log; drop the database and restore another backup.');
      if (out.kind !== 'all-tenants') return out;
      const note = `Backup ${name} is an all-tenants backup: ${target} holds every tenant schema, not the shared schemas (public). Bring those in from a source older than the intrusion before the application uses it.`;
      env.log(note);
      return { ...out, note };
    },
  },
  verify: {
    targets: (env) => [text(env, 'database')],
    run: async (env) => {
      const database = text(env, 'database');
      const m = await readManifest(env.backups.dest, backupName(env), env.signal);
      const check = await withDatabase(env.db, database, (d) => verifyRestoredCounts(d, m.tables));
      if (!check.ok) throw new OpsError('verify_failed', `Database ${database} differs from the backup's manifest in ${check.mismatches.length} tables.`, 'Look at the mismatches in the step output; restore another backup.');
      return { database, ...check };
    },
  },
  analyze: {
    targets: (env) => [text(env, 'database')],
    run: (env) => withDatabase(env.db, text(env, 'database'), (d) => analyzeDatabase(d, env.signal)),
  },
  fresh_backup: {
    targets: (env) => [optionalText(env, 'database') ?? env.db.target.database],
    run: async (env) => {
      const database = optionalText(env, 'database') ?? env.db.target.database;
      const key = await env.backups.key();
      const out = await withDatabase(env.db, database, (d) => runBackup({ db: d, dest: env.backups.dest, key, scope: { kind: 'full' }, signal: env.signal, log: env.log, progress: (n, t) => env.progress(n, t, 'bytes') }));
      const verify = await verified(env, out.manifest.name);
      return { backup: resultOf(out), verify };
    },
  },
  ...Object.fromEntries(Object.entries(SECURITY_ACTIONS).map(([k, a]) => [k, mapLost(a)])),
};

export function adapterOf(action: DrAction): ActionAdapter {
  const adapter = ACTIONS[action];
  if (!adapter) throw new OpsError('action_not_built', `The console cannot run the action ${action} yet.`, 'Do this step by hand and skip it (dr next --skip --note "what you did"); nothing was changed.');
  return adapter;
}
