import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS, type HealthReport } from '../../src/shared/domain/health';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { loadSql } from '../../src/main/core/db/sql';
import { runHealth } from '../../src/main/core/health/registry';
import { HealthService } from '../../src/main/core/health/service';
import { DEFAULT_THRESHOLDS } from '../../src/main/core/health/thresholds';
import { TaskManager } from '../../src/main/core/tasks/tasks';
import { silentLogger } from '../../src/main/core/util/log';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/db';
import { taskEnded } from '../support/tasks';

function open(url: string): Database {
  const { target, password } = parseUrl(url.includes('sslmode=') ? url : `${url}${url.includes('?') ? '&' : '?'}sslmode=disable`);
  return new Database(target, { password: password ?? '', source: 'url' });
}

const check = (r: HealthReport, id: string) => r.checks.find((c) => c.id === id)!;
const objects = (r: HealthReport, id: string) => check(r, id).findings.map((f) => f.object);

describe('health checks on a database with planted problems', () => {
  let scratch: ScratchDatabase;
  let db: Database;
  let report: HealthReport;
  let blocker: pg.Client;
  let waiter: pg.Client;
  let blockedTable: string;
  let waiting: Promise<unknown>;

  beforeAll(async () => {
    scratch = await createScratchDatabase({ seed: true, tenants: 5 });
    db = open(scratch.url);
    // A query blocked by a lock: one session holds ACCESS EXCLUSIVE on a tenant table, another waits.
    const tenant = scratch.seed!.tenants[1]!;
    blockedTable = `${tenant}.shows`;
    blocker = new pg.Client({ connectionString: scratch.url });
    waiter = new pg.Client({ connectionString: scratch.url });
    await blocker.connect();
    await waiter.connect();
    await blocker.query(`BEGIN; LOCK TABLE ${pg.escapeIdentifier(tenant)}.shows IN ACCESS EXCLUSIVE MODE`);
    waiting = waiter.query(`SELECT count(*) FROM ${pg.escapeIdentifier(tenant)}.shows`).catch(() => undefined);
    // Wait until the server shows the waiter as blocked.
    for (let i = 0; i < 50; i++) {
      const { rows } = await withClient(scratch.url, (c) => c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0'));
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    report = await runHealth(db, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS, databaseName: scratch.name });
  });

  afterAll(async () => {
    await blocker?.query('ROLLBACK').catch(() => undefined);
    await waiting;
    await blocker?.end().catch(() => undefined);
    await waiter?.end().catch(() => undefined);
    await db?.close();
    await scratch?.drop();
  });

  it('reports every check of DESIGN §3, each with a duration, and none of them errors', () => {
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    for (const c of report.checks) {
      expect(c.durationMs, c.id).toBeGreaterThanOrEqual(0);
      expect(c.status, `${c.id}: ${c.summary}`).not.toBe('error');
    }
    expect(report.database.name).toBe(scratch.name);
    expect(check(report, 'replication_lag').status).toBe('skipped');
  });

  it('names each planted object in the right check', () => {
    const planted = scratch.seed!.problems;
    const expectations: [string, string][] = [];
    for (const p of planted) {
      for (const id of p.detectedBy) if ((CHECK_IDS as readonly string[]).includes(id) && id !== 'tenant_isolation') expectations.push([id, p.objects[0]!]);
    }
    expect(expectations.map((e) => e[0])).toEqual(expect.arrayContaining(['table_bloat', 'autovacuum', 'unused_indexes', 'duplicate_indexes', 'invalid_indexes', 'sequence_overflow']));
    for (const [id, object] of expectations) expect(objects(report, id), `${id} should name ${object}`).toContain(object);
    expect(objects(report, 'blocked_queries')).toContain(blockedTable);
  });

  it('summarises the tenant verification: the planted leaks fail tenant_isolation', () => {
    const iso = check(report, 'tenant_isolation');
    expect(iso.status).toBe('fail');
    const kinds = iso.findings.map((f) => (f.data as { kind?: string } | undefined)?.kind);
    expect(kinds).toEqual(expect.arrayContaining(['cross_tenant_grant', 'shared_table_without_rls', 'security_definer_search_path', 'missing_column']));
    expect(iso.findings.some((f) => f.object === 'public.usage_events')).toBe(true);
  });

  it('judges the planted problems by their thresholds and marks tenant objects with their tenant', () => {
    const seq = check(report, 'sequence_overflow');
    expect(seq.status).toBe('fail');
    expect(seq.findings[0]!.tenant).toBe(seq.findings[0]!.object!.split('.')[0]);
    expect(seq.findings[0]!.data).toMatchObject({ columnType: 'integer' });
    expect(check(report, 'invalid_indexes').status).toBe('warn');
    expect(check(report, 'duplicate_indexes').findings[0]!.data).toMatchObject({ kind: 'prefix' });
    const bloat = check(report, 'table_bloat').findings.find((f) => f.object?.endsWith('.impressions'))!;
    expect((bloat.data as { wastedRatio: number }).wastedRatio).toBeGreaterThan(0.4);
    expect(report.status).not.toBe('healthy');
  });
});

describe('checks read from the catalogs give the rows of the statistics views', () => {
  let scratch: ScratchDatabase;
  let tenant: string;
  type Row = Record<string, unknown>;
  const byName = (rows: Row[]) => [...rows].sort((x, y) => `${String(x.schema)}.${String(x.name)}`.localeCompare(`${String(y.schema)}.${String(y.name)}`));
  const rowsOf = (sql: string, params: unknown[] = []) => withClient(scratch.url, async (c) => (await c.query<Row>(sql, params)).rows);

  beforeAll(async () => {
    scratch = await createScratchDatabase({ seed: true, tenants: 3 });
    tenant = scratch.seed!.tenants[0]!;
    const t = pg.escapeIdentifier(tenant);
    const copy = pg.escapeIdentifier(`${tenant}__restored_20261203`);
    // beside the seed's primary keys, unique and foreign keys: an exclusion constraint, a partial and an
    // expression index, a materialized view with an index, a partitioned table (the views list its
    // partition's index, not the parent's), a table with autovacuum off, a restored copy, a scanned index
    await withClient(scratch.url, async (c) => {
      await c.query(`
        CREATE TABLE ${t}.rooms (id int PRIMARY KEY, spot box, EXCLUDE USING gist (spot WITH &&));
        CREATE INDEX rooms_partial ON ${t}.rooms (id) WHERE id > 10;
        CREATE INDEX rooms_expr ON ${t}.rooms ((id * 2));
        CREATE MATERIALIZED VIEW ${t}.room_ids AS SELECT id FROM ${t}.rooms;
        CREATE INDEX room_ids_id ON ${t}.room_ids (id);
        CREATE TABLE ${t}.parted (id int) PARTITION BY RANGE (id);
        CREATE TABLE ${t}.parted_1 PARTITION OF ${t}.parted FOR VALUES FROM (0) TO (100);
        CREATE INDEX parted_id ON ${t}.parted (id);
        CREATE TABLE ${t}.quiet (a int) WITH (autovacuum_enabled = off);
        CREATE SCHEMA ${copy};
        CREATE TABLE ${copy}.t (a int) WITH (autovacuum_enabled = off);
        CREATE INDEX t_a ON ${copy}.t (a);
        CREATE TABLE public.scanned (a int);
        CREATE INDEX scanned_a ON public.scanned (a);
        SET enable_seqscan = off;
        SELECT * FROM public.scanned WHERE a = 1;`);
      await c.query('SELECT pg_stat_force_next_flush()');
    });
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  it('unused_indexes: the rows of pg_stat_user_indexes, constraint-backed indexes and restored copies left out', async () => {
    const pick = (rows: Row[]) => byName(rows).map((r) => ({ schema: r.schema, name: r.name, table_name: r.table_name }));
    const ours = pick(await rowsOf(loadSql('health_unused_indexes'), ['org_%', 100_000]));
    const theirs = pick(
      await rowsOf(`
        SELECT s.schemaname AS schema, s.indexrelname AS name, s.relname AS table_name
          FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
         WHERE s.idx_scan = 0 AND s.schemaname !~ '__(restored|replaced)_'
           AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion AND i.indisvalid
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = s.indexrelid)`),
    );
    expect(ours).toEqual(theirs);
    const names = ours.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['rooms_partial', 'rooms_expr', 'room_ids_id', 'parted_1_id_idx']));
    for (const absent of ['parted_id', 't_a', 'scanned_a']) expect(names).not.toContain(absent);
    expect(names.some((n) => String(n).includes('excl'))).toBe(false);
  });

  it('seq_scan_heavy: the figures of pg_stat_user_tables, restored copies left out', async () => {
    const pick = (rows: Row[]) => byName(rows).map((r) => ({ schema: r.schema, name: r.name, bytes: r.table_bytes, seq: r.seq_scan, idx: r.idx_scan, read: r.seq_tup_read }));
    // every threshold 0: every table is compared
    const ours = await rowsOf(loadSql('health_seq_scan_heavy'), ['org_%', 0, 0, 0, 100_000]);
    const theirs = await rowsOf(`
      SELECT s.schemaname AS schema, s.relname AS name, c.relpages::bigint * current_setting('block_size')::bigint AS table_bytes,
             s.seq_scan, coalesce(s.idx_scan, 0) AS idx_scan, s.seq_tup_read
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.schemaname !~ '__(restored|replaced)_' AND s.seq_scan::numeric / nullif(s.seq_scan + coalesce(s.idx_scan, 0), 0) >= 0`);
    expect(pick(ours)).toEqual(pick(theirs));
    expect(ours.some((r) => r.name === 'scanned' && Number(r.idx_scan) > 0)).toBe(true);
  });

  it('autovacuum: the rows of pg_stat_user_tables, restored copies left out', async () => {
    const pick = (rows: Row[]) =>
      byName(rows).map((r) => ({ schema: r.schema, name: r.name, live: r.n_live_tup, dead: r.n_dead_tup, mod: r.n_mod_since_analyze, vacuum: r.last_vacuum, analyze: r.last_analyze }));
    // min_dead 0: every table qualifies, so every row of the view is compared
    const ours = await rowsOf(loadSql('health_autovacuum'), ['org_%', 0, 7, 100_000]);
    const theirs = await rowsOf(`
      SELECT s.schemaname AS schema, s.relname AS name, s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze,
             greatest(s.last_vacuum, s.last_autovacuum) AS last_vacuum, greatest(s.last_analyze, s.last_autoanalyze) AS last_analyze
        FROM pg_stat_user_tables s WHERE s.schemaname !~ '__(restored|replaced)_'`);
    expect(pick(ours)).toEqual(pick(theirs));
    const names = ours.map((r) => `${String(r.schema)}.${String(r.name)}`);
    expect(names).toEqual(expect.arrayContaining([`${tenant}.parted`, `${tenant}.parted_1`, `${tenant}.room_ids`]));
    expect(ours.find((r) => r.name === 'quiet')?.autovacuum_disabled).toBe(true);
    expect(names.some((n) => n.includes('__restored_'))).toBe(false);
  });
});

describe('health checks on a healthy database', () => {
  let scratch: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    scratch = await createScratchDatabase({ seed: true, tenants: 3, plantProblems: false, scale: 0.2 });
    db = open(scratch.url);
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  it('has no check in error and no planted findings', async () => {
    const r = await runHealth(db, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS });
    for (const c of r.checks) expect(c.status, `${c.id}: ${c.summary}`).not.toBe('error');
    expect(check(r, 'invalid_indexes').findings).toEqual([]);
    expect(check(r, 'duplicate_indexes').findings).toEqual([]);
    expect(check(r, 'sequence_overflow').status).toBe('pass');
    expect(check(r, 'slow_queries').status).not.toBe('error');
  });

  it('starts the longest checks first and still reports in report order', async () => {
    const started: string[] = [];
    const r = await runHealth(db, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS, concurrency: 1, onProgress: (_d, _t, id) => started.push(id) });
    // one at a time, so the order they finish in is the order they started in
    expect(started.slice(0, 4)).toEqual(['connectivity', 'tenant_isolation', 'unused_indexes', 'sizes']);
    expect(started.indexOf('table_bloat')).toBeLessThan(started.indexOf('connections'));
    expect(r.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
  });

  it('without pg_stat_statements slow_queries is a warning that says how to enable it', async () => {
    await withClient(scratch.url, (c) => c.query('DROP EXTENSION pg_stat_statements'));
    const r = await runHealth(db, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS });
    const slow = check(r, 'slow_queries');
    expect(slow.status).toBe('warn');
    expect(slow.findings[0]!.message).toMatch(/shared_preload_libraries/);
    expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
  });

  it('gives a check that times out its own error without stopping the others', async () => {
    const r = await runHealth(db, { tenantPattern: 'org_%', thresholds: { ...DEFAULT_THRESHOLDS, checkTimeoutMs: 100 }, only: ['sizes', 'connections'] });
    // sizes may or may not finish in 100 ms; connections does, and the report is complete either way.
    expect(r.checks.map((c) => c.id)).toEqual(['connectivity', 'connections', 'sizes']);
    expect(check(r, 'connections').status).toBe('pass');
  });
});

describe('health of an unreachable database', () => {
  it('fails connectivity, skips every other check, and is unhealthy', async () => {
    const srv = await import('node:net').then((net) => new Promise<import('node:net').Server>((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => res(s)); }));
    const port = (srv.address() as import('node:net').AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const db = open(`postgres://nobody:x@127.0.0.1:${port}/none`);
    try {
      const r = await runHealth(db, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS, databaseName: 'none' });
      expect(check(r, 'connectivity').status).toBe('fail');
      expect(r.checks.filter((c) => c.id !== 'connectivity').every((c) => c.status === 'skipped')).toBe(true);
      expect(r.status).toBe('unhealthy');
      expect(JSON.stringify(r)).not.toContain('nobody:x');
    } finally {
      await db.close();
    }
  });
});

describe('HealthService', () => {
  let scratch: ScratchDatabase;
  let db: Database;
  let home: string;
  let service: HealthService;
  const tasks = new TaskManager();
  const updates: string[] = [];
  // The service's clock: it moves only when a test moves it.
  let clock = Date.now();

  beforeAll(async () => {
    scratch = await createScratchDatabase({ seed: true, tenants: 3, scale: 0.2 });
    db = open(scratch.url);
    home = mkdtempSync(join(tmpdir(), 'pfo-health-'));
    service = new HealthService({
      home,
      tasks,
      log: silentLogger,
      database: async () => ({ db, profile: { id: 'c1', tenantPattern: 'org_%', database: scratch.name } }),
      connectionId: async () => 'c1',
      sampleTarget: async () => 'c1',
      onUpdated: (e) => updates.push(e.status),
      now: () => new Date(clock),
    });
  });
  afterAll(async () => {
    await service?.stop();
    await db?.close();
    await scratch?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs, keeps the latest result, records history, and reads both without the database', async () => {
    await service.run('c1');
    await service.run('c1', { only: ['cache_hit_ratio', 'connections'] });
    const summary = (await service.summary('c1'))!;
    expect(summary.checks).toHaveLength(CHECK_IDS.length);
    // Heavy checks kept their result from the full run.
    expect(summary.checks.find((c) => c.id === 'sizes')!.status).toBe('pass');
    expect(updates).toHaveLength(2);
    const history = await service.history('c1').read(1, 100, clock);
    expect(history).toHaveLength(2);
    expect(history[1]!.metrics['cache.heap']).toBeGreaterThan(0);
    expect(Object.keys(history[1]!.metrics).some((k) => k.startsWith('conn.'))).toBe(true);
    // A second service over the same home reads the latest result from disk.
    const reader = new HealthService({ home, tasks: new TaskManager(), log: silentLogger, database: async () => { throw new Error('must not touch the database'); }, connectionId: async () => 'c1', sampleTarget: async () => null, onUpdated: () => {} });
    expect((await reader.summary('c1'))!.status).toBe(summary.status);
    expect((await reader.history('c1').read(1, 100, clock)).length).toBe(2);
  });

  it('a sampler tick refreshes the cheap checks and keeps heavy results until their interval', async () => {
    const before = (await service.summary('c1'))!;
    const sizesAt = before.checks.find((c) => c.id === 'sizes')!.checkedAt;
    const connAt = before.checks.find((c) => c.id === 'connections')!.checkedAt!;
    clock += 60_000; // a minute later: well inside the heavy interval
    expect(await service.tick()).not.toBeNull();
    await service.stop();
    const after = (await service.summary('c1'))!;
    expect(after.checks.find((c) => c.id === 'sizes')!.checkedAt).toBe(sizesAt);
    expect(after.checks.find((c) => c.id === 'connections')!.checkedAt).toBe(new Date(Date.parse(connAt) + 60_000).toISOString());
    expect(await service.history('c1').read(1, 100, clock)).toHaveLength(3);
  });

  it('headless: one tick samples every watched connection; one that cannot connect does not stop the others', async () => {
    const logs: string[] = [];
    const home2 = mkdtempSync(join(tmpdir(), 'pfo-health-multi-'));
    const sampled: string[] = [];
    const multi = new HealthService({
      home: home2,
      tasks,
      log: (m) => logs.push(m),
      database: async (id) => {
        if (id === 'broken') throw new Error('no password for broken');
        return { db, profile: { id: id!, tenantPattern: 'org_%', database: scratch.name } };
      },
      connectionId: async (id) => id ?? 'c1',
      sampleTarget: async () => 'c1',
      sampleTargets: async () => ['broken', 'c1', 'c2'],
      onUpdated: (e) => sampled.push(e.connectionId),
      now: () => new Date(clock),
    });
    try {
      await multi.tick();
      await multi.tick();
      expect(sampled).toEqual(['c1', 'c2', 'c1', 'c2']);
      // Said once, not every tick.
      expect(logs.filter((l) => l.includes('no password for broken'))).toHaveLength(1);
    } finally {
      await multi.stop();
      rmSync(home2, { recursive: true, force: true });
    }
  });

  it('pages findings with a cursor, at most 100 a page, sorted and filtered by tenant', async () => {
    const total = (await service.findings('c1', { checkId: 'unused_indexes', sort: 'object', dir: 'asc', limit: 100 })).total;
    expect(total).toBeGreaterThan(3);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.findings('c1', { checkId: 'unused_indexes', sort: 'object', dir: 'asc', limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.findings.length).toBeLessThanOrEqual(3);
      seen.push(...page.findings.map((f) => f.object!));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect([...seen].sort()).toEqual(seen);
    const tenant = scratch.seed!.tenants[0]!;
    const filtered = await service.findings('c1', { checkId: 'unused_indexes', tenant, sort: 'severity', dir: 'desc', limit: 100 });
    expect(filtered.findings.every((f) => f.tenant === tenant)).toBe(true);
  });

  it('measures one table exactly with pgstattuple as a task, and refuses a bad name', async () => {
    const bloated = scratch.seed!.problems.find((p) => p.key === 'table_bloat')!.objects[0]!;
    const { taskId } = service.exactBloatTask('c1', bloated);
    const task = await taskEnded(tasks, taskId);
    expect(task.status).toBe('succeeded');
    expect(task.log.join('\n')).toMatch(/reclaimable/);
    expect(() => service.exactBloatTask('c1', 'no dots here')).toThrow(/schema\.table/);
  });

  it('keeps thresholds per connection, only the changed values', async () => {
    const t = await service.thresholds.save('c1', { cacheHitWarn: 0.98 });
    expect(t.cacheHitWarn).toBe(0.98);
    expect((await service.thresholds.get('c2')).cacheHitWarn).toBe(DEFAULT_THRESHOLDS.cacheHitWarn);
    expect((await service.thresholds.get('c1')).topN).toBe(DEFAULT_THRESHOLDS.topN);
  });
});
