/**
 * Point-in-time recovery of one tenant on the real engine: an embedded cluster of its own with WAL
 * archived by pgbackrest (demo --pitr), rows written, the time T noted, more written, rows deleted;
 * the tenant recovered to T beside the live one. Also: a cancel leaves no server and no scratch files,
 * and without pgbackrest on PATH the error says what to install. And the DR engine's deletion run on the
 * same cluster: it chooses the point-in-time target over the older logical backup and restores from it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeOrphanClusters, startDemo, type DemoHandle } from '../../src/main/core/demo/cluster';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { restoreTenantToPoint } from '../../src/main/core/pitr/restore';
import { pitrHook } from '../../src/main/core/pitr/restore-points';
import { runBackup } from '../../src/main/core/backup/backup';
import { openDestination } from '../../src/main/core/backup/destination';
import { loadKeyFile } from '../../src/main/core/backup/keys';
import { readEvents } from '../../src/main/core/dr/journal';
import { DrService } from '../../src/main/core/dr/service';
import { TaskManager } from '../../src/main/core/tasks/tasks';
import { leftoverScratchDirs, serverBinaries } from '../../src/main/core/pitr/scratch';
import { pitrStatus } from '../../src/main/core/pitr/status';
import { OpsError } from '../../src/main/core/util/errors';
import { runHealth } from '../../src/main/core/health/registry';
import { DEFAULT_THRESHOLDS } from '../../src/main/core/health/thresholds';
import { freePort } from '../support/global-setup';
import { withClient } from '../support/db';

let dir: string;
let scratchBase: string;
let demo: DemoHandle;
let db: Database;
const TENANT = 'org_pitr_probe';

/** Processes whose command line names the scratch folder (a scratch server left running). */
function processesUnder(base: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(base)) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'podcastflow-pitr-test-'));
  scratchBase = await mkdtemp(path.join(tmpdir(), 'podcastflow-pitr-scratch-'));
  const { chmod } = await import('node:fs/promises');
  await chmod(scratchBase, 0o711); // the server's OS user (postgres, when we are root) must reach its scratch folder
  demo = await startDemo({ dataDir: dir, port: await freePort(), tenants: 2, scale: 0.02, pitr: true });
  const { target, password } = parseUrl(demo.url);
  db = new Database({ ...target, sslmode: 'disable' }, { password: password!, source: 'url' });
  await withClient(demo.url, (c) => c.query(`CREATE SCHEMA ${TENANT}; CREATE TABLE ${TENANT}.episodes (id int PRIMARY KEY, title text NOT NULL)`));
});

afterAll(async () => {
  await db?.close();
  await demo?.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(scratchBase, { recursive: true, force: true });
  await removeOrphanClusters();
});

describe('tenant point-in-time recovery (pgBackRest)', () => {
  it('the demo archives WAL into its repo and reports a recoverable window', async () => {
    expect(demo.pitr?.stanza).toBe('demo');
    const status = await pitrStatus(demo.pitr, db, 'demo');
    expect(status.engine.ok).toBe(true);
    expect(status.error).toBeUndefined();
    expect(status.backups.length).toBeGreaterThanOrEqual(1);
    expect(status.archiver?.archiveMode).toBe('on');
    expect(status.archiver?.pushesToPgbackrest).toBe(true);
    expect(status.window?.from).toBe(status.backups[0]!.finishedAt);
  });

  it('the wal_archiving health check passes on the archiving demo and is skipped where archive_mode is off', async () => {
    const run = (d: Database) => runHealth(d, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS, only: ['wal_archiving'] });
    const on = (await run(db)).checks.find((c) => c.id === 'wal_archiving')!;
    expect(on.status).toBe('pass');
    expect(on.summary).toContain('pushes to pgBackRest');
    const { target, password } = parseUrl(inject('pgUrl'));
    const plain = new Database({ ...target, sslmode: 'disable' }, { password: password!, source: 'url' });
    try {
      expect((await run(plain)).checks.find((c) => c.id === 'wal_archiving')!.status).toBe('skipped');
    } finally {
      await plain.close();
    }
  });

  it('recovers the tenant to before a DELETE: the side schema holds exactly the rows as of T', async () => {
    // pgBackRest keeps a backup's stop time in whole seconds: T must be clearly after the first backup.
    const backupEnd = Date.parse((await pitrStatus(demo.pitr, db)).backups[0]!.finishedAt);
    const T = await withClient(demo.url, async (c) => {
      await c.query('SELECT pg_sleep(greatest(0, $1::float8 - extract(epoch FROM clock_timestamp())))', [backupEnd / 1000 + 2]);
      await c.query(`INSERT INTO ${TENANT}.episodes SELECT g, 'before ' || g FROM generate_series(1, 50) g`);
      // A JS Date keeps milliseconds, the commit time microseconds: T taken in the commit's millisecond would
      // truncate to before it. Let a few milliseconds pass first.
      return (await c.query<{ t: Date }>('SELECT clock_timestamp() AS t FROM pg_sleep(0.005)')).rows[0]!.t.toISOString();
    });
    await withClient(demo.url, async (c) => {
      // Commits after T: more rows, then the "incident".
      await c.query('SELECT pg_sleep(0.05)');
      await c.query(`INSERT INTO ${TENANT}.episodes SELECT g, 'after ' || g FROM generate_series(51, 80) g`);
      await c.query(`DELETE FROM ${TENANT}.episodes WHERE id <= 20`);
    });
    const phases: string[] = [];
    const result = await restoreTenantToPoint({ db, cfg: demo.pitr!, tenant: TENANT, target: { type: 'time', value: T }, scratchBase, phase: (p) => phases.push(p) });
    expect(phases).toEqual(['restore', 'start', 'check', 'copy', 'cleanup']);
    expect(result.schema).toMatch(/^org_pitr_probe__restored_\d{8}_\d{4}$/);
    expect(result.stoppedAt).toMatch(/^before commit of transaction/);
    const rows = await withClient(demo.url, (c) => c.query<{ id: number; title: string }>(`SELECT id, title FROM "${result.schema}".episodes ORDER BY id`));
    expect(rows.rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows.rows.every((r) => r.title.startsWith('before '))).toBe(true);
    // The live tenant is untouched: the delete and the later rows are still there.
    const live = await withClient(demo.url, (c) => c.query<{ n: number; min: number }>(`SELECT count(*)::int AS n, min(id) AS min FROM ${TENANT}.episodes`));
    expect(live.rows[0]).toEqual({ n: 60, min: 21 });
    expect(result.rows).toBe(50);
    // No scratch cluster running, no scratch files left.
    expect(await leftoverScratchDirs(scratchBase)).toEqual([]);
    expect(processesUnder(scratchBase)).toEqual([]);
  });

  it('a DR deletion run with pgBackRest set up restores the tenant to a second before the incident', async () => {
    const tenant = 'org_pitr_dr';
    const sql = (text: string) => withClient(demo.url, (c) => c.query<{ id: number }>(text));
    await sql(`CREATE SCHEMA ${tenant}; CREATE TABLE ${tenant}.episodes (id int PRIMARY KEY, title text NOT NULL); INSERT INTO ${tenant}.episodes SELECT g, 'dumped ' || g FROM generate_series(1, 40) g`);
    // A logical backup first: the alternative the restore-point step must keep, and lose more than PITR.
    const home = await mkdtemp(path.join(dir, 'dr-home-'));
    await writeFile(path.join(home, 'backup.key'), execFileSync('openssl', ['rand', '-base64', '48']).toString().trim() + '\n', { mode: 0o600 });
    const key = await loadKeyFile(path.join(home, 'backup.key'));
    const dest = openDestination(path.join(home, 'backups'));
    const dump = await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant } });
    // Rows written after the dump, then (over a second later) the incident: a DELETE.
    // (Separate statements: one multi-statement query would commit them all at its end.)
    await sql('SELECT pg_sleep(1.1)');
    await sql(`INSERT INTO ${tenant}.episodes SELECT g, 'later ' || g FROM generate_series(41, 60) g`);
    await sql('SELECT pg_sleep(1.5)');
    const incidentAt = new Date().toISOString();
    await sql(`DELETE FROM ${tenant}.episodes WHERE id <= 20`);

    const svc = new DrService({
      home,
      tasks: new TaskManager(),
      connection: async () => ({ id: 'pitr-demo', db, database: db.target.database, production: false }),
      backups: async () => ({ dest, keys: async () => [key], key: async () => key }),
      pitr: async () => pitrHook(demo.pitr!, db, { scratchBase }),
    });
    let r = await svc.start({ scenario: 'deletion', tenants: [tenant], incidentAt });
    const go = async (input: { choose?: string } = {}) => (r = await svc.next({ runId: r.id, confirm: 'yes', note: 'test', ...input }, { wait: true }));
    const step = (id: string) => r.steps.find((s) => s.id === id)!;
    await go(); // scope
    await go(); // stop-sessions
    await go(); // freeze
    await go(); // restore point
    expect(step('restore-point').output).toMatchObject({ source: 'pitr', stanza: 'demo', rpoGapSec: 1, target: { type: 'time', value: new Date(Date.parse(incidentAt) - 1000).toISOString() }, uses: expect.stringContaining('point-in-time recovery through pgBackRest') });
    const alternatives = (step('restore-point').output as { alternatives: { backup: { id: string }; rpoGapSec: number }[] }).alternatives;
    expect(alternatives[0]!.backup.id).toBe(dump.manifest.id);
    expect(alternatives[0]!.rpoGapSec).toBeGreaterThan(1);
    expect(r.rpo.achievedSec).toBe(1);
    await go(); // verify: pgBackRest's own checks, no logical backup needed
    expect(step('verify-backup')).toMatchObject({ status: 'succeeded', output: { ok: true, source: 'pitr', note: expect.stringContaining("pgBackRest's own backups and WAL archive were checked") } });
    await go(); // restore beside, through pgBackRest
    // On failure, say why (the step's error and log), not only that it failed.
    expect(step('restore-beside').status, JSON.stringify(step('restore-beside'))).toBe('succeeded');
    const copy = (step('restore-beside').output as { schema: string }).schema;
    expect(copy).toMatch(/^org_pitr_dr__restored_\d{8}_\d{4}$/);
    // The side schema's name was journalled before the restore began (a crash's partial copy is dropped on retry).
    const started = (await readEvents(path.join(home, 'dr', 'runs', r.id, 'journal.jsonl'))).find((e) => e.type === 'started' && e.step === 'restore-beside');
    expect(started).toMatchObject({ partial: { schema: copy } });
    const restored = await sql(`SELECT id FROM "${copy}".episodes ORDER BY id`);
    expect(restored.rows.map((x) => x.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await go(); // diff
    expect((step('diff').output as { tables: { table: string; missingInLive: number }[] }).tables.find((t) => t.table === 'episodes')).toMatchObject({ missingInLive: 20 });
    await go({ choose: 'merge' });
    await go(); // merge back
    expect(step('merge-back').output).toMatchObject({ total: 20 });
    expect((await sql(`SELECT count(*)::int AS id FROM ${tenant}.episodes`)).rows[0]!.id).toBe(60);
    await svc.cancel({ runId: r.id, run: true });
    expect(await leftoverScratchDirs(scratchBase)).toEqual([]);
    expect(processesUnder(scratchBase)).toEqual([]);
  }, 300_000);

  it('a cancel as the copy starts leaves no server, no scratch files and no side schema', async () => {
    const ac = new AbortController();
    const at = new Date().toISOString();
    const run = restoreTenantToPoint({
      db,
      cfg: demo.pitr!,
      tenant: TENANT,
      target: { type: 'time', value: at },
      intoSchema: 'org_pitr_probe__restored_cancelled',
      scratchBase,
      signal: ac.signal,
      phase: (p) => {
        if (p === 'start') ac.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(await leftoverScratchDirs(scratchBase)).toEqual([]);
    expect(processesUnder(scratchBase)).toEqual([]);
    const side = await withClient(demo.url, (c) => c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'org_pitr_probe__restored_cancelled'"));
    expect(side.rowCount).toBe(0);
  });

  it('a target the archived WAL does not reach fails clearly and leaves no server and no scratch files', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const err = await restoreTenantToPoint({ db, cfg: demo.pitr!, tenant: TENANT, target: { type: 'time', value: future }, intoSchema: 'org_pitr_probe__restored_future', scratchBase }).catch((e: unknown) => e);
    expect((err as OpsError).code).toBe('pitr_target_unreachable');
    expect((err as OpsError).message).toMatch(/archived WAL ends before the recovery target/);
    expect(await leftoverScratchDirs(scratchBase)).toEqual([]);
    expect(processesUnder(scratchBase)).toEqual([]);
  });

  it('without pgbackrest on PATH, says what to install (status and restore)', async () => {
    const saved = process.env.PATH;
    process.env.PATH = (saved ?? '').split(path.delimiter).filter((d) => !existsSync(path.join(d, 'pgbackrest'))).join(path.delimiter);
    try {
      const status = await pitrStatus(demo.pitr, db, 'demo');
      expect(status.engine.ok).toBe(false);
      expect(status.engine.error?.code).toBe('pgbackrest_missing');
      expect(status.engine.error?.hint).toContain('apt-get install pgbackrest');
      const err = await restoreTenantToPoint({ db, cfg: demo.pitr!, tenant: TENANT, target: { type: 'time', value: new Date().toISOString() }, scratchBase }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpsError);
      expect((err as OpsError).code).toBe('pgbackrest_missing');
      expect((err as OpsError).hint).toContain('apt-get install pgbackrest');
    } finally {
      process.env.PATH = saved;
    }
    expect(await leftoverScratchDirs(scratchBase)).toEqual([]);
  });

  it('demo --pitr without pgbackrest says how to install it and starts the plain demo', async () => {
    const plainDir = await mkdtemp(path.join(tmpdir(), 'podcastflow-pitr-plain-'));
    const saved = process.env.PODCASTFLOW_OPS_PGBACKREST;
    process.env.PODCASTFLOW_OPS_PGBACKREST = path.join(plainDir, 'no-pgbackrest-here');
    const lines: string[] = [];
    try {
      const plain = await startDemo({ dataDir: plainDir, port: await freePort(), tenants: 1, scale: 0.02, pitr: true, log: (m) => lines.push(m) });
      try {
        expect(plain.pitr).toBeUndefined();
        expect(plain.pitrMessage).toContain('apt-get install pgbackrest');
        expect(lines.join('\n')).toContain('Starting the demo without point-in-time recovery');
        const mode = await withClient(plain.url, (c) => c.query<{ archive_mode: string }>('SHOW archive_mode'));
        expect(mode.rows[0]!.archive_mode).toBe('off');
      } finally {
        await plain.stop();
      }
    } finally {
      if (saved === undefined) delete process.env.PODCASTFLOW_OPS_PGBACKREST;
      else process.env.PODCASTFLOW_OPS_PGBACKREST = saved;
      await rm(plainDir, { recursive: true, force: true });
    }
  });

  it('refuses server binaries of another major version, naming the one needed', () => {
    expect(() => serverBinaries(99)).toThrow(/PostgreSQL 99 server binaries/);
    try {
      serverBinaries(99);
    } catch (err) {
      expect((err as OpsError).code).toBe('pg_server_missing');
      expect((err as OpsError).hint).toContain('postgresql-99');
    }
  });
});
