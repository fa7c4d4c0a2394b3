/**
 * The DR run engine on real parts: embedded PostgreSQL 15, real backups in a local folder with a key file,
 * the journal on disk. Clocks are injected; nothing sleeps.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/main/core/backup/backup';
import { openDestination, type Destination } from '../../src/main/core/backup/destination';
import { loadKeyFile, type BackupKey } from '../../src/main/core/backup/keys';
import { isDrillDatabaseName, sideSchemaName } from '../../src/main/core/backup/naming';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import type { JournalEvent } from '../../src/main/core/dr/journal';
import { loadRunbook } from '../../src/main/core/dr/runbooks';
import { DrService, type DrHost } from '../../src/main/core/dr/service';
import { TaskManager } from '../../src/main/core/tasks/tasks';
import type { DrRun } from '../../src/shared/domain/dr';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/db';

const q = pg.escapeIdentifier;
let scratch: ScratchDatabase;
let db: Database;
let work: string;
let dest: Destination;
let key: BackupKey;
let tenant: string;
let backupDoneAt: number;
/** The injected clock: real time when the suite started, moved by hand. */
let clock = Date.now();

function open(url: string): Database {
  const { target, password } = parseUrl(`${url}${url.includes('?') ? '&' : '?'}sslmode=disable`);
  return new Database(target, password ? { password, source: 'url' } : { source: 'none' });
}
const sql = <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []) => withClient(scratch.url, (c) => c.query<R>(text, params));

function host(home: string, production = true): DrHost {
  return {
    home,
    tasks: new TaskManager(),
    now: () => clock,
    connection: async () => ({ id: 'c1', db, database: scratch.name, production }),
    backups: async () => ({ dest, keys: async () => [key], key: async () => key }),
  };
}

async function home(): Promise<string> {
  return mkdtemp(join(work, 'home-'));
}

/** A run folder written by hand: the pinned runbook and a journal (a crash's leftovers). */
async function writeRun(h: string, runId: string, scenario: 'deletion' | 'system-failure', events: JournalEvent[]): Promise<void> {
  const dir = join(h, 'dr', 'runs', runId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'runbook.json'), JSON.stringify(await loadRunbook(scenario)));
  await writeFile(join(dir, 'journal.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

const openedEvent = (runId: string, scenario: 'deletion' | 'system-failure', at: string): JournalEvent => ({
  type: 'opened',
  at,
  runId,
  scenario,
  runbookVersion: 2,
  drill: false,
  connection: 'c1',
  database: scratch.name,
  production: false,
  tenants: [tenant],
  incidentAt: at,
  rtoTargetSec: 7200,
  rpoTargetSec: 86400,
});

const stepOf = (r: DrRun, id: string) => r.steps.find((s) => s.id === id)!;

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 3, workload: false, plantProblems: false, scale: 0.05 });
  db = open(scratch.url);
  work = await mkdtemp(join(tmpdir(), 'pfo-dr-engine-'));
  const keyPath = join(work, 'backup.key');
  await writeFile(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString().trim() + '\n', { mode: 0o600 });
  key = await loadKeyFile(keyPath);
  dest = openDestination(join(work, 'backups'));
  tenant = (await sql<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'org\\_%' ORDER BY 1 LIMIT 1")).rows[0]!.n;
  await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant } });
  backupDoneAt = Date.now();
  clock = backupDoneAt + 60_000;
}, 240_000);

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('runs', () => {
  it('one open run per scenario and connection, with a clear error naming the open one', async () => {
    const svc = new DrService(host(await home()));
    const first = await svc.start({ scenario: 'deletion', tenants: [tenant] });
    await expect(svc.start({ scenario: 'deletion', tenants: [tenant] })).rejects.toMatchObject({ code: 'run_open', message: expect.stringContaining(first.id) });
    // Another scenario is another run; a closed run no longer blocks.
    const other = await svc.start({ scenario: 'system-failure' });
    expect(other.id).not.toBe(first.id);
    await svc.cancel({ runId: first.id, run: true });
    const again = await svc.start({ scenario: 'deletion', tenants: [tenant] });
    expect(again.status).toBe('open');
    // The runbook is pinned: a copy of it in the run's folder.
    expect(JSON.parse(await readFile(join(svc.drillsFile, '..', 'runs', again.id, 'runbook.json'), 'utf8')).version).toBe(again.runbookVersion);
  });

  it('skips a step only before it starts, after it failed or when interrupted; never while it runs, never a required step', async () => {
    const h = await home();
    const sleeper: ChildProcess = spawn('sleep', ['120']);
    try {
      const at = new Date(clock).toISOString();
      // Another live process runs step "scope": not interrupted, not skippable.
      await writeRun(h, 'run-live', 'deletion', [openedEvent('run-live', 'deletion', at), { type: 'started', at, step: 'scope', inputs: {}, pid: sleeper.pid! }]);
      const svc = new DrService(host(h, false));
      expect(stepOf(await svc.run('run-live'), 'scope').status).toBe('running');
      await expect(svc.next({ runId: 'run-live', skip: true })).rejects.toMatchObject({ code: 'step_running' });
      sleeper.kill();
      await new Promise((r) => sleeper.once('exit', r));
      // That process is gone: the step is interrupted, and may be skipped now.
      expect(stepOf(await svc.run('run-live'), 'scope')).toMatchObject({ status: 'failed', interrupted: true });
      const skipped = await svc.next({ runId: 'run-live', skip: true, note: 'known from the ticket' });
      expect(stepOf(skipped, 'scope')).toMatchObject({ status: 'skipped', skipReason: 'known from the ticket' });
      expect(skipped.currentStep).toBe('stop-sessions');
    } finally {
      sleeper.kill();
    }
    // A required step (re-establishing protection) cannot be skipped, even before it starts.
    const sf = await loadRunbook('system-failure');
    const at = new Date(clock).toISOString();
    const upTo = sf.steps.filter((s) => s.id !== 'fresh-backup').map((s): JournalEvent => ({ type: 'skipped', at, step: s.id, reason: 'test' }));
    await writeRun(h, 'run-sf', 'system-failure', [openedEvent('run-sf', 'system-failure', at), ...upTo]);
    const svc = new DrService(host(h, false));
    expect((await svc.run('run-sf')).currentStep).toBe('fresh-backup');
    await expect(svc.next({ runId: 'run-sf', skip: true })).rejects.toMatchObject({ code: 'skip_refused', message: expect.stringMatching(/required/) });
    expect((await svc.run('run-sf')).status).toBe('open');
  });

  it('a gate on production refuses without the typed database name, and changes nothing', async () => {
    const svc = new DrService(host(await home(), true));
    const r = await svc.start({ scenario: 'deletion', tenants: [tenant] });
    await svc.next({ runId: r.id, note: 'T0 known' });
    await svc.next({ runId: r.id, skip: true });
    // Write privileges held on the tenant's tables, by anyone (the ACLs themselves).
    const grants = () => sql<{ n: string }>(`SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a WHERE n.nspname = $1 AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE')`, [tenant]).then((x) => Number(x.rows[0]!.n));
    // The demo's application role owns its schemas (the freeze leaves owners); a writer that is not the owner:
    await sql(`GRANT INSERT ON ${q(tenant)}.invoices TO podcastflow_readonly`);
    const before = await grants();
    // The freeze: confirm and the typed database name on production.
    await expect(svc.next({ runId: r.id })).rejects.toMatchObject({ code: 'confirmation_required', message: expect.stringContaining(scratch.name) });
    await expect(svc.next({ runId: r.id, confirm: 'yes' })).rejects.toMatchObject({ code: 'confirmation_required' });
    const waiting = await svc.run(r.id);
    expect(stepOf(waiting, 'freeze')).toMatchObject({ status: 'pendingApproval', attempts: 0 });
    expect(await grants()).toBe(before);
    const frozen = await svc.next({ runId: r.id, confirm: scratch.name }, { wait: true });
    expect(stepOf(frozen, 'freeze').status).toBe('succeeded');
    expect(await grants()).toBeLessThan(before);
    await svc.cancel({ runId: r.id, run: true });
    // Put the privileges back for the other tests: thaw what the freeze took.
    const { thawTenant } = await import('../../src/main/core/dr/actions/freeze');
    await thawTenant(db, { tenant, revoked: (stepOf(frozen, 'freeze').output as { revoked: never[] }).revoked });
    expect(await grants()).toBe(before);
    await sql(`REVOKE INSERT ON ${q(tenant)}.invoices FROM podcastflow_readonly`);
  });

  it('refuses an action the console cannot run yet, changing nothing', async () => {
    const h = await home();
    const sf = await loadRunbook('system-failure');
    const at = new Date(clock).toISOString();
    // Up to "globals" (restore_globals is not built).
    // The restore path chosen, so that the steps of that path are not ruled out.
    const before = sf.steps.slice(0, sf.steps.findIndex((s) => s.id === 'globals')).map((s): JournalEvent => (s.id === 'path' ? { type: 'succeeded', at, step: s.id, chosen: 'restore' } : { type: 'skipped', at, step: s.id, reason: 'test' }));
    await writeRun(h, 'run-nb', 'system-failure', [openedEvent('run-nb', 'system-failure', at), ...before]);
    const svc = new DrService(host(h, false));
    await expect(svc.next({ runId: 'run-nb', confirm: 'yes' })).rejects.toMatchObject({ code: 'action_not_built' });
    expect(stepOf(await svc.run('run-nb'), 'globals')).toMatchObject({ status: 'notStarted', attempts: 0 });
  });
});

describe('cancel', () => {
  it('cancels the running step\'s task: the step ends cancelled, and a retry runs it again', async () => {
    const svc = new DrService(host(await home(), false));
    let r = await svc.start({ scenario: 'deletion', tenants: [tenant], incidentAt: new Date(backupDoneAt + 1000).toISOString() });
    r = await svc.next({ runId: r.id, note: 'scope' });
    for (let i = 0; i < 2; i++) r = await svc.next({ runId: r.id, skip: true }); // stop-sessions, freeze
    r = await svc.next({ runId: r.id }, { wait: true }); // restore point
    const running = await svc.next({ runId: r.id }); // verify-backup, not awaited
    expect(stepOf(running, 'verify-backup').status).toBe('running');
    await expect(svc.next({ runId: r.id, skip: true })).rejects.toMatchObject({ code: 'step_running' });
    const cancelled = await svc.cancel({ runId: r.id });
    expect(stepOf(cancelled, 'verify-backup')).toMatchObject({ status: 'cancelled', attempts: 1 });
    const retried = await svc.next({ runId: r.id }, { wait: true });
    expect(stepOf(retried, 'verify-backup')).toMatchObject({ status: 'succeeded', attempts: 2 });
    await svc.cancel({ runId: r.id, run: true });
  }, 120_000);
});

describe('resume after a crash', () => {
  it('marks the step cut short interrupted, drops its partial side schema on retry, and re-runs nothing already done', async () => {
    const h = await home();
    const at = (sec: number) => new Date(clock + sec * 1000).toISOString();
    // What a first process did before it died: the restore point chosen, the restore beside started.
    const first = new DrService(host(h, false));
    const r = await first.start({ scenario: 'deletion', tenants: [tenant], incidentAt: new Date(backupDoneAt + 1000).toISOString() });
    await first.next({ runId: r.id, note: 'scope' });
    for (let i = 0; i < 2; i++) await first.next({ runId: r.id, skip: true }); // stop-sessions, freeze
    const chosen = await first.next({ runId: r.id }, { wait: true });
    expect(stepOf(chosen, 'restore-point').status).toBe('succeeded');
    await first.next({ runId: r.id, skip: true }); // verify-backup
    // The crash: a started restore-beside of a process that is gone, its side schema half made.
    const side = sideSchemaName(tenant, new Date(clock));
    const dead = spawnSync('true').pid;
    await appendFile(join(h, 'dr', 'runs', r.id, 'journal.jsonl'), JSON.stringify({ type: 'started', at: at(1), step: 'restore-beside', inputs: {}, partial: { schema: side }, pid: dead } satisfies JournalEvent) + '\n');
    await sql(`CREATE SCHEMA ${q(side)}; CREATE TABLE ${q(side)}.half_done (x int)`);

    // The next start of the app.
    const second = new DrService(host(h, false));
    expect(await second.resume()).toBeGreaterThanOrEqual(1);
    const back = await second.run(r.id);
    expect(back.currentStep).toBe('restore-beside');
    expect(stepOf(back, 'restore-beside')).toMatchObject({ status: 'failed', interrupted: true, attempts: 1 });
    // Retry: the half-made schema (the same name the retry uses) is dropped first, then the restore runs.
    const retried = await second.next({ runId: r.id }, { wait: true });
    expect(stepOf(retried, 'restore-beside')).toMatchObject({ status: 'succeeded', attempts: 2, output: { schema: side } });
    expect((await sql(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'half_done'`, [side])).rowCount).toBe(0);
    // Nothing done before the crash was done again.
    expect(stepOf(retried, 'scope').attempts).toBe(1);
    expect(stepOf(retried, 'restore-point').attempts).toBe(1);
    const events = (await readFile(join(h, 'dr', 'runs', r.id, 'journal.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as JournalEvent);
    expect(events.filter((e) => e.type === 'started' && e.step === 'restore-point')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'interrupted')).toHaveLength(1);
    await second.cancel({ runId: r.id, run: true });
    await sql(`DROP SCHEMA ${q(side)} CASCADE`);
  });
});

describe('the deletion scenario end to end', () => {
  it('restores beside, diffs, merges the lost rows back: the live tenant has every backup row plus the rows written after it', async () => {
    const ids = async (table: string) => (await sql<{ id: string }>(`SELECT t.id::text AS id FROM ${q(tenant)}.${q(table)} t ORDER BY t.id`)).rows.map((x) => x.id);
    const backedUp = { invoices: await ids('invoices'), audit_log: await ids('audit_log') };
    expect(backedUp.invoices.length).toBeGreaterThan(3);
    expect(backedUp.audit_log.length).toBeGreaterThan(3);
    // The incident: rows deleted from two tables; then rows written after the backup.
    const t0 = new Date(Math.max(Date.now(), backupDoneAt + 2000)).toISOString();
    await sql(`DELETE FROM ${q(tenant)}.invoices WHERE id IN (SELECT id FROM ${q(tenant)}.invoices ORDER BY id LIMIT 3)`);
    await sql(`DELETE FROM ${q(tenant)}.audit_log WHERE id IN (SELECT id FROM ${q(tenant)}.audit_log ORDER BY id DESC LIMIT 3)`);
    const added = (await sql<{ id: string }>(`INSERT INTO ${q(tenant)}.audit_log (action, entity) VALUES ('after', 'backup') RETURNING id::text`)).rows[0]!.id;

    const svc = new DrService(host(await home(), true));
    const confirm = scratch.name;
    let r = await svc.start({ scenario: 'deletion', tenants: [tenant], incidentAt: t0 });
    const go = async (input: Partial<Parameters<DrService['next']>[0]> = {}) => (r = await svc.next({ runId: r.id, confirm, note: 'test', ...input }, { wait: true }));
    await go(); // scope
    await go(); // stop-sessions (no role: nothing to end)
    await go(); // freeze
    await go(); // restore point
    expect(r.rpo.restorePoint).toBeDefined();
    expect(r.rpo.achievedSec).toBeGreaterThan(0);
    await go(); // verify the backup
    await go(); // restore beside
    const copy = (stepOf(r, 'restore-beside').output as { schema: string }).schema;
    await go(); // diff
    const diff = stepOf(r, 'diff').output as { tables: { table: string; missingInLive: number; addedInLive: number }[] };
    expect(diff.tables.find((t) => t.table === 'invoices')).toMatchObject({ missingInLive: 3 });
    expect(diff.tables.find((t) => t.table === 'audit_log')).toMatchObject({ missingInLive: 3, addedInLive: 1 });
    await go({ choose: 'merge' });
    expect(stepOf(r, 'swap')).toMatchObject({ status: 'skipped', skipReason: expect.stringMatching(/merge/) });
    // The merge's SQL is shown before it runs: refused without the typed name, the step holds the plan.
    await expect(svc.next({ runId: r.id })).rejects.toMatchObject({ code: 'confirmation_required' });
    const waiting = stepOf(await svc.run(r.id), 'merge-back');
    expect(waiting.status).toBe('pendingApproval');
    expect((waiting.preview as { statements: { table: string; sql: string; expectedRows: number }[] }).statements.map((x) => [x.table, x.expectedRows]).sort()).toEqual([['audit_log', 3], ['invoices', 3]]);
    expect((waiting.preview as { statements: { sql: string }[] }).statements[0]!.sql).toMatch(/^INSERT INTO/);
    await go(); // merge back
    expect(stepOf(r, 'merge-back').output).toMatchObject({ total: 6 });
    while (r.status === 'open') {
      const before = r.currentStep;
      await go();
      expect(stepOf(r, before!).status).toBe('succeeded');
    }
    expect(r.status).toBe('succeeded');
    expect(r.rto.met).toBe(true);
    // Every row of the backup is back, and the row written after it is kept.
    expect(await ids('invoices')).toEqual(backedUp.invoices);
    expect(await ids('audit_log')).toEqual([...backedUp.audit_log, added].sort((a, b) => Number(a) - Number(b)));
    // The copy is gone (drop-copy), and the freeze was undone (thaw).
    expect((await sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [copy])).rowCount).toBe(0);
    expect(stepOf(r, 'thaw').status).toBe('succeeded');
  }, 180_000);
});

describe('drills', () => {
  it('a deletion drill recovers a scratch copy, records RTO/RPO, and leaves the live database unchanged', async () => {
    const svc = new DrService(host(await home(), true));
    clock = Date.now();
    const rec = await svc.drill({ scenario: 'deletion', tenant }, { signal: new AbortController().signal, log: () => {} });
    expect(rec).toMatchObject({ scenario: 'deletion', outcome: 'succeeded', tenant });
    expect(rec.fingerprint).toMatchObject({ unchanged: true });
    expect(rec.rpoAchievedSec).toBeGreaterThanOrEqual(0);
    expect(rec.steps.find((s) => s.id === 'merge-back')).toMatchObject({ status: 'succeeded' });
    expect(rec.steps.find((s) => s.id === 'stop-sessions')).toMatchObject({ status: 'skipped' });
    // The scratch database is gone; the history has the drill.
    expect(isDrillDatabaseName(rec.scratch!)).toBe(true);
    expect((await sql('SELECT 1 FROM pg_database WHERE datname = $1', [rec.scratch])).rowCount).toBe(0);
    expect(await svc.drills('deletion')).toEqual([rec]);
    // The drill run itself is a run, marked as a drill.
    expect((await svc.run(rec.runId)).drill).toBe(true);
  }, 180_000);

  it('a system-failure drill restores the newest full backup into a scratch database, verifies and analyses it, and drops it', async () => {
    await runBackup({ db, dest, key, scope: { kind: 'full' } });
    clock = Date.now() + 1000;
    const svc = new DrService(host(await home(), true));
    const rec = await svc.drill({ scenario: 'system-failure' }, { signal: new AbortController().signal, log: () => {} });
    expect(rec).toMatchObject({ scenario: 'system-failure', outcome: 'succeeded', fingerprint: { unchanged: true } });
    const status = Object.fromEntries(rec.steps.map((s) => [s.id, s.status]));
    expect(status).toMatchObject({ 'restore-point': 'succeeded', 'verify-backup': 'succeeded', 'full-restore': 'succeeded', verify: 'succeeded', analyze: 'succeeded', globals: 'skipped', 'fresh-backup': 'skipped' });
    expect(rec.rpoAchievedSec).toBeGreaterThanOrEqual(0);
    expect((await sql('SELECT 1 FROM pg_database WHERE datname = $1', [rec.scratch])).rowCount).toBe(0);
  }, 240_000);

  it('restores one tenant beside the live one from a full backup, when that is the restore point', async () => {
    const svc = new DrService(host(await home(), false));
    clock = Date.now() + 2000;
    let r = await svc.start({ scenario: 'deletion', tenants: [tenant] });
    for (const skip of [false, true, true]) r = await svc.next({ runId: r.id, skip, confirm: 'yes' }, { wait: true }); // scope, stop-sessions, freeze
    r = await svc.next({ runId: r.id }, { wait: true });
    expect((stepOf(r, 'restore-point').output as { backup: { kind: string } }).backup.kind).toBe('full');
    r = await svc.next({ runId: r.id, skip: true }); // verify-backup
    r = await svc.next({ runId: r.id }, { wait: true });
    const out = stepOf(r, 'restore-beside');
    expect(out).toMatchObject({ status: 'succeeded', output: { kind: 'full', tenant, mismatches: [] } });
    const side = (out.output as { schema: string }).schema;
    expect((await sql('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [side])).rows[0]!.n).toBeGreaterThan(0);
    expect((await sql('SELECT 1 FROM pg_database WHERE datname = $1', [side])).rowCount).toBe(0);
    await sql(`DROP SCHEMA ${q(side)} CASCADE`);
    await svc.cancel({ runId: r.id, run: true });
  }, 120_000);

  it('refuses a drill action on a live database', async () => {
    const h = await home();
    const at = new Date(clock).toISOString();
    const sf = await loadRunbook('system-failure');
    const before = sf.steps.slice(0, sf.steps.findIndex((s) => s.id === 'fresh-backup')).map((s): JournalEvent => ({ type: 'skipped', at, step: s.id, reason: 'test' }));
    await writeRun(h, 'run-drill', 'system-failure', [{ ...openedEvent('run-drill', 'system-failure', at), drill: true } as JournalEvent, ...before]);
    const svc = new DrService(host(h, false));
    // fresh_backup would back up the live database: not a drill's scratch database.
    await expect(svc.next({ runId: 'run-drill' })).rejects.toMatchObject({ code: 'drill_live_target', message: expect.stringContaining(scratch.name) });
    expect(stepOf(await svc.run('run-drill'), 'fresh-backup')).toMatchObject({ status: 'notStarted', attempts: 0 });
  });
});
