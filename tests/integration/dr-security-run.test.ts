/**
 * The security actions of issue 12 run through the DR engine (the service, its journal and its tasks) on
 * real parts: embedded PostgreSQL 15, a local backup destination with a key file, the Secrets Manager
 * protocol server. Also when things go wrong: a step whose session the server terminates
 * (pg_terminate_backend from a second connection, while the step waits on a row another transaction
 * holds) fails `connection_lost` and changes nothing. Roles are cluster-wide, so every role here has a
 * random suffix. Clocks are injected; nothing sleeps but the wait for the step to block.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/main/core/backup/backup';
import { openDestination, type Destination } from '../../src/main/core/backup/destination';
import { loadKeyFile, type BackupKey } from '../../src/main/core/backup/keys';
import type { Database } from '../../src/main/core/db/database';
import { readEvents } from '../../src/main/core/dr/journal';
import { rows } from '../../src/main/core/dr/security/common';
import { DrService, type DrHost } from '../../src/main/core/dr/service';
import { TaskManager } from '../../src/main/core/tasks/tasks';
import type { DrRun } from '../../src/shared/domain/dr';
import { createScratchDatabase, databaseUrl, openDatabase, withClient, type ScratchDatabase } from '../support/db';
import { withSecretsManager } from '../support/secrets-manager-server';

const q = pg.escapeIdentifier;
const suffix = randomBytes(4).toString('hex');
const ROLE = `pfo_run_breach_${suffix}`;
const TEAM = `pfo_run_team_${suffix}`;
const PLANTED = `pfo_run_planted_${suffix}`;
const WRITER = `pfo_run_writer_${suffix}`;
const SUSPECT = `pfo_run_suspect_${suffix}`;
const APP = `pfo_run_app_${suffix}`;
const APP_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const REBUILT = `pfo_run_rebuilt_${suffix}`;

let scratch: ScratchDatabase;
let db: Database;
let client: pg.Client;
let tenants: string[];
let work: string;
let dest: Destination;
let key: BackupKey;
let clock = Date.parse('2026-12-01T10:00:00Z');

function host(home: string, over: Partial<DrHost> = {}): DrHost {
  return {
    home,
    tasks: new TaskManager(),
    now: () => clock,
    connection: async () => ({ id: 'c1', db, database: scratch.name, production: false }),
    backups: async () => ({ dest, keys: async () => [key], key: async () => key }),
    ...over,
  };
}

/** Every grant on tenant schemas and objects, and the role's LOGIN: what lock + unlock must give back. */
async function state(role = ROLE): Promise<{ canLogin: boolean; grants: string[] }> {
  const login = await client.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [role]);
  const grants = await rows<Record<string, unknown>>(client, 'dr_tenant_grants', ['org_%', null, null, null]);
  return { canLogin: login.rows[0]!.rolcanlogin, grants: grants.map((g) => JSON.stringify(g)).sort() };
}

const stepOf = (r: DrRun, id: string) => r.steps.find((s) => s.id === id)!;

/**
 * Holds the role's pg_authid row in an open transaction, so that the step's ALTER ROLE waits on it; then
 * terminates the step's session from this (second) connection while it waits, and lets the row go.
 */
async function terminateStepAtAlterRole(role: string, next: () => Promise<DrRun>): Promise<DrRun> {
  const blocker = new pg.Client({ connectionString: scratch.url });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(`ALTER ROLE ${q(role)} CONNECTION LIMIT 7`);
    const step = next();
    let pid: number | undefined;
    for (let i = 0; i < 1200 && pid === undefined; i++) {
      const r = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE 'ALTER ROLE%'", [scratch.name]);
      pid = r.rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid, 'the step waited on the held row').toBeDefined();
    await client.query('SELECT pg_terminate_backend($1)', [pid]);
    await blocker.query('ROLLBACK');
    return await step;
  } finally {
    await blocker.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 4, workload: false, plantProblems: false, scale: 0.05 });
  db = openDatabase(scratch.url);
  client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  tenants = (await client.query<{ s: string }>('SELECT schema_name AS s FROM public.organizations ORDER BY 1')).rows.map((r) => r.s);
  const [a, b, c] = tenants as [string, string, string];
  // One tenant through a direct grant, one through a role membership, one through default privileges.
  await client.query(`CREATE ROLE ${q(ROLE)} LOGIN PASSWORD '${randomBytes(12).toString('hex')}'`);
  await client.query(`CREATE ROLE ${q(TEAM)} NOLOGIN`);
  await client.query(`GRANT USAGE ON SCHEMA ${q(a)} TO ${q(ROLE)}; GRANT SELECT ON ${q(a)}.shows TO ${q(ROLE)}`);
  await client.query(`GRANT USAGE ON SCHEMA ${q(b)} TO ${q(TEAM)}; GRANT SELECT ON ${q(b)}.episodes TO ${q(TEAM)}; GRANT ${q(TEAM)} TO ${q(ROLE)}`);
  await client.query(`GRANT USAGE ON SCHEMA ${q(c)} TO ${q(ROLE)}; ALTER DEFAULT PRIVILEGES FOR ROLE podcastflow_app IN SCHEMA ${q(c)} GRANT SELECT ON TABLES TO ${q(ROLE)}`);
  await client.query(`CREATE ROLE ${q(SUSPECT)} LOGIN PASSWORD '${randomBytes(12).toString('hex')}'`);
  await client.query(`GRANT USAGE ON SCHEMA ${q(a)}, ${q(b)} TO ${q(SUSPECT)}; GRANT SELECT ON ${q(a)}.shows, ${q(b)}.episodes TO ${q(SUSPECT)}`);
  await client.query(`CREATE ROLE ${q(APP)} LOGIN PASSWORD '${APP_PASSWORD}'`);
  work = await mkdtemp(join(tmpdir(), 'pfo-dr-security-run-'));
  const keyPath = join(work, 'backup.key');
  await writeFile(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString().trim() + '\n', { mode: 0o600 });
  key = await loadKeyFile(keyPath);
  dest = openDestination(join(work, 'backups'));
}, 240_000);

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await db?.close();
  await scratch?.drop();
  if (scratch) {
    await withClient(scratch.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${q(REBUILT)} WITH (FORCE)`);
      for (const r of [ROLE, TEAM, PLANTED, WRITER, SUSPECT, APP]) await c.query(`DROP ROLE IF EXISTS ${q(r)}`);
    }).catch(() => undefined);
  }
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a breach run through the engine', () => {
  it('captures evidence with hashes in the journal, scopes the planted role to its three tenants, locks it, and the journal undoes the lock', async () => {
    const h = await mkdtemp(join(work, 'home-'));
    const svc = new DrService(host(h));
    const before = await state();
    const detectedAt = new Date(clock - 600_000).toISOString();
    let run = await svc.start({ scenario: 'breach', role: ROLE, detectedAt });
    expect(run.regulatory).toMatchObject({ awareAt: detectedAt, deadline: new Date(Date.parse(detectedAt) + 72 * 3600_000).toISOString(), overdue: false });

    run = await svc.next({ runId: run.id, note: 'lead: on call' });
    run = await svc.next({ runId: run.id }, { wait: true }); // evidence
    const evidence = stepOf(run, 'evidence');
    expect(evidence.status).toBe('succeeded');
    expect(evidence.evidence?.map((e) => e.file).sort()).toEqual(
      ['event_triggers', 'extensions', 'pg_hba_file_rules', 'pg_stat_activity', 'pg_stat_statements', 'roles', 'server_log', 'settings', 'tenant_grants'].map((f) => `evidence/evidence/${f}.json`).sort(),
    );
    const runDir = join(h, 'dr', 'runs', run.id);
    for (const e of evidence.evidence!) {
      // The chain of custody: the hash in the journal is the file's, and the file is read-only.
      expect(createHash('sha256').update(await readFile(join(runDir, e.file))).digest('hex')).toBe(e.sha256);
      expect((await stat(join(runDir, e.file))).mode & 0o777).toBe(0o400);
    }
    const journal = await readEvents(join(runDir, 'journal.jsonl'));
    expect(journal.find((e) => e.type === 'succeeded' && e.step === 'evidence')).toMatchObject({ evidence: evidence.evidence });

    run = await svc.next({ runId: run.id }, { wait: true }); // scope (the run's role)
    const scope = stepOf(run, 'scope');
    expect(scope.status).toBe('succeeded');
    const out = scope.output as { role: string; tenants: { tenant: string; via: string[]; contacts?: { owners: unknown[] } }[]; csv: string };
    expect(out.role).toBe(ROLE);
    expect(out.tenants.map((t) => t.tenant)).toEqual(tenants.slice(0, 3));
    expect(out.tenants.map((t) => t.via)).toEqual([['grant'], [`membership:${TEAM}`], ['default_privileges']]);
    expect(out.tenants.every((t) => (t.contacts?.owners.length ?? 0) > 0)).toBe(true);
    const csv = await readFile(join(runDir, out.csv), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('role,tenant,via,organization,owner_email,owner_name');
    expect(scope.evidence).toEqual([{ file: out.csv, sha256: createHash('sha256').update(csv).digest('hex') }]);

    // Containment is gated: without the confirmation nothing changes.
    await expect(svc.next({ runId: run.id })).rejects.toMatchObject({ code: 'confirmation_required' });
    expect(await state()).toEqual(before);
    run = await svc.next({ runId: run.id, confirm: 'yes' }, { wait: true });
    const lock = stepOf(run, 'contain');
    expect(lock.status).toBe('succeeded');
    expect(lock.output).toMatchObject({ role: ROLE, loginRevoked: true });
    expect((lock.output as { revoked: unknown[] }).revoked.length).toBeGreaterThanOrEqual(4);
    const locked = await state();
    expect(locked.canLogin).toBe(false);
    expect(locked.grants).not.toEqual(before.grants);
    // The RTO clock stopped at containment: hours later it is what it was, and met.
    const rtoAtLock = run.rto.elapsedSec;
    expect(run.rto.met).toBe(true);

    clock += 3 * 3600_000;
    run = await svc.next({ runId: run.id, confirm: 'yes' }, { wait: true }); // tighten: rotate the role's password
    expect(stepOf(run, 'tighten')).toMatchObject({ status: 'succeeded', output: { role: ROLE } });
    expect(JSON.stringify(stepOf(run, 'tighten').output)).not.toMatch(/SCRAM|password"/);
    run = await svc.next({ runId: run.id, choose: 'unlock', note: 'the app owner agreed after the rotation' });
    run = await svc.next({ runId: run.id, confirm: 'yes' }, { wait: true }); // unlock from the lock's record
    expect(stepOf(run, 'unlock')).toMatchObject({ status: 'succeeded', output: { role: ROLE, loginRestored: true } });
    expect(await state()).toEqual(before);

    for (const id of ['eradicate', 'notify', 'lessons']) run = await svc.next({ runId: run.id, confirm: 'yes', note: `${id} done` });
    expect(run.status).toBe('succeeded');
    expect(run.rto).toMatchObject({ elapsedSec: rtoAtLock, met: true });
    // The post-incident record: the decision with its note, evidence hashes, every step's times.
    expect(stepOf(run, 'reopen')).toMatchObject({ chosen: 'unlock', note: 'the app owner agreed after the rotation' });
    expect(run.steps.every((s) => s.status === 'skipped' || (s.startedAt && s.finishedAt))).toBe(true);
  }, 120_000);

  it('a drill refuses to lock a role (roles are cluster-wide)', async () => {
    const svc = new DrService(host(await mkdtemp(join(work, 'home-'))));
    let run = await svc.start({ scenario: 'breach', role: ROLE }, { drill: true, scratchDatabase: 'pfo_drill_20261201_1000_abcdef' });
    for (let i = 0; i < 3; i++) run = await svc.next({ runId: run.id, skip: true });
    await expect(svc.next({ runId: run.id })).rejects.toMatchObject({ code: 'drill_live_target' });
    expect((await state()).canLogin).toBe(true);
    await svc.cancel({ runId: run.id, run: true });
  });
});

describe('a ransomware run through the engine', () => {
  it('the sweep proposes the newest intact full backup before the intrusion after the newest one is tampered', async () => {
    const at = (iso: string) => () => new Date(iso);
    const older = await runBackup({ db, dest, key, scope: { kind: 'full' }, now: at('2026-11-20T10:00:00Z') });
    const newer = await runBackup({ db, dest, key, scope: { kind: 'full' }, now: at('2026-11-21T10:00:00Z') });
    const dump = join(dest.location, newer.manifest.files.dump);
    const bytes = await readFile(dump);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    await writeFile(dump, bytes);

    const svc = new DrService(host(await mkdtemp(join(work, 'home-'))));
    let run = await svc.start({ scenario: 'ransomware', incidentAt: '2026-11-22T00:00:00Z' });
    run = await svc.next({ runId: run.id, confirm: 'yes' }); // isolate
    run = await svc.next({ runId: run.id, skip: true }); // evidence
    run = await svc.next({ runId: run.id, skip: true }); // rotate
    // Another destination than the run's is refused, naming the run's; then the run's own is swept.
    run = await svc.next({ runId: run.id, inputs: { destination: '/somewhere/else' } }, { wait: true });
    expect(stepOf(run, 'sweep')).toMatchObject({ status: 'failed', error: { code: 'invalid_input', message: expect.stringContaining(dest.location) } });
    run = await svc.next({ runId: run.id }, { wait: true }); // sweep
    const sweep = stepOf(run, 'sweep');
    expect(sweep.status).toBe('succeeded');
    const out = sweep.output as { backups: { id: string; verdict: string }[]; backup?: { id: string } };
    expect(out.backups.find((b) => b.id === newer.manifest.id)?.verdict).toBe('checksum_mismatch');
    expect(out.backups.find((b) => b.id === older.manifest.id)?.verdict).toBe('intact');
    expect(out.backup?.id).toBe(older.manifest.id);
    await svc.cancel({ runId: run.id, run: true });
  }, 180_000);

  it('the persistence hunt refuses without a baseline, then names exactly the role planted after it', async () => {
    const h = await mkdtemp(join(work, 'home-'));
    const svc = new DrService(host(h));
    let run = await svc.start({ scenario: 'ransomware' });
    run = await svc.next({ runId: run.id, confirm: 'yes' });
    for (const id of ['evidence', 'rotate', 'sweep']) run = await svc.next({ runId: run.id, skip: true, note: `not in this test: ${id}` });
    run = await svc.next({ runId: run.id, confirm: 'yes' }); // rebuild
    run = await svc.next({ runId: run.id, skip: true }); // full restore: the hunt runs on the connection's database
    run = await svc.next({ runId: run.id }, { wait: true });
    expect(stepOf(run, 'hunt')).toMatchObject({ status: 'failed', error: { code: 'no_baseline', hint: expect.stringContaining('Record baseline') } });
    expect((await svc.readiness()).baseline).toBeUndefined();

    // Recorded by the CLI from the database's URL: the run on the saved connection c1 of it finds it.
    const recorded = JSON.parse(execFileSync('node', ['bin/podcastflow-ops.js', 'dr', 'baseline', '--db', scratch.url, '--data', h, '--json'], { encoding: 'utf8' })) as { recordedAt: string };
    expect((await svc.readiness()).baseline?.recordedAt).toBe(recorded.recordedAt);
    await client.query(`CREATE ROLE ${q(PLANTED)} NOLOGIN`);
    run = await svc.next({ runId: run.id }, { wait: true });
    const hunt = stepOf(run, 'hunt');
    expect(hunt.status).toBe('succeeded');
    // Roles are cluster-wide and other test files make their own: only ours are judged among them.
    const findings = (hunt.output as { findings: { kind: string; object: string }[] }).findings;
    expect(findings.filter((f) => f.kind === 'new_role' && f.object.includes(suffix)).map((f) => f.object)).toEqual([PLANTED]);
    expect(findings.filter((f) => !['new_role', 'new_superuser', 'new_membership'].includes(f.kind))).toEqual([]);
    await svc.cancel({ runId: run.id, run: true });

    // Recorded again from the app (the DR page's Record baseline): it replaces the CLI's, and readiness shows its age.
    const summary = await svc.recordBaseline();
    expect(summary).toMatchObject({ recordedAt: new Date(clock).toISOString(), database: scratch.name, hbaRules: expect.any(Number) });
    expect(summary.roles).toBeGreaterThan(0);
    expect(summary.superusers.length).toBeGreaterThan(0);
    clock += 2 * 3600_000;
    expect((await svc.readiness()).baseline).toEqual({ recordedAt: summary.recordedAt, ageSec: 7200 });
  }, 120_000);
});

describe('a security step whose session the server ends', () => {
  it('lock_role and unlock_role fail connection_lost, change nothing, and their retries lock and unlock exactly', async () => {
    const home = await mkdtemp(join(work, 'home-'));
    const svc = new DrService(host(home));
    const before = await state(SUSPECT);
    const held = (g: string) => g.includes(JSON.stringify(SUSPECT));
    expect(before.grants.filter(held).length).toBeGreaterThanOrEqual(4);
    let run = await svc.start({ scenario: 'breach', role: SUSPECT });
    run = await svc.next({ runId: run.id });
    for (const id of ['evidence', 'scope']) run = await svc.next({ runId: run.id, skip: true, note: `not in this test: ${id}` });

    run = await terminateStepAtAlterRole(SUSPECT, () => svc.next({ runId: run.id, confirm: 'yes' }, { wait: true }));
    expect(stepOf(run, 'contain')).toMatchObject({ status: 'failed', error: { code: 'connection_lost' } });
    expect(stepOf(run, 'contain').output).toBeUndefined();
    // The NOLOGIN and the revokes were one transaction: the server rolled all of it back.
    expect(await state(SUSPECT)).toEqual(before);
    const journal = join(home, 'dr', 'runs', run.id, 'journal.jsonl');
    expect((await readEvents(journal)).some((e) => e.type === 'succeeded' && e.step === 'contain')).toBe(false);

    run = await svc.next({ runId: run.id, confirm: 'yes' }, { wait: true }); // the retry
    expect(stepOf(run, 'contain')).toMatchObject({ status: 'succeeded', output: { role: SUSPECT, loginRevoked: true } });
    const locked = await state(SUSPECT);
    expect(locked.canLogin).toBe(false);
    expect(locked.grants.filter(held)).toEqual([]);

    run = await svc.next({ runId: run.id, skip: true }); // tighten
    run = await svc.next({ runId: run.id, choose: 'unlock' });
    run = await terminateStepAtAlterRole(SUSPECT, () => svc.next({ runId: run.id, confirm: 'yes' }, { wait: true }));
    expect(stepOf(run, 'unlock')).toMatchObject({ status: 'failed', error: { code: 'connection_lost' } });
    // The grants given back before the LOGIN went with it: still exactly locked, the record still in the journal.
    expect(await state(SUSPECT)).toEqual(locked);
    run = await svc.next({ runId: run.id, confirm: 'yes' }, { wait: true });
    expect(stepOf(run, 'unlock')).toMatchObject({ status: 'succeeded', output: { role: SUSPECT, loginRestored: true } });
    expect(await state(SUSPECT)).toEqual(before);
    await svc.cancel({ runId: run.id, run: true });
  }, 120_000);
});

describe('credential rotation with the connection\'s Secrets Manager secret', () => {
  const secretsManager = withSecretsManager();

  it('a lost rotation changes neither the password nor the secret; the retry stores the new one with PutSecretValue, never shown, and the old one stops working', async () => {
    const sm = secretsManager();
    const u = new URL(scratch.url);
    sm.create('db/app', JSON.stringify({ engine: 'postgres', host: u.hostname, port: Number(u.port), username: APP, password: APP_PASSWORD, dbname: scratch.name }));
    const current = () => (JSON.parse(sm.secrets.get('db/app')!.versions.find((v) => v.stages.includes('AWSCURRENT'))!.value) as { password: string }).password;
    const asApp = (password: string) => {
      const url = new URL(scratch.url);
      url.username = APP;
      url.password = password;
      return withClient(url.toString(), (c) => c.query('SELECT 1'));
    };
    // The console itself connects with the secret's credential: the role it rotates is its own.
    const appDb = openDatabase(scratch.url, { user: APP, password: APP_PASSWORD });
    const home = await mkdtemp(join(work, 'home-'));
    const svc = new DrService(host(home, { connection: async () => ({ id: 'sm', db: appDb, database: scratch.name, production: false, secret: { id: 'db/app' } }) }));
    try {
      let run = await svc.start({ scenario: 'ransomware' });
      run = await svc.next({ runId: run.id, confirm: 'yes' }); // isolate
      run = await svc.next({ runId: run.id, skip: true }); // evidence

      run = await terminateStepAtAlterRole(APP, () => svc.next({ runId: run.id, confirm: 'yes', inputs: { role: APP } }, { wait: true }));
      expect(stepOf(run, 'rotate')).toMatchObject({ status: 'failed', error: { code: 'connection_lost' } });
      expect(sm.calls).not.toContain('PutSecretValue');
      expect(current()).toBe(APP_PASSWORD);
      await asApp(APP_PASSWORD);

      run = await svc.next({ runId: run.id, confirm: 'yes', inputs: { role: APP } }, { wait: true });
      const rotate = stepOf(run, 'rotate');
      expect(rotate).toMatchObject({ status: 'succeeded', output: { role: APP, storedIn: { secretId: 'db/app' } } });
      expect(sm.calls.filter((c) => c === 'PutSecretValue')).toHaveLength(1);
      const fresh = current();
      expect(fresh).not.toBe(APP_PASSWORD);
      await asApp(fresh);
      await expect(asApp(APP_PASSWORD)).rejects.toMatchObject({ code: '28P01' });
      // Never shown: not in the run, its journal or the step's output.
      expect(JSON.stringify(run)).not.toContain(fresh);
      expect(await readFile(join(home, 'dr', 'runs', run.id, 'journal.jsonl'), 'utf8')).not.toContain(fresh);
      await svc.cancel({ runId: run.id, run: true });
    } finally {
      await appDb.close();
    }
  }, 120_000);
});

describe('a ransomware rebuild from all-tenants backups only', () => {
  it('the sweep proposes the newest intact all-tenants backup before the intrusion, saying what it lacks; the full restore rebuilds every tenant and verifies', async () => {
    const tenantsOnly = openDestination(join(work, 'all-tenants'));
    const at = (iso: string) => () => new Date(iso);
    const older = await runBackup({ db, dest: tenantsOnly, key, scope: { kind: 'all-tenants', pattern: 'org_%' }, now: at('2026-11-20T10:00:00Z') });
    const newer = await runBackup({ db, dest: tenantsOnly, key, scope: { kind: 'all-tenants', pattern: 'org_%' }, now: at('2026-11-21T10:00:00Z') });
    const dump = join(tenantsOnly.location, newer.manifest.files.dump);
    const bytes = await readFile(dump);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    await writeFile(dump, bytes);

    const svc = new DrService(host(await mkdtemp(join(work, 'home-')), { backups: async () => ({ dest: tenantsOnly, keys: async () => [key], key: async () => key }) }));
    let run = await svc.start({ scenario: 'ransomware', incidentAt: '2026-11-22T00:00:00Z' });
    run = await svc.next({ runId: run.id, confirm: 'yes' }); // isolate
    for (const id of ['evidence', 'rotate']) run = await svc.next({ runId: run.id, skip: true, note: `not in this test: ${id}` });
    run = await svc.next({ runId: run.id }, { wait: true }); // sweep
    const sweep = stepOf(run, 'sweep');
    expect(sweep.status).toBe('succeeded');
    const out = sweep.output as { backups: { id: string; verdict: string }[]; backup?: { id: string; kind: string }; rpoGapSec?: number; note?: string };
    expect(out.backups.find((b) => b.id === newer.manifest.id)?.verdict).toBe('checksum_mismatch');
    expect(out.backup).toMatchObject({ id: older.manifest.id, kind: 'all-tenants' });
    expect(out.rpoGapSec).toBe(38 * 3600);
    expect(out.note).toMatch(/all-tenants backup.*not the shared schemas/);

    run = await svc.next({ runId: run.id }); // rebuild
    run = await svc.next({ runId: run.id, confirm: 'yes', inputs: { database: REBUILT } }, { wait: true });
    const restore = stepOf(run, 'full-restore');
    expect(restore).toMatchObject({ status: 'succeeded', output: { database: REBUILT, kind: 'all-tenants', mismatches: [], note: expect.stringContaining('not the shared schemas') } });
    const schemas = (c: pg.ClientBase) => c.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'org\\_%' ORDER BY 1").then((r) => r.rows.map((x) => x.n));
    expect(await withClient(databaseUrl(scratch.url, REBUILT), schemas)).toEqual(await schemas(client));

    run = await svc.next({ runId: run.id, skip: true, note: 'no baseline in this test' }); // hunt
    run = await svc.next({ runId: run.id }, { wait: true }); // verify: counts against the same backup's manifest
    expect(stepOf(run, 'verify')).toMatchObject({ status: 'succeeded', output: { database: REBUILT, ok: true } });
    await svc.cancel({ runId: run.id, run: true });
  }, 240_000);
});

describe('a corruption run through the engine', () => {
  it('freezes, checks the tenant with amcheck, salvages it into the run folder with its hash, and the thaw gives back what the freeze took', async () => {
    const tenant = tenants[3]!;
    // A writer the freeze takes writes from (the owner keeps its own).
    await client.query(`CREATE ROLE ${q(WRITER)} NOLOGIN; GRANT USAGE ON SCHEMA ${q(tenant)} TO ${q(WRITER)}; GRANT SELECT, INSERT, UPDATE ON ${q(tenant)}.shows TO ${q(WRITER)}`);
    const grants = async () => (await rows<Record<string, unknown>>(client, 'dr_tenant_grants', [null, [tenant], null, null])).map((g) => JSON.stringify(g)).sort();
    const before = await grants();
    const h = await mkdtemp(join(work, 'home-'));
    const svc = new DrService(host(h));
    let run = await svc.start({ scenario: 'corruption', tenants: [tenant] });
    run = await svc.next({ runId: run.id, note: 'ERROR: invalid page in block 0 of relation base/1/2' });
    run = await svc.next({ runId: run.id, skip: true }); // evidence: the breach run covers it
    run = await svc.next({ runId: run.id, confirm: 'yes' }, { wait: true }); // freeze
    expect(stepOf(run, 'freeze').status).toBe('succeeded');
    expect((stepOf(run, 'freeze').output as { revoked: unknown[] }).revoked.length).toBeGreaterThan(0);
    expect(await grants()).not.toEqual(before);
    run = await svc.next({ runId: run.id, confirm: 'yes', note: 'copied to /srv/copy' }); // file copy
    run = await svc.next({ runId: run.id, inputs: { installMissing: 'yes' } }, { wait: true });
    const integrity = stepOf(run, 'integrity');
    expect(integrity.status, JSON.stringify(integrity.error)).toBe('succeeded');
    expect(integrity.output).toMatchObject({ ok: true, schema: tenant, findings: [], damagedTables: [] });
    run = await svc.next({ runId: run.id, choose: 'recommended' });
    run = await svc.next({ runId: run.id }, { wait: true }); // salvage
    const salvage = stepOf(run, 'salvage');
    expect(salvage.status, JSON.stringify(salvage.error)).toBe('succeeded');
    const file = (salvage.output as { file: string }).file;
    expect(file).toBe(`salvage/salvage/${tenant}.salvage.dump`);
    expect(salvage.evidence).toEqual([{ file, sha256: createHash('sha256').update(await readFile(join(h, 'dr', 'runs', run.id, file))).digest('hex') }]);
    for (const id of ['restore-point', 'restore-beside', 'swap']) run = await svc.next({ runId: run.id, skip: true, note: `not in this test: ${id}` });
    run = await svc.next({ runId: run.id, confirm: 'yes' }, { wait: true }); // thaw
    expect(stepOf(run, 'thaw').status).toBe('succeeded');
    expect(await grants()).toEqual(before);
    await svc.cancel({ runId: run.id, run: true });
  }, 120_000);
});

describe('dr drill corruption', () => {
  it('damages a throwaway cluster, detects and restores, and records a succeeded drill with the live database unchanged', async () => {
    const h = await mkdtemp(join(work, 'home-'));
    const svc = new DrService(host(h));
    const logs: string[] = [];
    const d = await svc.drill({ scenario: 'corruption' }, { signal: new AbortController().signal, log: (m) => logs.push(m) });
    expect(d).toMatchObject({ scenario: 'corruption', outcome: 'succeeded', rtoTargetSec: 3600, fingerprint: { unchanged: true } });
    expect(d.corruption).toMatchObject({ detected: true, cleanBefore: true, restored: { rows: 200, expectedRows: 200 } });
    expect(d.corruption!.damaged).toMatch(/\.drill_corruption_scratch$/);
    expect(d.corruption!.salvage.excluded).toEqual(['drill_corruption_scratch']);
    expect(await svc.drills('corruption')).toEqual([d]);
    // The throwaway cluster's folder is gone.
    expect(await readdir(d.scratch!).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  }, 300_000);
});
