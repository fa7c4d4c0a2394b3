/**
 * npm run bench:dr — a deletion recovery of the demo's largest tenant against its floor, both measured in
 * the same run on the same embedded PostgreSQL 15 (a demo data dir in /tmp/pfo-bench-dr, seeded once):
 *
 *   setup    a tenant backup of the largest tenant; then rows deleted from two of its tables (impressions,
 *            audit_log: every 10th and every 5th row of the backup) and rows added after the backup;
 *   ours     restoreBackup beside the tenant (checked archive, scratch database, rename, one-transaction copy,
 *            count check) + diffSchemas + planMerge + runMerge;
 *   floor    the same by hand with the stock tools: `openssl enc -d` of the dump, `createdb` + `pg_restore`
 *            into a scratch database, `ALTER SCHEMA … RENAME` there, `pg_dump -n | pg_restore
 *            --single-transaction` into the live database (the rename approach the restore code uses:
 *            pg_restore cannot rename a schema), `dropdb`, then one psql session running per table the
 *            diff's FULL JOIN count and `INSERT … SELECT … ON CONFLICT DO NOTHING` in foreign-key order,
 *            and setval for the two sequences. The floor is also given without the decryption.
 *
 * Runs alternate which contender goes first (the OS cache favours the second); medians are reported. After
 * each contender the tenant is checked to hold every row of the backup plus the rows added after it, the
 * side schema is dropped and the same rows are deleted again. Prints a table, then one JSON line.
 *
 *   npm run bench:dr [-- --runs 3 --tenants 50]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { runBackup } from '../src/main/core/backup/backup';
import { openDestination } from '../src/main/core/backup/destination';
import { loadKeyFile } from '../src/main/core/backup/keys';
import { SUFFIX } from '../src/main/core/backup/naming';
import { restoreBackup } from '../src/main/core/backup/restore';
import { parseUrl } from '../src/main/core/db/connection';
import { Database } from '../src/main/core/db/database';
import { DEMO_DEFAULT_TENANTS, startDemo } from '../src/main/core/demo/cluster';
import { diffSchemas } from '../src/main/core/dr/actions/diff';
import { planMerge, runMerge } from '../src/main/core/dr/actions/merge';
import { arg, log } from './args';

const run = promisify(execFile);
const DATA = '/tmp/pfo-bench-dr';
const OUT = '/tmp/pfo-bench-dr-out';
const RUNS = Number(arg('runs') ?? 3);
const TENANTS = Number(arg('tenants') ?? DEMO_DEFAULT_TENANTS);
const q = pg.escapeIdentifier;

const demo = await startDemo({ dataDir: DATA, tenants: TENANTS, log: (m) => log(`[demo] ${m}`) });
const url = `${demo.url}${demo.url.includes('?') ? '&' : '?'}sslmode=disable`;
const { target, password } = parseUrl(url);
const db = new Database(target, { password: password!, source: 'url' });
const env = { ...process.env, PGHOST: demo.host, PGPORT: String(demo.port), PGUSER: demo.user, PGPASSWORD: demo.password, PGSSLMODE: 'disable' };

const sql = async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) => (await db.query<R>(text, params, { purpose: 'admin' })).rows;

const tenant = (
  await sql<{ s: string }>(
    `SELECT n.nspname AS s FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
     WHERE n.nspname LIKE 'org\\_%' AND n.nspname !~ '__(restored|replaced)_' AND c.relkind = 'r'
     GROUP BY n.nspname ORDER BY sum(pg_total_relation_size(c.oid)) DESC LIMIT 1`,
  )
)[0]!.s;
const T = q(tenant);
// Leftovers of an interrupted run: side schemas of this bench.
for (const r of await sql<{ s: string }>(`SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1`, [`${tenant}__restored_%`])) await sql(`DROP SCHEMA ${q(r.s)} CASCADE`);

// and the rows an earlier run added "after its backup": every run starts from the seeded tenant
await sql(`DELETE FROM ${T}.impressions WHERE device = 'after-backup'`);
await sql(`DELETE FROM ${T}.audit_log WHERE action = 'after-backup'`);

await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const keyPath = join(OUT, 'bench.key');
await run('bash', ['-c', `umask 077; openssl rand -base64 48 > ${keyPath}`]);
const key = await loadKeyFile(keyPath);
const dest = openDestination(OUT);
const backup = await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant } });
const name = backup.manifest.name;
const atBackup = Object.fromEntries(backup.manifest.tables.map((t) => [t.table, t.rows]));
const maxIds = (await sql<{ i: number; a: number }>(`SELECT (SELECT max(id) FROM ${T}.impressions) AS i, (SELECT max(id) FROM ${T}.audit_log) AS a`))[0]!;
log(`tenant ${tenant}: ${backup.manifest.tables.reduce((n, t) => n + t.rows, 0)} rows in ${backup.manifest.tables.length} tables; backup ${name}`);

/** Exact rows per table of the tenant, by table name. */
async function tableCounts(): Promise<Record<string, number>> {
  const rows = await sql<{ t: string; n: number }>(
    `SELECT relname AS t, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', $1::text, relname), false, true, '')))[1]::text::int AS n
     FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r' ORDER BY relname`,
    [tenant],
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

// After the backup: the application goes on writing (these rows must survive every merge).
await sql(`INSERT INTO ${T}.impressions (ad_slot_id, occurred_at, country, device) SELECT ad_slot_id, now(), country, 'after-backup' FROM ${T}.impressions ORDER BY id LIMIT 500`);
await sql(`INSERT INTO ${T}.audit_log (member_id, action, entity, entity_id, details, created_at) SELECT member_id, 'after-backup', entity, entity_id, details, now() FROM ${T}.audit_log ORDER BY id LIMIT 100`);
const expected = await tableCounts();

/** The incident: rows of the backup lost from two tables. Returns how many. */
async function damage(): Promise<number> {
  const a = await db.query(`DELETE FROM ${T}.impressions WHERE id <= $1 AND id % 10 = 0`, [maxIds.i], { purpose: 'admin' });
  const b = await db.query(`DELETE FROM ${T}.audit_log WHERE id <= $1 AND id % 5 = 0`, [maxIds.a], { purpose: 'admin' });
  await sql(`VACUUM ${T}.impressions, ${T}.audit_log`);
  return (a.rowCount ?? 0) + (b.rowCount ?? 0);
}

async function checkRecovered(who: string): Promise<void> {
  const now = await tableCounts();
  if (JSON.stringify(now) !== JSON.stringify(expected)) throw new Error(`${who}: the tenant does not hold the backup's rows plus the later ones: ${JSON.stringify(now)} vs ${JSON.stringify(expected)}`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

let side = 0;
const sideName = () => `${tenant}__restored_20000101_${String(side++).padStart(4, '0')}`;

const PHASES = ['restore', 'diff', 'plan', 'merge'] as const;

async function ours(): Promise<{ sec: number; inserted: number; phases: Record<(typeof PHASES)[number], number> }> {
  const copy = sideName();
  let inserted = 0;
  const phases = { restore: 0, diff: 0, plan: 0, merge: 0 };
  const lap = async <T>(phase: keyof typeof phases, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      phases[phase] = (performance.now() - t0) / 1000;
    }
  };
  const sec = await timed(async () => {
    await lap('restore', () => restoreBackup({ db, dest, name, keys: [key], tenant, target: copy }));
    const diff = await lap('diff', () => diffSchemas(db, { copy, live: tenant }));
    const plan = await lap('plan', () => planMerge(db, { copy, live: tenant, diff }));
    inserted = (await lap('merge', () => runMerge(db, plan))).total;
  });
  await checkRecovered('ours');
  await sql(`DROP SCHEMA ${q(copy)} CASCADE`);
  return { sec, inserted, phases };
}

function sh(script: string, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -euo pipefail; ${script}`], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${script.slice(0, 80)}…: exit ${code}: ${err.slice(0, 500)}`))));
    if (input !== undefined) child.stdin!.end(input);
  });
}

const TABLES = ['shows', 'episodes', 'campaigns', 'ad_slots', 'impressions', 'invoices', 'members', 'audit_log']; // foreign-key order, as the DBA knows it
const lit = (s: string) => `'${s.replace(/'/g, "'\\''")}'`; // a shell word

/** The DBA's psql script: the diff's counts per table, then the inserts in FK order and the sequences. */
function floorSql(copy: string): string {
  const C = q(copy);
  const lines = ['\\set ON_ERROR_STOP on'];
  for (const t of TABLES) {
    lines.push(`SELECT ${pg.escapeLiteral(t)} AS t, count(c.id) AS copy_rows, count(l.id) AS live_rows, count(*) FILTER (WHERE l.id IS NULL) AS missing, count(*) FILTER (WHERE c.id IS NULL) AS added, count(*) FILTER (WHERE c.id = l.id AND c::text <> l::text) AS changed FROM ${C}.${q(t)} c FULL JOIN ${T}.${q(t)} l ON c.id = l.id;`);
  }
  lines.push('BEGIN;');
  for (const t of TABLES) lines.push(`INSERT INTO ${T}.${q(t)} SELECT * FROM ${C}.${q(t)} ON CONFLICT DO NOTHING;`);
  for (const t of ['impressions', 'audit_log']) lines.push(`SELECT setval(pg_get_serial_sequence('${T}.${q(t)}', 'id'), greatest((SELECT max(id) FROM ${T}.${q(t)}), (SELECT last_value FROM ${T}.${q(t.concat('_id_seq'))})));`);
  lines.push('COMMIT;');
  return lines.join('\n') + '\n';
}

async function floor(): Promise<{ sec: number; decryptSec: number }> {
  const copy = sideName();
  const scratch = `bench_dr_scratch_${side}`;
  const enc = join(OUT, name + SUFFIX.dump);
  const plain = join(OUT, 'floor.dump');
  let decryptSec = 0;
  const sec = await timed(async () => {
    decryptSec = await timed(() => sh(`openssl enc -d -aes-256-cbc -pbkdf2 -md sha256 -iter ${backup.manifest.encryption.iterations} -pass file:${lit(keyPath)} -in ${lit(enc)} -out ${lit(plain)}`));
    await sh(`createdb ${lit(scratch)} && pg_restore --exit-on-error -d ${lit(scratch)} ${lit(plain)}`);
    await sh(`psql -X -q -d ${lit(scratch)} -v ON_ERROR_STOP=1 -c ${lit(`ALTER SCHEMA ${T} RENAME TO ${q(copy)}`)}`);
    await sh(`pg_dump -Fc -n ${lit(q(copy))} -d ${lit(scratch)} | pg_restore --exit-on-error --single-transaction -d ${lit(demo.database)}`);
    await sh(`dropdb ${lit(scratch)}`);
    await sh(`psql -X -q -d ${lit(demo.database)} -o /dev/null -f -`, floorSql(copy));
  });
  await rm(plain, { force: true });
  await checkRecovered('floor');
  await sql(`DROP SCHEMA ${q(copy)} CASCADE`);
  return { sec, decryptSec };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const oursSec: number[] = [];
const floorSec: number[] = [];
const decryptSec: number[] = [];
const phaseSec: Record<(typeof PHASES)[number], number>[] = [];
let lost = 0;
let inserted = 0;
for (let i = 0; i < RUNS; i++) {
  for (const who of i % 2 === 0 ? ['ours', 'floor'] : ['floor', 'ours']) {
    lost = await damage();
    if (who === 'ours') {
      const r = await ours();
      oursSec.push(r.sec);
      phaseSec.push(r.phases);
      inserted = r.inserted;
      if (inserted !== lost) throw new Error(`ours inserted ${inserted} rows, ${lost} were lost`);
    } else {
      const r = await floor();
      floorSec.push(r.sec);
      decryptSec.push(r.decryptSec);
    }
    log(`run ${i + 1} ${who}: ${(who === 'ours' ? oursSec : floorSec).at(-1)!.toFixed(2)} s`);
  }
}
await db.close();
await demo.stop();
await rm(OUT, { recursive: true, force: true });

const o = median(oursSec);
const f = median(floorSec);
const fNoDecrypt = median(floorSec.map((s, i) => s - decryptSec[i]!));
const rows: Array<[string, string, string]> = [
  [`deletion recovery of ${tenant}`, '', `${Object.values(atBackup).reduce((a, b) => a + b, 0)} rows at the backup; ${lost} lost from 2 tables; 600 added after; ${RUNS} runs, medians`],
  ['  floor by hand (openssl, pg_restore, psql)', `${f.toFixed(2)} s`, `runs: ${floorSec.map((s) => s.toFixed(2)).join(', ')}`],
  ['  floor without the decryption', `${fNoDecrypt.toFixed(2)} s`, `openssl enc -d: ${median(decryptSec).toFixed(2)} s`],
  ['  ours (restore beside, diff, plan, merge)', `${o.toFixed(2)} s`, `runs: ${oursSec.map((s) => s.toFixed(2)).join(', ')}; ${inserted} rows merged back`],
  ['    of which', '', PHASES.map((p) => `${p} ${median(phaseSec.map((x) => x[p])).toFixed(2)} s`).join(', ')],
  ['  ratio ours / floor', `${(o / f).toFixed(2)}×`, 'target <= 1.5×'],
  ['  ratio ours / floor without decryption', `${(o / fNoDecrypt).toFixed(2)}×`, ''],
];
const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(rows.map(([a, b, c]) => `${a.padEnd(w)}  ${b.padStart(8)}  ${c}`).join('\n') + '\n');
process.stdout.write(JSON.stringify({ bench: 'dr', tenant, rowsAtBackup: atBackup, lostRows: lost, runs: RUNS, oursSec, oursPhasesSec: phaseSec, floorSec, decryptSec, ratio: o / f, ratioWithoutDecrypt: o / fNoDecrypt, target: { ratio: 1.5, met: o / f <= 1.5 } }) + '\n');
process.exit(0);
