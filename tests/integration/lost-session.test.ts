/**
 * Sessions the server ends in the middle of work (pg_terminate_backend from a separate admin session, as a
 * restart or failover would): the work fails with `connection_lost`, the process lives on, the CLI prints
 * its JSON and a Nagios code, a backup leaves nothing behind, and the next call gets a new session.
 *
 * "Mid-run" is made deterministic, not timed: a verify_tenant_isolation() in this scratch database waits on
 * an advisory lock the test holds (health's tenant_isolation check and `tenants verify` both call it), and a
 * lock on a partitioned table stops pg_dump (which locks it) while the console's own queries (which read
 * only the partitions) go on. The victim is picked by application_name, wait event and query text.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../../src/main/app';
import { runBackup } from '../../src/main/core/backup/backup';
import { openDestination } from '../../src/main/core/backup/destination';
import type { BackupKey } from '../../src/main/core/backup/keys';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import type { RunningServer } from '../../src/main/server';
import type { HealthReport, HealthSummary } from '../../src/shared/domain/health';
import type { Task } from '../../src/shared/domain/tasks';
import { createScratchDatabase, type ScratchDatabase } from '../support/db';
import { rawRequest } from '../support/http';
import { startBrowserServer } from '../support/server';

const GATE = 73_401;
const ROOT = join(import.meta.dirname, '..', '..');

let scratch: ScratchDatabase;
let url: string;
let admin: pg.Client;
let gate: pg.Client;
let work: string;

const withSslOff = (u: string) => `${u}${u.includes('?') ? '&' : '?'}sslmode=disable`;

function open(u: string): Database {
  const { target, password } = parseUrl(withSslOff(u));
  return new Database(target, password ? { password, source: 'url' } : { source: 'none' });
}

/** Hold the gate: every verify_tenant_isolation() call waits until it opens. */
async function closeGate(): Promise<void> {
  await gate.query('SELECT pg_advisory_lock($1)', [GATE]);
}
async function openGate(): Promise<void> {
  await gate.query('SELECT pg_advisory_unlock_all()');
}

/**
 * Wait until a session of the console in the scratch database matches `where` (it is then waiting on a lock,
 * or idle with `state`, so the moment is fixed; opened since `openedSince` if given), terminate it from the admin session (unless `kill: false`:
 * just wait) and return how many matched. Polls; the bound is only there to fail clearly, not a window the
 * test depends on.
 */
async function terminateWhen(where: string, opts: { state?: 'idle'; kill?: boolean; openedSince?: Date } = {}): Promise<number> {
  const waiting = opts.state === 'idle' ? "state = 'idle'" : "wait_event_type = 'Lock'";
  const act = opts.kill === false ? 'true' : 'pg_terminate_backend(pid)';
  for (let i = 0; i < 1200; i++) {
    const { rows } = await admin.query<{ ended: boolean }>(
      `SELECT ${act} AS ended FROM pg_stat_activity
        WHERE datname = $1 AND application_name = 'podcastflow-ops' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
          AND backend_start >= coalesce($2::timestamptz, '-infinity') AND ${waiting} AND ${where}`,
      [scratch.name, opts.openedSince ?? null],
    );
    if (rows.length > 0) return rows.filter((r) => r.ended).length;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no session matched: ${where}`);
}
const IN_ISOLATION_FUNCTION = "wait_event = 'advisory' AND query LIKE '%verify_tenant_isolation()%'";

/** Run the CLI from the sources (bin/podcastflow-ops.js), collecting its output. */
function cli(args: string[]): { exited: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'podcastflow-ops.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return { exited: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

const STACK = /^\s+at .+[(:]\d+/m;

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 2, workload: false, plantProblems: false, scale: 0.05 });
  url = withSslOff(scratch.url);
  admin = new pg.Client({ connectionString: inject('pgAdminUrl'), application_name: 'podcastflow-tests' });
  gate = new pg.Client({ connectionString: scratch.url, application_name: 'podcastflow-tests' });
  for (const c of [admin, gate]) {
    c.on('error', () => undefined);
    await c.connect();
  }
  // The application's own isolation check, as verify calls it; this one waits at the gate (no lock_timeout).
  await gate.query(`CREATE FUNCTION public.verify_tenant_isolation() RETURNS boolean LANGUAGE plpgsql SET lock_timeout = 0 AS $$
    BEGIN PERFORM pg_advisory_xact_lock_shared(${GATE}); RETURN true; END $$`);
  work = mkdtempSync(join(tmpdir(), 'pfo-lost-session-'));
});

afterAll(async () => {
  await openGate().catch(() => undefined);
  await gate?.end().catch(() => undefined);
  await admin?.end().catch(() => undefined);
  await scratch?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('CLI', () => {
  it('health: a check whose session is ended is an error, the run unhealthy, exit 2, one JSON document', async () => {
    await closeGate();
    try {
      const run = cli(['health', '--db', url, '--json']);
      expect(await terminateWhen(IN_ISOLATION_FUNCTION)).toBe(1);
      const { code, stdout, stderr } = await run.exited;
      expect(stderr).not.toMatch(STACK);
      const report = JSON.parse(stdout) as HealthReport;
      expect(code).toBe(2);
      expect(report.status).toBe('unhealthy');
      const iso = report.checks.find((c) => c.id === 'tenant_isolation')!;
      expect(iso.status).toBe('error');
      expect(iso.findings[0]!.data).toEqual({ code: 'connection_lost' });
      expect(iso.summary).toMatch(/terminating connection due to administrator command/);
      // The other checks ran on sessions of their own.
      expect(report.checks.filter((c) => c.status === 'error').map((c) => c.id)).toEqual(['tenant_isolation']);
    } finally {
      await openGate();
    }
  });

  it('tenants verify: fails with connection_lost as one JSON document, exit 3, no stack', async () => {
    await closeGate();
    try {
      const run = cli(['tenants', 'verify', '--db', url, '--json']);
      expect(await terminateWhen(IN_ISOLATION_FUNCTION)).toBe(1);
      const { code, stdout, stderr } = await run.exited;
      expect(stderr).not.toMatch(STACK);
      expect(code).toBe(3);
      const { error } = JSON.parse(stdout) as { error: { code: string; message: string; hint?: string } };
      expect(error.code).toBe('connection_lost');
      expect(error.message).toMatch(/administrator command/);
      expect(error.hint).toMatch(/run it again/i);
    } finally {
      await openGate();
    }
  });
});

describe('backup', () => {
  let db: Database;
  let key: BackupKey;
  let tenant: string;

  beforeAll(async () => {
    db = open(scratch.url);
    key = { keyId: 'k-lost-session', source: { kind: 'file', path: '/dev/null' }, passphrase: 'correct horse battery staple, lost session edition' };
    tenant = scratch.seed!.tenants[0]!;
    // A partitioned table: pg_dump locks the parent; the console's snapshot session reads only the partition.
    await gate.query(`CREATE TABLE ${pg.escapeIdentifier(tenant)}.gate_parts (id int) PARTITION BY RANGE (id);
      CREATE TABLE ${pg.escapeIdentifier(tenant)}.gate_parts_1 PARTITION OF ${pg.escapeIdentifier(tenant)}.gate_parts FOR VALUES FROM (0) TO (100)`);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("pg_dump's session ended mid-dump: connection_lost, nothing left at the destination, the next backup works", async () => {
    const dir = join(work, 'dump-session');
    await gate.query(`BEGIN; LOCK TABLE ONLY ${pg.escapeIdentifier(tenant)}.gate_parts IN ACCESS EXCLUSIVE MODE`);
    let backup: Promise<unknown>;
    try {
      backup = runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'tenant', tenant }, iterations: 1000 });
      backup.catch(() => undefined);
      // Mid-run: the upload is open (.partial) and pg_dump waits for its table lock.
      expect(await until(() => readdirOr(dir).some((f) => f.endsWith('.dump.enc.partial')))).toBe(true);
      expect(await terminateWhen("query LIKE 'LOCK TABLE%gate_parts%'")).toBe(1);
      await expect(backup).rejects.toMatchObject({ code: 'connection_lost', message: expect.stringMatching(/pg_dump lost its database session/) });
    } finally {
      await gate.query('ROLLBACK');
    }
    expect(readdirOr(dir)).toEqual([]);
    // The same Database (its pool) serves the next backup on fresh sessions.
    const ok = await runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'tenant', tenant }, iterations: 1000 });
    expect(ok.manifest.tenant).toBe(tenant);
    expect(readdirOr(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('CLI: the snapshot session ended while pg_dump runs does not stop the process; the backup completes, no .partial', async () => {
    const dir = join(work, 'cli-snapshot-idle');
    const keyFile = join(work, 'cli.key');
    writeFileSync(keyFile, `${key.passphrase}\n`, { mode: 0o600 });
    await gate.query(`BEGIN; LOCK TABLE ONLY ${pg.escapeIdentifier(tenant)}.gate_parts IN ACCESS EXCLUSIVE MODE`);
    let run: ReturnType<typeof cli>;
    // Only sessions the CLI opens (this file's own pools have idle sessions too).
    const openedSince = (await admin.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
    try {
      run = cli(['backup', '--db', url, '--tenant', tenant, '--dest', dir, '--key-file', keyFile, '--json']);
      // pg_dump holds the snapshot and waits for its lock; the console's snapshot session has committed and
      // sits idle until the backup ends. The server ends that idle session.
      await terminateWhen("query LIKE 'LOCK TABLE%gate_parts%'", { kill: false, openedSince });
      expect(await until(() => readdirOr(dir).some((f) => f.endsWith('.dump.enc.partial')))).toBe(true);
      expect(await terminateWhen("query = 'COMMIT'", { state: 'idle', openedSince })).toBe(1);
    } finally {
      await gate.query('ROLLBACK');
    }
    const { code, stdout, stderr } = await run.exited;
    expect(stderr).not.toMatch(STACK);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { status: string; manifest: string };
    expect(result.status).toBe('succeeded');
    const names = readdirOr(dir);
    expect(names.filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(names.some((f) => f.endsWith('.manifest.json'))).toBe(true);
  });

  it('the snapshot session ended while it reads the scope: connection_lost, nothing written, the process lives on', async () => {
    const dir = join(work, 'snapshot-session');
    await gate.query(`BEGIN; LOCK TABLE ${pg.escapeIdentifier(tenant)}.shows IN ACCESS EXCLUSIVE MODE`);
    try {
      const backup = runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'tenant', tenant }, iterations: 1000 });
      backup.catch(() => undefined);
      expect(await terminateWhen("query LIKE '%pg_table_size%'")).toBe(1);
      await expect(backup).rejects.toMatchObject({ code: 'connection_lost', hint: expect.stringMatching(/run it again/i) });
    } finally {
      await gate.query('ROLLBACK');
    }
    expect(readdirOr(dir)).toEqual([]);
    expect((await db.query<{ ok: number }>('SELECT 1 AS ok', [], { purpose: 'admin' })).rows).toEqual([{ ok: 1 }]);
  });
});

describe('browser mode', () => {
  let app: App;
  let server: RunningServer;
  let dataDir: string;
  let cookie: string;

  const rpc = async <T>(method: string, body: unknown): Promise<{ status: number; result: T }> => {
    const r = await rawRequest(server.port, { method: 'POST', path: `/rpc/${method}`, headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    return { status: r.status, result: (JSON.parse(r.body) as { result: T }).result };
  };
  const finished = async (taskId: string): Promise<Task> => {
    for (let i = 0; i < 1200; i++) {
      const task = (await rpc<{ tasks: Task[] }>('tasks.list', {})).result.tasks.find((t) => t.id === taskId)!;
      if (task.status !== 'running') return task;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('task did not finish');
  };

  beforeAll(async () => {
    ({ app, server, dataDir, cookie } = await startBrowserServer(scratch.url, 'lost-session-token-0123456789', 'pfo-lost-server-'));
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('health.run whose session is ended: the run says unhealthy, the server keeps serving, the next run succeeds', async () => {
    await closeGate();
    try {
      const { status, result } = await rpc<{ taskId: string }>('health.run', {});
      expect(status).toBe(200);
      expect(await terminateWhen(IN_ISOLATION_FUNCTION)).toBe(1);
      expect((await finished(result.taskId)).status).toBe('succeeded');
      const { summary } = (await rpc<{ summary: HealthSummary }>('health.summary', {})).result;
      expect(summary.status).toBe('unhealthy');
      expect(summary.checks.find((c) => c.id === 'tenant_isolation')).toMatchObject({ status: 'error', summary: expect.stringMatching(/administrator command/) });
    } finally {
      await openGate();
    }
    // Same server, same pools: a second run gets new sessions and every check runs.
    const again = await rpc<{ taskId: string }>('health.run', {});
    expect(again.status).toBe(200);
    expect((await finished(again.result.taskId)).status).toBe('succeeded');
    const { summary } = (await rpc<{ summary: HealthSummary }>('health.summary', {})).result;
    expect(summary.status).not.toBe('unhealthy');
    expect(summary.checks.filter((c) => c.status === 'error')).toEqual([]);
  });
});

/** Poll a condition (bounded only to fail clearly); true once it holds. */
async function until(ok: () => boolean): Promise<boolean> {
  for (let i = 0; i < 1200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  return ok();
}

function readdirOr(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
