/**
 * npm run bench:backup — backup throughput, memory and the --all-tenants design, against baselines
 * measured in the same run on the same cluster (an embedded PostgreSQL 15 in /tmp/pfo-bench-backup-*,
 * generated once and reused):
 *  1. full backup of a >= 1 GB database: ours vs `pg_dump -Fc | openssl enc -aes-256-cbc -pbkdf2 > file`
 *     (throughput ratio; peak RSS of this process, which runs our pipeline);
 *  2. --all-tenants at 2,000 tenant schemas: ours vs one full pg_dump vs the naive per-tenant loop
 *     (the loop is extrapolated from a sample of tenants, said so in the table), and the time to restore
 *     one tenant from our all-tenants backup.
 * Prints a table, then one JSON line. Env: BENCH_GB (default 1.1), BENCH_TENANTS (2000), BENCH_SAMPLE (20).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { runBackup } from '../src/main/core/backup/backup';
import { openDestination } from '../src/main/core/backup/destination';
import { loadKeyFile } from '../src/main/core/backup/keys';
import { restoreBackup } from '../src/main/core/backup/restore';
import { parseUrl } from '../src/main/core/db/connection';
import { Database } from '../src/main/core/db/database';
import { startDemo } from '../src/main/core/demo/cluster';

const run = promisify(execFile);
const ROOT = '/tmp/pfo-bench-backup-cluster';
const OUT = '/tmp/pfo-bench-backup-out';
const GB = Number(process.env.BENCH_GB ?? 1.1);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 2000);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 20);
const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);

function urlFor(base: string, db: string): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  u.search = '?sslmode=disable';
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function ensureDatabase(admin: string, name: string, build: (url: string) => Promise<void>): Promise<void> {
  const exists = await withClient(admin, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount! > 0);
  const marker = await (exists ? withClient(urlFor(admin, name), async (c) => (await c.query("SELECT 1 FROM pg_class WHERE relname = 'bench_ready'")).rowCount! > 0) : Promise.resolve(false));
  if (marker) return log(`reusing database ${name}`);
  if (exists) await withClient(admin, (c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const t0 = performance.now();
  await build(urlFor(admin, name));
  await withClient(urlFor(admin, name), (c) => c.query('CREATE TABLE public.bench_ready (x int)'));
  log(`generated ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ sec: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { sec: (performance.now() - t0) / 1000, value };
}

function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return { ...process.env, PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: u.pathname.slice(1), PGSSLMODE: 'disable' };
}

function open(url: string): Database {
  const { target, password } = parseUrl(url);
  return new Database(target, { password: password!, source: 'url' });
}

const demo = await startDemo({ dataDir: ROOT, tenants: 1, log });
const admin = urlFor(demo.url, 'postgres');
await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const keyPath = join(OUT, 'bench.key');
await writeFile(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString(), { mode: 0o600 });
const key = await loadKeyFile(keyPath);

// 1 GB: three tables of generated rows (numbers, hashes, text), part compressible, part not.
await ensureDatabase(admin, 'bench_big', async (url) => {
  const rowsPerTable = Math.round((GB * 1024 ** 3) / 3 / 190);
  await Promise.all(
    ['a', 'b', 'c'].map((t) =>
      withClient(url, (c) =>
        c.query(`CREATE TABLE public.big_${t} AS SELECT g AS id, md5(g::text) AS h, md5((g * 7)::text) || md5((g * 13)::text) || repeat(chr(65 + g % 26), 40) AS pad, now() - g * interval '1 second' AS ts FROM generate_series(1, ${rowsPerTable}) g`),
      ),
    ),
  );
});
// 2,000 tenant schemas of 8 small tables each (the catalog, not the data, is what costs pg_dump here).
await ensureDatabase(admin, 'bench_tenants', async (url) => {
  await withClient(url, async (c) => {
    await c.query(`CREATE FUNCTION public.mk(s text) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE t text;
      BEGIN
        EXECUTE format('CREATE SCHEMA %I', s);
        FOREACH t IN ARRAY ARRAY['shows','episodes','campaigns','ad_slots','impressions','invoices','members','audit_log'] LOOP
          EXECUTE format('CREATE TABLE %I.%I (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())', s, t);
          EXECUTE format('INSERT INTO %I.%I (name) SELECT %L || g FROM generate_series(1, 20) g', s, t, t);
        END LOOP;
      END $$`);
    for (let i = 0; i < TENANTS; i += 50) {
      await c.query(`SELECT public.mk(format('org_t%s', lpad(g::text, 5, '0'))) FROM generate_series(${i + 1}, ${Math.min(TENANTS, i + 50)}) g`);
    }
    await c.query('DROP FUNCTION public.mk(text)');
  });
});

const bigUrl = urlFor(demo.url, 'bench_big');
// Same footing for both contenders: hint bits set and visibility map built (VACUUM; a no-op once done),
// tables in the OS cache (one count each). Without this, whichever runs first pays for a fresh bulk load.
await withClient(bigUrl, async (c) => {
  await c.query('VACUUM ANALYZE');
  await c.query('SELECT (SELECT count(*) FROM public.big_a) + (SELECT count(*) FROM public.big_b) + (SELECT count(*) FROM public.big_c)');
});
const tenantsUrl = urlFor(demo.url, 'bench_tenants');
const dbBytes = await withClient(bigUrl, async (c) => Number((await c.query<{ s: string }>('SELECT pg_database_size(current_database()) AS s')).rows[0]!.s));
log(`bench_big is ${(dbBytes / 1024 ** 3).toFixed(2)} GiB`);

// 1a. Ours first (so this process's peak RSS is the pipeline's).
const bigDb = open(bigUrl);
const rssBefore = process.resourceUsage().maxRSS * 1024;
const ours = await timed(() => runBackup({ db: bigDb, dest: openDestination(join(OUT, 'ours')), key, scope: { kind: 'full' } }));
const peakRss = process.resourceUsage().maxRSS * 1024;
await bigDb.close();
// 1b. Baseline: the stock pipeline.
const baseFile = join(OUT, 'baseline.dump.enc');
const baseline = await timed(() => run('bash', ['-c', `set -o pipefail; pg_dump -Fc | openssl enc -aes-256-cbc -pbkdf2 -md sha256 -iter 600000 -pass file:${keyPath} > ${baseFile}`], { env: pgEnv(bigUrl), maxBuffer: 1e7 }));
const baseBytes = (await stat(baseFile)).size;
await rm(baseFile);

// 2. 2,000 tenants.
const tenantsDb = open(tenantsUrl);
const oneFull = await timed(() => run('bash', ['-c', 'set -o pipefail; pg_dump -Fc > /dev/null'], { env: pgEnv(tenantsUrl) }));
const all = await timed(() => runBackup({ db: tenantsDb, dest: openDestination(join(OUT, 'tenants')), key, scope: { kind: 'all-tenants', pattern: 'org\\_%' } }));
const sample = Array.from({ length: SAMPLE }, (_, i) => `org_t${String(Math.floor((i * TENANTS) / SAMPLE) + 1).padStart(5, '0')}`);
const loop = await timed(async () => {
  for (const t of sample) await run('bash', ['-c', `set -o pipefail; pg_dump -Fc -n '"${t}"' > /dev/null`], { env: pgEnv(tenantsUrl) });
});
const loopPerTenant = loop.sec / SAMPLE;
const loopTotal = loopPerTenant * TENANTS;
const oneTenant = sample[SAMPLE - 1]!;
const restoreOne = await timed(() => restoreBackup({ db: tenantsDb, dest: openDestination(join(OUT, 'tenants')), name: all.value.manifest.name, keys: [key], tenant: oneTenant, target: `${oneTenant}__bench` }));
await tenantsDb.query(`DROP SCHEMA "${oneTenant}__bench" CASCADE`, [], { purpose: 'admin' });
await tenantsDb.close();
await demo.stop();

const mbps = (b: number, s: number) => b / 1024 ** 2 / s;
const oursMBps = mbps(dbBytes, ours.sec);
const baseMBps = mbps(dbBytes, baseline.sec);
const rows: Array<[string, string, string]> = [
  ['full backup, 1 database', `${(dbBytes / 1024 ** 3).toFixed(2)} GiB`, ''],
  ['  baseline pg_dump -Fc | openssl enc', `${baseline.sec.toFixed(1)} s`, `${baseMBps.toFixed(1)} MiB/s of database, ${(baseBytes / 1024 ** 2).toFixed(0)} MiB out`],
  ['  ours (hashes, counts, manifest)', `${ours.sec.toFixed(1)} s`, `${oursMBps.toFixed(1)} MiB/s, ${(ours.value.manifest.ciphertext.bytes / 1024 ** 2).toFixed(0)} MiB out`],
  ['  throughput ratio ours/baseline', `${(oursMBps / baseMBps).toFixed(2)}×`, 'target >= 0.9×'],
  ['  peak RSS of our process', `${(peakRss / 1024 ** 2).toFixed(0)} MiB`, `before the backup ${(rssBefore / 1024 ** 2).toFixed(0)} MiB; target <= 200 MiB`],
  [`all tenants, ${TENANTS} schemas`, '', ''],
  ['  baseline one full pg_dump -Fc', `${oneFull.sec.toFixed(1)} s`, ''],
  ['  ours --all-tenants (one snapshot)', `${all.sec.toFixed(1)} s`, `${(all.sec / oneFull.sec).toFixed(2)}× one full dump; target <= 3×`],
  [`  naive loop, pg_dump -n per tenant`, `${loopTotal.toFixed(0)} s`, `EXTRAPOLATED from ${SAMPLE} tenants (${loopPerTenant.toFixed(2)} s each); ${(loopTotal / oneFull.sec).toFixed(0)}× one full dump`],
  ['  restore one tenant from ours', `${restoreOne.sec.toFixed(1)} s`, `${oneTenant} into a side schema, ${restoreOne.value.rows} rows`],
];
const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(rows.map(([a, b, c]) => `${a.padEnd(w)}  ${b.padStart(9)}  ${c}`).join('\n') + '\n');
process.stdout.write(
  JSON.stringify({
    bench: 'backup',
    databaseBytes: dbBytes,
    full: { oursSec: ours.sec, baselineSec: baseline.sec, throughputRatio: oursMBps / baseMBps, peakRssBytes: peakRss },
    allTenants: { tenants: TENANTS, oursSec: all.sec, oneFullDumpSec: oneFull.sec, ratioToFullDump: all.sec / oneFull.sec, naiveLoopSecExtrapolated: loopTotal, naiveSample: SAMPLE, restoreOneTenantSec: restoreOne.sec },
  }) + '\n',
);
process.exit(0);
