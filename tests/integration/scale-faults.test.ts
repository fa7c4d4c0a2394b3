/**
 * What a big fleet does to the console, on a small database made to behave the same way: every session of
 * the pool busy for longer than the connect deadline, a check over its statement_timeout (here because a
 * catalog it reads is locked by another session, at 10,000 tenants because the catalog is big).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/shared/domain/health';
import { COUNT_BATCH, countTableRowsIn } from '../../src/main/core/backup/row-counts';
import type { SessionTimeouts } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { runHealth } from '../../src/main/core/health/registry';
import { DEFAULT_THRESHOLDS } from '../../src/main/core/health/thresholds';
import { summarizeForHealth } from '../../src/main/core/tenants/summary';
import { verifyTenants } from '../../src/main/core/tenants/verify';
import { createScratchDatabase, openDatabase, withClient, type ScratchDatabase } from '../support/db';

/** fn on a console Database of its own, closed after. */
async function withDb<T>(url: string, fn: (db: Database) => Promise<T>, timeouts?: Partial<SessionTimeouts>): Promise<T> {
  const db = openDatabase(url, undefined, timeouts);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Another session holding ACCESS EXCLUSIVE on a catalog until released: readers of it wait. */
async function lockCatalog(url: string, catalog: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE pg_catalog.${catalog} IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}

describe('at fleet scale', () => {
  let scratch: ScratchDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase({ seed: true, tenants: 4 });
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('queries queue for a session instead of failing the connect deadline while the pool is busy', async () => {
    // Three sessions in the pool, each busy for longer than the 300 ms connect deadline: pg.Pool alone
    // counted the wait in its queue against that deadline ("timeout exceeded when trying to connect").
    await withDb(scratch.url, async (db) => {
      const results = await Promise.all(Array.from({ length: 7 }, (_, i) => db.query<{ n: number }>('SELECT $1::int AS n FROM pg_sleep(0.4)', [i])));
      expect(results.map((r) => r.rows[0]!.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    }, { connectTimeoutMs: 300 });
  });

  it('a query cancelled while it waits for a session ends cancelled and never runs', async () => {
    await withDb(scratch.url, async (db) => {
      const busy = Array.from({ length: 3 }, () => db.query('SELECT pg_sleep(1)'));
      const ac = new AbortController();
      const queued = db.query("SELECT set_config('application_name', 'pfo-never-ran', false)", [], { signal: ac.signal });
      ac.abort();
      await expect(queued).rejects.toMatchObject({ code: 'cancelled' });
      await Promise.all(busy);
      const ran = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pfo-never-ran'");
      expect(ran.rows[0]!.n).toBe(0);
    });
  });

  it('connectivity measures the round trip, not the wait for a session while heavy work holds the pool', async () => {
    await withDb(scratch.url, async (db) => {
      // Every session of the pool busy for longer than connectivityFailMs (2 s): connectivity queues.
      const busy = Array.from({ length: 3 }, () => db.query('SELECT pg_sleep(2.5)'));
      const report = await runHealth(db, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS, only: ['connections'] });
      await Promise.all(busy);
      const connectivity = report.checks.find((c) => c.id === 'connectivity')!;
      expect(connectivity.status).not.toBe('fail');
      expect(report.checks.find((c) => c.id === 'connections')!.status).not.toBe('skipped');
    });
  });

  it('a health check over its statement_timeout shows its last complete result, marked, instead of an error', async () => {
    const opts = { tenantPattern: 'org_%', thresholds: { ...DEFAULT_THRESHOLDS, checkTimeoutMs: 500 }, only: ['table_bloat'] as const };
    await withDb(scratch.url, async (db) => {
      const complete = (await runHealth(db, opts)).checks.find((c) => c.id === 'table_bloat')!;
      expect(['pass', 'warn', 'fail']).toContain(complete.status);
      const lock = await lockCatalog(scratch.url, 'pg_statistic');
      let partial: CheckResult;
      let again: CheckResult;
      let none: CheckResult;
      try {
        partial = (await runHealth(db, { ...opts, previous: { table_bloat: complete } })).checks.find((c) => c.id === 'table_bloat')!;
        again = (await runHealth(db, { ...opts, previous: { table_bloat: partial } })).checks.find((c) => c.id === 'table_bloat')!;
        none = (await runHealth(db, opts)).checks.find((c) => c.id === 'table_bloat')!;
      } finally {
        await lock.release();
      }
      expect(partial.status).toBe(complete.status === 'pass' ? 'warn' : complete.status);
      expect(partial.summary).toContain('Timed out after 500 ms');
      expect(partial.summary).toContain(`Partial: the last complete result, from ${complete.checkedAt}: ${complete.summary}`);
      expect(partial.findings[0]!.data).toMatchObject({ code: 'timed_out', from: complete.checkedAt });
      expect(partial.findings.slice(1)).toEqual(complete.findings);
      expect(partial.metrics).toBeUndefined();
      // A second timeout still points at the complete result, not at the partial one.
      expect(again.summary).toBe(partial.summary);
      expect(again.findings).toEqual(partial.findings);
      expect(none.status).toBe('warn');
      expect(none.summary).toContain('No earlier result to show.');
    });
  });

  it('reads sequences in batches (each reading locks a sequence to the end of its transaction) and still ranks them all', async () => {
    // More sequences than one batch (2,000), the fullest created last: its OID is in the last batch.
    await withClient(scratch.url, async (c) => {
      await c.query(`DO $$ BEGIN FOR i IN 1..2100 LOOP EXECUTE format('CREATE SEQUENCE public.pfo_scale_seq_%s', i); PERFORM nextval(format('public.pfo_scale_seq_%s', i)); END LOOP; END $$`);
      await c.query('CREATE SEQUENCE public.pfo_scale_full AS smallint');
      await c.query("SELECT setval('public.pfo_scale_full', 32000)");
    });
    try {
      await withDb(scratch.url, async (db) => {
        const check = (await runHealth(db, { tenantPattern: 'org_%', thresholds: DEFAULT_THRESHOLDS, only: ['sequence_overflow'] })).checks.find((c) => c.id === 'sequence_overflow')!;
        expect(check.status).toBe('fail');
        expect(check.findings[0]!.object).toBe('public.pfo_scale_full');
        expect(check.findings.map((f) => f.object)).not.toContain('public.pfo_scale_seq_1');
      });
    } finally {
      await withClient(scratch.url, (c) => c.query(`DO $$ BEGIN FOR i IN 1..2100 LOOP EXECUTE format('DROP SEQUENCE public.pfo_scale_seq_%s', i); END LOOP; DROP SEQUENCE public.pfo_scale_full; END $$`));
    }
  });

  it('counts rows of more tables than one batch holds, every table once, in catalog order', async () => {
    await withClient(scratch.url, (c) =>
      c.query(`CREATE SCHEMA pfo_many; DO $$ BEGIN FOR i IN 1..${COUNT_BATCH + 150} LOOP EXECUTE format('CREATE TABLE pfo_many.t%s AS SELECT g FROM generate_series(1, %s) g', lpad(i::text, 5, '0'), i % 7); END LOOP; END $$`),
    );
    try {
      await withDb(scratch.url, async (db) => {
        const counts = await countTableRowsIn(db, ['pfo_many']);
        expect(counts).toHaveLength(COUNT_BATCH + 150);
        expect(counts[0]).toEqual({ schema: 'pfo_many', table: 't00001', rows: 1 });
        expect(counts.at(-1)).toEqual({ schema: 'pfo_many', table: `t0${COUNT_BATCH + 150}`, rows: (COUNT_BATCH + 150) % 7 });
        expect(new Set(counts.map((c) => c.table)).size).toBe(COUNT_BATCH + 150);
        expect(counts.reduce((n, c) => n + c.rows, 0)).toBe(Array.from({ length: COUNT_BATCH + 150 }, (_, i) => (i + 1) % 7).reduce((a, b) => a + b, 0));
      });
    } finally {
      await withClient(scratch.url, (c) => c.query('DROP SCHEMA pfo_many CASCADE'));
    }
  });

  it('tenant verification with one check over its statement_timeout is a partial result that says so', async () => {
    await withDb(scratch.url, async (db) => {
      // Warm the pool's sessions first, so that opening the tenant tables needs no catalog read.
      const complete = await verifyTenants(db, { timeoutMs: 500 });
      expect(complete.checks.some((c) => c.timedOut)).toBe(false);
      const lock = await lockCatalog(scratch.url, 'pg_attrdef');
      let partial;
      try {
        partial = await verifyTenants(db, { timeoutMs: 500 });
      } finally {
        await lock.release();
      }
      const columns = partial.checks.find((c) => c.id === 'columns')!;
      expect(columns.timedOut).toBe(true);
      expect(partial.notes.join('\n')).toContain('Partial result: the tables, columns and indexes checks (one query) timed out after 1 s');
      // The checks that do not read pg_attrdef still answered.
      expect(partial.checks.find((c) => c.id === 'grants')!.timedOut).toBeUndefined();
      expect(partial.tenants).toBe(complete.tenants);
      const health = summarizeForHealth(partial);
      expect(health.status).not.toBe('pass');
      expect(health.summary).toContain('Partial: ');
    });
  });
});
