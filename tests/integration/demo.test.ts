/**
 * The demo database: the seeded shape, the planted problems, and the cluster's lifecycle
 * (reuse across restarts, tenant-count mismatch, stale pid file, crash, busy port, --fresh).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readDemoMetadata, startDemo, type DemoHandle } from '../../src/main/core/demo/cluster';
import { plannedProblems, tenantPlan, tenantSlug, type PlantedProblem, type ProblemKey } from '../../src/main/core/demo/seed';
import { createScratchDatabase, withClient } from '../support/db';
import { TEST_TENANTS, freePort } from '../support/global-setup';

const TABLES = ['ad_slots', 'audit_log', 'campaigns', 'episodes', 'impressions', 'invoices', 'members', 'shows'];

describe('seeded demo database (shared, read-only)', () => {
  const url = inject('pgUrl');
  const problems = plannedProblems(TEST_TENANTS);
  const problem = (key: ProblemKey): PlantedProblem => problems.find((p) => p.key === key)!;
  const plan = tenantPlan(TEST_TENANTS);

  it('has one schema per organization, each with the same 8 tables, owned by podcastflow_app', async () => {
    await withClient(url, async (c) => {
      const orgs = await c.query<{ schema_name: string; slug: string }>('SELECT schema_name, slug FROM public.organizations ORDER BY id');
      expect(orgs.rows.map((r) => r.schema_name)).toEqual(plan.map((s) => s.schema));
      expect(orgs.rows.map((r) => r.slug)).toEqual(plan.map((s) => tenantSlug(s.ordinal)));
      for (const r of orgs.rows) {
        expect(r.schema_name).toMatch(/^org_[a-z][a-z0-9_]*$/);
        expect(Buffer.byteLength(r.schema_name)).toBeLessThanOrEqual(63);
      }

      const tables = await c.query<{ nspname: string; tables: string[]; owner: string; schema_owner: string }>(`
        SELECT n.nspname, array_agg(c.relname::text ORDER BY c.relname) AS tables,
               string_agg(DISTINCT pg_get_userbyid(c.relowner), ',') AS owner, pg_get_userbyid(n.nspowner) AS schema_owner
        FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind = 'r'
        WHERE n.nspname LIKE 'org\\_%'
        GROUP BY n.nspname, n.nspowner ORDER BY n.nspname`);
      expect(tables.rows).toHaveLength(TEST_TENANTS);
      for (const r of tables.rows) {
        expect(r.tables, r.nspname).toEqual(TABLES);
        expect(r.owner).toBe('podcastflow_app');
        expect(r.schema_owner).toBe('podcastflow_app');
      }

      // Keys and constraints: a primary key on every table, the FK chain campaigns <- ad_slots <- impressions.
      const pk = await c.query<{ n: string }>(`
        SELECT count(*) AS n FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
        WHERE n.nspname LIKE 'org\\_%' AND k.contype = 'p'`);
      expect(Number(pk.rows[0]!.n)).toBe(TEST_TENANTS * 8);
      const fk = await c.query<{ conrelid: string; confrelid: string }>(`
        SELECT k.conrelid::regclass::text AS conrelid, k.confrelid::regclass::text AS confrelid
        FROM pg_constraint k WHERE k.contype = 'f' AND k.connamespace = $1::regnamespace`, [plan[0]!.schema]);
      expect(fk.rows).toEqual(
        expect.arrayContaining([
          { conrelid: `${plan[0]!.schema}.impressions`, confrelid: `${plan[0]!.schema}.ad_slots` },
          { conrelid: `${plan[0]!.schema}.ad_slots`, confrelid: `${plan[0]!.schema}.campaigns` },
        ]),
      );

      // The platform role reads every tenant.
      const ro = await c.query<{ n: string }>(`
        SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'org\\_%' AND has_schema_privilege('podcastflow_readonly', oid, 'USAGE')`);
      expect(Number(ro.rows[0]!.n)).toBe(TEST_TENANTS);
    });
  });

  it('has uneven, deterministic volumes: three big tenants and a long tail', async () => {
    await withClient(url, async (c) => {
      const sql = plan
        .map((s) => `SELECT ${s.ordinal} AS ordinal, (SELECT count(*) FROM ${c.escapeIdentifier(s.schema)}.campaigns) AS campaigns,
                     (SELECT count(*) FROM ${c.escapeIdentifier(s.schema)}.ad_slots) AS ad_slots`)
        .join(' UNION ALL ');
      const rows = (await c.query<{ ordinal: number; campaigns: string; ad_slots: string }>(sql + ' ORDER BY 1')).rows;
      for (const r of rows) {
        const spec = plan[r.ordinal - 1]!;
        expect(Number(r.campaigns)).toBe(spec.campaigns);
        expect(Number(r.ad_slots)).toBe(spec.adSlots);
      }
      // Impressions counted exactly (never the statistics collector's estimates, which it updates when it
      // likes); the bloated tenant lost 70% of its rows on purpose (plants 1 checks those).
      const bloated = problem('table_bloat').tenants[0];
      const impressions = await c.query<{ ordinal: number; n: number }>(
        plan.map((s) => `SELECT ${s.ordinal} AS ordinal, (SELECT count(*)::int FROM ${c.escapeIdentifier(s.schema)}.impressions) AS n`).join(' UNION ALL '),
      );
      const live = new Map(impressions.rows.map((r) => [plan[r.ordinal - 1]!.schema, r.n]));
      const big = plan.filter((s) => s.tier === 'big');
      expect(big.map((s) => s.ordinal)).toEqual([1, 2, 3]);
      for (const s of plan.filter((x) => x.schema !== bloated)) expect(live.get(s.schema), s.schema).toBe(s.adSlots > 0 ? s.impressions : 0);
      for (const s of big.slice(1)) expect(live.get(s.schema)).toBeGreaterThanOrEqual(90_000);
      const tail = plan.filter((s) => s.tier === 'small' || s.tier === 'trial');
      for (const s of tail) expect(live.get(s.schema)).toBeLessThanOrEqual(400);
      expect(Math.max(...tail.map((s) => live.get(s.schema)!))).toBeLessThan(100_000 / 100);
    });
  });

  it('plants 1: table bloat (autovacuum off, 70% of the rows deleted, the space not reclaimed)', async () => {
    const p = problem('table_bloat');
    const spec = plan.find((s) => s.schema === p.tenants[0])!;
    await withClient(url, async (c) => {
      // What the seed did, exactly: the planted DELETE removed every id with id % 10 < 7 of ids 1..N.
      const r = await c.query<{ reloptions: string[]; rows: number; deleted_left: number }>(
        `SELECT (SELECT reloptions FROM pg_class WHERE oid = $1::regclass) AS reloptions,
                count(*)::int AS rows, count(*) FILTER (WHERE id % 10 < 7)::int AS deleted_left
         FROM ${c.escapeIdentifier(p.tenants[0]!)}.impressions`,
        [p.objects[0]],
      );
      const row = r.rows[0]!;
      expect(row.reloptions).toContain('autovacuum_enabled=off');
      const kept = Array.from({ length: spec.impressions }, (_, i) => i + 1).filter((id) => id % 10 >= 7).length;
      expect(row).toMatchObject({ rows: kept, deleted_left: 0 });
      expect(spec.impressions - kept).toBeGreaterThan(50_000);
      // The space stays taken (no VACUUM): measured exactly with pgstattuple, live tuples fill under 40% of
      // the table. Pruning may turn dead tuples into free space, so the dead/free split is not asserted.
      const t = await c.query<{ tuple_percent: number }>('SELECT tuple_percent FROM pgstattuple($1::regclass)', [p.objects[0]]);
      expect(t.rows[0]!.tuple_percent).toBeLessThan(40);
    });
  });

  it('plants 2: an unused, non-unique index that was never scanned', async () => {
    const p = problem('unused_index');
    await withClient(url, async (c) => {
      const r = await c.query<{ idx_scan: string; indisunique: boolean; size: string }>(
        `SELECT s.idx_scan, i.indisunique, pg_relation_size(i.indexrelid) AS size
         FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid WHERE s.indexrelid = $1::regclass`,
        [p.objects[0]],
      );
      // int8 arrives as a string or, once the console's Database is loaded in this file, as a number
      expect(Number(r.rows[0]!.idx_scan)).toBe(0);
      expect(r.rows[0]!.indisunique).toBe(false);
      expect(Number(r.rows[0]!.size)).toBeGreaterThan(1_000_000);
      // ...while the rest of that tenant's impressions indexes were used by the workload.
      const used = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname = 'impressions' AND idx_scan > 0`,
        [p.tenants[0]],
      );
      expect(Number(used.rows[0]!.n)).toBeGreaterThan(0);
    });
  });

  it('plants 3: a duplicate (leading-column prefix) index', async () => {
    const p = problem('duplicate_index');
    await withClient(url, async (c) => {
      const r = await c.query<{ indexrelid: string; cols: string }>(
        `SELECT indexrelid::regclass::text AS indexrelid, indkey::text AS cols FROM pg_index
         WHERE indrelid = $1::regclass ORDER BY 1`,
        [`${p.tenants[0]}.episodes`],
      );
      const byName = new Map(r.rows.map((x) => [x.indexrelid, x.cols.split(' ')]));
      const dup = byName.get(p.objects[0]!)!;
      const wide = byName.get(p.objects[1]!)!;
      expect(dup).toHaveLength(1);
      expect(wide).toHaveLength(2);
      expect(wide[0]).toBe(dup[0]);
    });
  });

  it('plants 4: an invalid index from a failed CREATE UNIQUE INDEX CONCURRENTLY', async () => {
    const p = problem('invalid_index');
    await withClient(url, async (c) => {
      const r = await c.query(`SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = $1::regclass`, [p.objects[0]]);
      expect(r.rows[0]).toEqual({ indisvalid: false, indisunique: true });
      const invalid = await c.query(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid`);
      expect(invalid.rows).toEqual([{ name: p.objects[0] }]);
    });
  });

  it('plants 5: one tenant missed migration 42 (campaigns.budget_cents and its index)', async () => {
    const p = problem('missed_migration');
    await withClient(url, async (c) => {
      const r = await c.query<{ table_schema: string }>(
        `SELECT table_schema FROM information_schema.columns WHERE table_name = 'campaigns' AND column_name = 'budget_cents'
         AND table_schema LIKE 'org\\_%' ORDER BY 1`,
      );
      const have = r.rows.map((x) => x.table_schema);
      expect(have).toHaveLength(TEST_TENANTS - 1);
      expect(have).not.toContain(p.tenants[0]);
      const idx = await c.query(`SELECT to_regclass($1) AS idx`, [`${p.tenants[0]}.campaigns_budget_cents_idx`]);
      expect(idx.rows[0]).toEqual({ idx: null });
      const v = await c.query(`SELECT schema_version, count(*)::int AS n FROM public.organizations GROUP BY 1 ORDER BY 1`);
      expect(v.rows).toEqual([{ schema_version: 41, n: 1 }, { schema_version: 42, n: TEST_TENANTS - 1 }]);
    });
  });

  it('plants 6: a cross-tenant grant to agency_acme on exactly two tenant schemas', async () => {
    const p = problem('cross_tenant_grant');
    expect(p.tenants).toHaveLength(2);
    await withClient(url, async (c) => {
      const r = await c.query<{ nspname: string }>(
        `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org\\_%' AND has_schema_privilege('agency_acme', oid, 'USAGE') ORDER BY 1`,
      );
      expect(r.rows.map((x) => x.nspname)).toEqual([...p.tenants].sort());
      const t = await c.query(`SELECT has_table_privilege('agency_acme', $1, 'SELECT') AS ok`, [`${p.tenants[0]}.invoices`]);
      expect(t.rows[0]).toEqual({ ok: true });
      const login = await c.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'agency_acme'`);
      expect(login.rows[0]).toEqual({ rolcanlogin: false });
    });
  });

  it('plants 7: public.usage_events without row-level security (feature_flags keeps it)', async () => {
    await withClient(url, async (c) => {
      const r = await c.query(
        `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
                EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id') AS keyed
         FROM pg_class c WHERE c.oid IN ('public.usage_events'::regclass, 'public.feature_flags'::regclass) ORDER BY 1`,
      );
      expect(r.rows).toEqual([
        { relname: 'feature_flags', relrowsecurity: true, relforcerowsecurity: true, policies: 1, keyed: true },
        { relname: 'usage_events', relrowsecurity: false, relforcerowsecurity: false, policies: 0, keyed: true },
      ]);
    });
  });

  it('plants 8: an int4 sequence above 90% of its range', async () => {
    const p = problem('sequence_overflow');
    await withClient(url, async (c) => {
      const r = await c.query(
        `SELECT schemaname, data_type::text, last_value::bigint AS last_value, max_value::bigint AS max_value
         FROM pg_sequences WHERE last_value::numeric / max_value > 0.9`,
      );
      expect(r.rows.map((x) => ({ ...x, last_value: String(x.last_value), max_value: String(x.max_value) }))).toEqual([{ schemaname: p.tenants[0], data_type: 'integer', last_value: '2000000000', max_value: '2147483647' }]);
    });
  });

  it('plants 9: one SECURITY DEFINER function without a fixed search_path', async () => {
    const p = problem('security_definer_search_path');
    await withClient(url, async (c) => {
      const r = await c.query<{ nspname: string; proconfig: string[] | null }>(
        `SELECT n.nspname, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE p.prosecdef AND n.nspname LIKE 'org\\_%' ORDER BY 1`,
      );
      expect(r.rows).toHaveLength(TEST_TENANTS);
      const unpinned = r.rows.filter((x) => !x.proconfig?.some((s) => s.startsWith('search_path=')));
      expect(unpinned.map((x) => x.nspname)).toEqual(p.tenants);
    });
  });

  it('leaves statistics behind: pg_stat_statements, table and index usage', async () => {
    await withClient(url, async (c) => {
      const s = await c.query<{ n: string; calls: string }>(
        `SELECT count(*) AS n, coalesce(sum(calls), 0) AS calls FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ILIKE '%impressions%'`,
      );
      expect(Number(s.rows[0]!.n)).toBeGreaterThan(10);
      expect(Number(s.rows[0]!.calls)).toBeGreaterThan(50);
      const t = await c.query<{ seq: string; idx: string }>(
        `SELECT coalesce(sum(seq_scan), 0) AS seq, coalesce(sum(idx_scan), 0) AS idx FROM pg_stat_user_tables WHERE schemaname LIKE 'org\\_%'`,
      );
      expect(Number(t.rows[0]!.seq)).toBeGreaterThan(0);
      expect(Number(t.rows[0]!.idx)).toBeGreaterThan(100);
      const a = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_user_tables WHERE schemaname LIKE 'org\\_%' AND last_analyze IS NULL`,
      );
      expect(Number(a.rows[0]!.n)).toBe(0);
      // the catalogs vacuumed and analyzed last: none left for autovacuum to reach at some later moment
      const cat = await c.query<{ n: string; unvacuumed: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE last_vacuum IS NULL OR last_analyze IS NULL) AS unvacuumed
         FROM pg_stat_sys_tables WHERE schemaname = 'pg_catalog' AND relname IN ('pg_class', 'pg_attribute', 'pg_depend', 'pg_index')`,
      );
      expect(cat.rows[0]).toEqual({ n: 4, unvacuumed: 0 });
      const ext = await c.query(`SELECT extname FROM pg_extension WHERE extname IN ('pg_stat_statements', 'pgstattuple') ORDER BY 1`);
      expect(ext.rows).toEqual([{ extname: 'pg_stat_statements' }, { extname: 'pgstattuple' }]);
    });
  });
});

describe('seedDatabase into a scratch database', () => {
  it('seeds a clean database when plantProblems is false', async () => {
    const db = await createScratchDatabase({ seed: true, tenants: 9, plantProblems: false, scale: 0.02 });
    try {
      expect(db.seed?.problems).toEqual([]);
      expect(db.seed?.tenants).toHaveLength(9);
      await withClient(db.url, async (c) => {
        const r = await c.query(`
          SELECT
            (SELECT count(*)::int FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
              WHERE NOT i.indisvalid) AS invalid,
            (SELECT count(*)::int FROM information_schema.columns
              WHERE table_name = 'campaigns' AND column_name = 'budget_cents') AS budget,
            (SELECT relrowsecurity FROM pg_class WHERE oid = 'public.usage_events'::regclass) AS rls,
            (SELECT count(*)::int FROM pg_sequences WHERE last_value::numeric / max_value > 0.5) AS seqs,
            (SELECT count(*)::int FROM pg_proc WHERE prosecdef AND proconfig IS NULL) AS unpinned,
            (SELECT count(*)::int FROM pg_namespace WHERE nspname LIKE 'org\\_%'
              AND has_schema_privilege('agency_acme', oid, 'USAGE')) AS granted,
            (SELECT count(*)::int FROM pg_namespace WHERE nspname = 'podcastflow_seed') AS helper`);
        expect(r.rows[0]).toEqual({ invalid: 0, budget: 9, rls: true, seqs: 0, unpinned: 0, granted: 0, helper: 0 });
      });
    } finally {
      await db.drop();
    }
  });

  it('refuses a database that is already seeded', async () => {
    const db = await createScratchDatabase({ seed: true, tenants: 1, scale: 0.01, workload: false });
    try {
      const { seedDatabase } = await import('../../src/main/core/demo/seed');
      await expect(seedDatabase(db.url, { tenants: 1 })).rejects.toThrow(/already holds a PodcastFlow schema/);
    } finally {
      await db.drop();
    }
  });
});

describe('demo cluster lifecycle', () => {
  let dir: string;
  let handle: DemoHandle | undefined;
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'podcastflow-demo-test-'));
  });
  afterAll(async () => {
    await handle?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates and seeds once, then reuses the cluster as is', async () => {
    const port = await freePort();
    handle = await startDemo({ dataDir: dir, port, tenants: 3, scale: 0.02, log });
    expect(handle).toMatchObject({ seededNow: true, tenants: 3, port, host: '127.0.0.1', user: 'postgres', database: 'podcastflow' });
    expect(handle.url).toBe(`postgres://postgres:${encodeURIComponent(handle.password)}@127.0.0.1:${port}/podcastflow`);
    const meta = readDemoMetadata(dir)!;
    expect(meta).toMatchObject({ state: 'seeded', tenants: 3, password: handle.password });
    const { statSync } = await import('node:fs');
    expect(statSync(path.join(dir, 'demo.json')).mode & 0o777).toBe(0o600);

    await withClient(handle.url, (c) => c.query(`CREATE TABLE public.restart_marker (v text); INSERT INTO public.restart_marker VALUES ('kept')`));
    await handle.stop();
    await handle.stop(); // idempotent

    handle = await startDemo({ dataDir: dir, port, log });
    expect(handle).toMatchObject({ seededNow: false, tenants: 3 });
    const marker = await withClient(handle.url, (c) => c.query('SELECT v FROM public.restart_marker'));
    expect(marker.rows).toEqual([{ v: 'kept' }]);
    const orgs = await withClient(handle.url, (c) => c.query('SELECT count(*)::int AS n FROM public.organizations'));
    expect(orgs.rows).toEqual([{ n: 3 }]);
    await handle.stop();

    // The same count is fine; another count is refused with what exists and how to reseed.
    handle = await startDemo({ dataDir: dir, port, tenants: 3, log });
    expect(handle.seededNow).toBe(false);
    await handle.stop();
    await expect(startDemo({ dataDir: dir, port, tenants: 5, log })).rejects.toThrow(/already seeded with 3 tenants, not 5\. Pass --fresh/);
  });

  it('takes the next free port when the requested one is busy', async () => {
    const busy = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', () => r()));
    try {
      logs.length = 0;
      handle = await startDemo({ dataDir: dir, port, log });
      expect(handle.port).not.toBe(port);
      expect(handle.url).toContain(`:${handle.port}/`);
      expect(logs.join('\n')).toMatch(new RegExp(`Port ${port} is busy; using ${handle.port}`));
      await handle.stop();
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('starts over a stale postmaster.pid and after the server was killed', async () => {
    const meta = readDemoMetadata(dir)!;
    const pidFile = path.join(meta.clusterDir, 'postmaster.pid');

    // A pid file naming a live process that is not Postgres (pid reuse after a crash).
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await writeFile(pidFile, `${sleeper.pid}\n${meta.clusterDir}\n1700000000\n${await freePort()}\n\n127.0.0.1\n  5432001  0\nready   \n`);
      logs.length = 0;
      handle = await startDemo({ dataDir: dir, port: await freePort(), log });
      expect(logs.join('\n')).toMatch(/Removing a stale .*postmaster\.pid/);
    } finally {
      sleeper.kill();
    }

    // The server dies hard (SIGKILL): crash recovery on the next start, data intact.
    const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await gone(pid);
    handle = await startDemo({ dataDir: dir, port: await freePort(), log });
    const orgs = await withClient(handle.url, (c) => c.query('SELECT count(*)::int AS n FROM public.organizations'));
    expect(orgs.rows).toEqual([{ n: 3 }]);
    await handle.stop();
  });

  it('shuts down a server an earlier (killed) host left running', async () => {
    const meta = readDemoMetadata(dir)!;
    const port = await freePort();
    handle = await startDemo({ dataDir: dir, port, log });
    // Forget the handle without stopping, as a host killed with SIGKILL would.
    const pid = Number((await readFile(path.join(meta.clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    logs.length = 0;
    const again = await startDemo({ dataDir: dir, port, log });
    handle = again;
    expect(logs.join('\n')).toMatch(new RegExp(`left running by an earlier run \\(pid ${pid}\\)`));
    expect(again.port).toBe(port);
    const r = await withClient(again.url, (c) => c.query('SELECT 1 AS ok'));
    expect(r.rows).toEqual([{ ok: 1 }]);
    await again.stop();
  });

  it('wipes and reseeds with fresh', async () => {
    handle = await startDemo({ dataDir: dir, port: await freePort(), tenants: 2, scale: 0.02, fresh: true, log });
    expect(handle).toMatchObject({ seededNow: true, tenants: 2 });
    const r = await withClient(handle.url, (c) =>
      c.query(`SELECT count(*)::int AS n, to_regclass('public.restart_marker') IS NULL AS gone FROM public.organizations`),
    );
    expect(r.rows).toEqual([{ n: 2, gone: true }]);
    await handle.stop();
  });
});

/** Resolves once no process has this pid (signal 0 tests for existence); polled, with no fixed delay to guess. */
async function gone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setImmediate(r));
  }
}
