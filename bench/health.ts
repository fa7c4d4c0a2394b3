/**
 * npm run bench:health -- [--tenants 2000] [--data DIR] [--url postgres://…] [--runs 3] [--naive-sample 100]
 *
 * Builds (first run) or reuses a demo database with N tenants, then measures in the same run:
 *   suite   the console's health suite (runHealth: 18 checks, one set-based query each, 3 connections)
 *   floor   the same SQL statements, bare, run one after another by psql (what the database needs at least)
 *   naive   the same checks the way most scripts do it: a loop over tenants, querying information_schema
 *           per tenant (measured on a sample of tenants and extrapolated linearly to all of them)
 * and prints a table, the ratios against the targets (suite ≤ 4× floor, naive ≥ 20× suite) and a final
 * JSON line. Cases are an array: other benchmarks of the same database (tenant verification) add theirs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../src/main/core/db/database';
import { startDemo, type DemoHandle } from '../src/main/core/demo/cluster';
import { runHealth } from '../src/main/core/health/registry';
import { DEFAULT_THRESHOLDS } from '../src/main/core/health/thresholds';
import { benchTenants, printTenantsBench } from './tenants';
import { arg, log } from './args';
import { median, openDb, psqlScript, RecordingDatabase, runPsqlFile } from './floors';

const tenants = Number(arg('tenants') ?? 2000);
const runs = Math.max(1, Number(arg('runs') ?? 3));
const naiveSample = Math.max(1, Number(arg('naive-sample') ?? 100));
const dataDir = arg('data') ?? join(tmpdir(), tenants === 2000 ? 'pfo-bench-health' : `pfo-bench-health-${tenants}`);

/** The naive way, per tenant: information_schema and per-schema statistics views, one schema at a time. */
const NAIVE_PER_TENANT = [
  // sizes
  `SELECT table_name, pg_total_relation_size(format('%I.%I', table_schema, table_name)) FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
  // column widths for a bloat estimate
  `SELECT c.table_name, sum(s.avg_width) FROM information_schema.columns c JOIN pg_stats s ON s.schemaname = c.table_schema AND s.tablename = c.table_name AND s.attname = c.column_name WHERE c.table_schema = $1 GROUP BY 1`,
  // index usage and definitions (unused, duplicate, invalid)
  `SELECT i.indexname, i.indexdef, s.idx_scan FROM pg_indexes i JOIN pg_stat_user_indexes s ON s.schemaname = i.schemaname AND s.indexrelname = i.indexname WHERE i.schemaname = $1`,
  // sequences against their columns
  `SELECT s.sequence_name, s.maximum_value, c.table_name, c.column_name, c.data_type FROM information_schema.sequences s LEFT JOIN information_schema.columns c ON c.table_schema = s.sequence_schema AND c.column_default LIKE '%' || s.sequence_name || '%' WHERE s.sequence_schema = $1`,
  // dead tuples, scans
  `SELECT relname, n_dead_tup, seq_scan, idx_scan FROM pg_stat_user_tables WHERE schemaname = $1`,
];

interface Case {
  name: string;
  what: string;
  ms: number;
  note?: string;
}

async function main(): Promise<void> {
  let demo: DemoHandle | undefined;
  let url = arg('url');
  if (!url) {
    log(`Demo database with ${tenants} tenants in ${dataDir} (seeded on the first run, reused after)…`);
    demo = await startDemo({ dataDir: join(dataDir, 'demo'), tenants, log });
    url = demo.url;
  }
  const db = openDb(url) as Database;
  const rec = openDb(url, RecordingDatabase) as RecordingDatabase;
  const cases: Case[] = [];
  const work = mkdtempSync(join(tmpdir(), 'pfo-bench-'));
  try {
    const { rows } = await db.query<{ relations: number; tenants: number }>("SELECT (SELECT count(*) FROM pg_class) AS relations, (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'org_%') AS tenants");
    const facts = rows[0]!;
    log(`${facts.tenants} tenant schemas, ${facts.relations} relations.`);
    const opts = { tenantPattern: 'org_%', thresholds: { ...DEFAULT_THRESHOLDS, checkTimeoutMs: 600_000 } };

    // Warm-up (caches, plans) and the recording of the exact statements the suite runs.
    await runHealth(rec, opts);
    const script = join(work, 'suite.sql');
    writeFileSync(script, psqlScript(rec.statements));

    const suiteMs = await median('suite', runs, () => runHealth(db, opts));
    cases.push({ name: 'suite', what: 'podcastflow-ops health (every check, set-based, 3 connections)', ms: suiteMs });

    const floorMs = await median('floor', runs, () => runPsqlFile(url, script));
    cases.push({ name: 'floor', what: `the same ${rec.statements.length} statements run bare by psql, one after another`, ms: floorMs });

    const schemas = (await db.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org_%' ORDER BY nspname")).rows.map((r) => r.nspname);
    const sample = schemas.filter((_, i) => i % Math.max(1, Math.floor(schemas.length / naiveSample)) === 0).slice(0, naiveSample);
    const naiveSampleMs = await median('naive', 1, async () => {
      for (const s of sample) for (const q of NAIVE_PER_TENANT) await db.query(q, [s], { timeoutMs: 600_000 });
    });
    const naiveMs = (naiveSampleMs / sample.length) * schemas.length;
    cases.push({ name: 'naive', what: `per-tenant information_schema loop (${NAIVE_PER_TENANT.length} queries a tenant)`, ms: naiveMs, note: sample.length < schemas.length ? `measured on ${sample.length} tenants (${(naiveSampleMs / 1000).toFixed(1)} s), extrapolated to ${schemas.length}` : 'measured on every tenant' });

    const ratios = { suiteOverFloor: suiteMs / floorMs, naiveOverSuite: naiveMs / suiteMs };
    const targets = { suiteOverFloorMax: 4, naiveOverSuiteMin: 20 };
    const met = ratios.suiteOverFloor <= targets.suiteOverFloorMax && ratios.naiveOverSuite >= targets.naiveOverSuiteMin;

    const pad = (s: string, n: number) => s.padEnd(n);
    process.stdout.write(`\nhealth benchmark: ${facts.tenants} tenants, ${facts.relations} relations, median of ${runs} runs\n\n`);
    process.stdout.write(`${pad('case', 8)} ${'seconds'.padStart(9)}  ${'× suite'.padStart(8)}  what\n`);
    for (const c of cases) process.stdout.write(`${pad(c.name, 8)} ${(c.ms / 1000).toFixed(2).padStart(9)}  ${(c.ms / suiteMs).toFixed(2).padStart(8)}  ${c.what}${c.note ? ` — ${c.note}` : ''}\n`);
    process.stdout.write(`\nsuite / floor = ${ratios.suiteOverFloor.toFixed(2)} (target ≤ ${targets.suiteOverFloorMax})   naive / suite = ${ratios.naiveOverSuite.toFixed(1)} (target ≥ ${targets.naiveOverSuiteMin})   ${met ? 'targets met' : 'TARGETS MISSED'}\n`);
    process.stdout.write(JSON.stringify({ bench: 'health', tenants: facts.tenants, relations: facts.relations, runs, cases: cases.map((c) => ({ ...c, ms: Math.round(c.ms) })), ratios, targets, met }) + '\n');

    // Tenant verification (the Tenants section and the tenant_isolation check) against its own floor.
    if (demo) {
      process.stdout.write('\n');
      printTenantsBench(await benchTenants({ demo, tenants: facts.tenants, runs, log }));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    await db.close();
    await rec.close();
    await demo?.stop();
  }
}

await main();
