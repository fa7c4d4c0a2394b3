/**
 * npm run bench:scale -- [--tenants 2000,10000] [--runs 3] [--no-backup]
 *
 * The console as the fleet grows (issue 15). At each size, on the demo database seeded with that many
 * tenants (reused from /tmp/pfo-bench-health[-N] after the first run; 10,000 takes minutes and ~6 GB),
 * measured in the same run against its floor:
 *   health   runHealth, every check over the monitor pool   vs  the same statements, bare, one psql session
 *   verify   verifyTenants (the Tenants page)               vs  the same tenants_*.sql files, bare, by psql:
 *                                                                one session, and (shown beside it) one
 *                                                                session per lane of verifyTenants
 *   backup   an all-tenants backup (dump, encrypt, hash,     vs  one full `pg_dump -Fc > /dev/null` of the
 *            count, manifest) to a local folder                  same database
 * then the growth factor of each between the smallest and the largest size, beside its floor's (medians,
 * and the range of the rounds' own growth factors, the noise any comparison of two of them is within). Targets at
 * the largest size: health <= 2x floor, verification <= 3 s, backup <= 1.2x pg_dump; and no cost growing
 * faster than its floor (for verification, the one-session floor). The catalogs are vacuumed and analyzed
 * before each size is measured, and the sizes are measured side by side, round by round (all demo databases
 * up at once, each on its own port), so that a drift in the machine's speed touches every size alike.
 * Prints a table per size, the per-check medians, and a final JSON line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CheckId } from '../src/shared/domain/health';
import { runBackup } from '../src/main/core/backup/backup';
import { openDestination } from '../src/main/core/backup/destination';
import { generateKeyFile } from '../src/main/core/backup/keys';
import { startDemo, type DemoHandle } from '../src/main/core/demo/cluster';
import type { Database } from '../src/main/core/db/database';
import { vacuumCatalogs } from '../src/main/core/demo/seed';
import { connectClient } from '../src/main/core/db/client';
import { runHealth } from '../src/main/core/health/registry';
import { DEFAULT_THRESHOLDS } from '../src/main/core/health/thresholds';
import { arg, log } from './args';
import { middle, openDb, psqlScript, RecordingDatabase, runPsqlFile, withSslmode } from './floors';
import { verifyBench, type VerifyBench } from './tenants';

const run = promisify(execFile);
const sizes = (arg('tenants') ?? '2000,10000').split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--tenants takes positive whole numbers separated by commas, e.g. 2000,10000');
const runs = Math.max(1, Number(arg('runs') ?? 3));
const withBackup = !process.argv.includes('--no-backup');
const healthOpts = { tenantPattern: 'org_%', thresholds: { ...DEFAULT_THRESHOLDS, checkTimeoutMs: 600_000 } };

interface SizeResult {
  tenants: number;
  relations: number;
  health: { ms: number; floorMs: number; statements: number; perCheck: Partial<Record<CheckId, number>> };
  verify: { ms: number; floorMs: number; lanesFloorMs: number; violations: number };
  backup?: { ms: number; pgDumpMs: number; tables: number; maxLocksPerTransaction: number };
}

/** One size's demo database, open for the whole run: the sizes are measured round by round, side by side. */
interface Size {
  tenants: number;
  relations: number;
  demo: DemoHandle;
  db: Database;
  work: string;
  script: string;
  statements: number;
  health: number[];
  healthFloor: number[];
  perCheck: Map<CheckId, number[]>;
  verify: number[];
  verifyFloor: number[];
  verifyLanes: number[];
  violations: number;
  verifyBench: VerifyBench;
  backup?: SizeResult['backup'];
}

async function open(tenants: number): Promise<Size> {
  const dataDir = join(tmpdir(), tenants === 2000 ? 'pfo-bench-health' : `pfo-bench-health-${tenants}`);
  log(`${tenants} tenants: demo database in ${dataDir} (seeded on the first run, reused after)…`);
  // Each size on a port of its own (startDemo takes the next free one), all up at once.
  const demo = await startDemo({ dataDir: join(dataDir, 'demo'), tenants, log });
  const db = openDb(demo.url);
  const rec = openDb(demo.url, RecordingDatabase) as RecordingDatabase;
  const work = mkdtempSync(join(tmpdir(), 'pfo-bench-scale-'));
  try {
    // The same catalog state at every size: a reused demo's catalogs may still hold the dead row versions
    // of its seed until autovacuum gets to them, at a moment no run controls (the floors moved by a third
    // from one run to the next). VACUUM ANALYZE of the catalogs first, as the seed itself now ends.
    const v0 = performance.now();
    const admin = await connectClient({ connectionString: withSslmode(demo.url), application_name: 'podcastflow-bench' });
    try {
      await vacuumCatalogs(admin);
    } finally {
      await admin.end();
    }
    log(`  catalogs vacuumed and analyzed in ${((performance.now() - v0) / 1000).toFixed(1)} s`);
    const facts = (await db.query<{ relations: number }>('SELECT count(*) AS relations FROM pg_class')).rows[0]!;
    // A warm-up run of the suite that records the exact statements the floor replays.
    await runHealth(rec, healthOpts);
    const script = join(work, 'health.sql');
    writeFileSync(script, psqlScript(rec.statements));
    // And one of the verification and its floors.
    const verify = verifyBench(db, demo);
    const violations = (await verify.warm()).violations.length;
    return { tenants: demo.tenants, relations: facts.relations, demo, db, work, script, statements: rec.statements.length, health: [], healthFloor: [], perCheck: new Map(), verify: [], verifyFloor: [], verifyLanes: [], violations, verifyBench: verify };
  } catch (err) {
    // Not yet among the opened sizes that the run closes at the end: close this one here.
    await close({ work, db, demo });
    throw err;
  } finally {
    await rec.close();
  }
}

/** One round at one size: the suite and its floor, then the verification and its floor. */
async function round(z: Size, i: number): Promise<void> {
  const label = `${z.tenants} round ${i + 1}/${runs}`;
  const t0 = performance.now();
  const report = await runHealth(z.db, healthOpts);
  z.health.push(performance.now() - t0);
  for (const c of report.checks) z.perCheck.set(c.id, [...(z.perCheck.get(c.id) ?? []), c.durationMs]);
  const t1 = performance.now();
  await runPsqlFile(z.demo.url, z.script);
  z.healthFloor.push(performance.now() - t1);
  z.verify.push(await z.verifyBench.ours());
  z.verifyFloor.push(await z.verifyBench.floor());
  z.verifyLanes.push(await z.verifyBench.lanes());
  const sec = (xs: number[]) => `${(xs.at(-1)! / 1000).toFixed(2)} s`;
  log(`  ${label}: health ${sec(z.health)} (floor ${sec(z.healthFloor)}), verify ${sec(z.verify)} (floor ${sec(z.verifyFloor)}, in its lanes ${sec(z.verifyLanes)})`);
}

/** The all-tenants backup at one size against one full pg_dump of the same database. */
async function backupAgainstPgDump(z: Size): Promise<SizeResult['backup']> {
  const locks = (await z.db.query<{ tables: number; max_locks: number }>("SELECT count(*) AS tables, current_setting('max_locks_per_transaction')::int AS max_locks FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname LIKE 'org\\_%'")).rows[0]!;
  const u = new URL(z.demo.url);
  const env = { ...process.env, PGHOST: u.hostname, PGPORT: u.port, PGUSER: z.demo.user, PGPASSWORD: z.demo.password, PGDATABASE: z.demo.database, PGSSLMODE: 'disable' };
  log(`  backup ${z.tenants}: one full pg_dump -Fc…`);
  const t0 = performance.now();
  await run('bash', ['-c', 'set -o pipefail; pg_dump -Fc > /dev/null'], { env, maxBuffer: 1e7 });
  const pgDumpMs = performance.now() - t0;
  log(`  backup ${z.tenants}: ours, all tenants…`);
  const key = await generateKeyFile(join(z.work, 'keys'));
  const t1 = performance.now();
  await runBackup({ db: z.db, dest: openDestination(join(z.work, 'backups')), key, scope: { kind: 'all-tenants', pattern: 'org\\_%' } });
  return { ms: performance.now() - t1, pgDumpMs, tables: locks.tables, maxLocksPerTransaction: locks.max_locks };
}

async function close(z: Pick<Size, 'work' | 'db' | 'demo'>): Promise<void> {
  rmSync(z.work, { recursive: true, force: true });
  await z.db.close();
  await z.demo.stop();
}

// The sizes side by side, round by round: this machine's speed drifts over minutes, and sizes measured one
// after the other saw different machines (one run's 2,000-tenant floors came out 40 % above the next's).
const opened: Size[] = [];
const results: SizeResult[] = [];
try {
  for (const n of sizes) opened.push(await open(n));
  for (let i = 0; i < runs; i++) for (const z of opened) await round(z, i);
  if (withBackup) for (const z of opened) z.backup = await backupAgainstPgDump(z);
  for (const z of opened) {
    results.push({
      tenants: z.tenants,
      relations: z.relations,
      health: { ms: middle(z.health), floorMs: middle(z.healthFloor), statements: z.statements, perCheck: Object.fromEntries([...z.perCheck].map(([id, xs]) => [id, Math.round(middle(xs))])) },
      verify: { ms: middle(z.verify), floorMs: middle(z.verifyFloor), lanesFloorMs: middle(z.verifyLanes), violations: z.violations },
      ...(z.backup ? { backup: z.backup } : {}),
    });
  }
} finally {
  for (const z of opened) await close(z);
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const out = (line = '') => void process.stdout.write(`${line}\n`);
for (const r of results) {
  out(`\n${r.tenants} tenants, ${r.relations} relations (median of ${runs})`);
  out(`  ${'case'.padEnd(8)} ${'console'.padStart(9)} ${'floor'.padStart(9)} ${'ratio'.padStart(7)}  floor is`);
  out(`  ${'health'.padEnd(8)} ${s(r.health.ms).padStart(9)} ${s(r.health.floorMs).padStart(9)} ${x(r.health.ms, r.health.floorMs).padStart(7)}  the same ${r.health.statements} statements, bare, one psql session`);
  out(`  ${'verify'.padEnd(8)} ${s(r.verify.ms).padStart(9)} ${s(r.verify.floorMs).padStart(9)} ${x(r.verify.ms, r.verify.floorMs).padStart(7)}  the same tenants_*.sql, bare, one psql session (${r.verify.violations} violations)`);
  out(`  ${''.padEnd(8)} ${''.padStart(9)} ${s(r.verify.lanesFloorMs).padStart(9)} ${x(r.verify.ms, r.verify.lanesFloorMs).padStart(7)}  the same, in verifyTenants' lanes: a psql session per lane, side by side`);
  if (r.backup) out(`  ${'backup'.padEnd(8)} ${s(r.backup.ms).padStart(9)} ${s(r.backup.pgDumpMs).padStart(9)} ${x(r.backup.ms, r.backup.pgDumpMs).padStart(7)}  one full pg_dump -Fc; ${r.backup.tables} tenant tables locked, max_locks_per_transaction ${r.backup.maxLocksPerTransaction}`);
  out(`  per check: ${Object.entries(r.health.perCheck).sort((a, b) => b[1] - a[1]).map(([id, ms]) => `${id} ${ms}`).join(', ')} (ms)`);
}
const small = results[0]!;
const large = results[results.length - 1]!;
const growth = (a: number, b: number) => a / b;
// The growth of each round on its own (round i of the smallest size against round i of the largest: the
// two were measured a minute apart). Their spread says how far apart two growth figures must be before
// the difference means anything on this machine: one run's floors moved 11-13 % from round to round.
const [first, last] = [opened[0]!, opened[opened.length - 1]!];
const spread = (a: number[], b: number[]) => {
  const xs = a.map((v, i) => v / b[i]!);
  return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
};
const rounds = {
  health: spread(last.health, first.health),
  healthFloor: spread(last.healthFloor, first.healthFloor),
  verify: spread(last.verify, first.verify),
  verifyFloor: spread(last.verifyFloor, first.verifyFloor),
  verifyLanesFloor: spread(last.verifyLanes, first.verifyLanes),
};
const g = {
  health: growth(large.health.ms, small.health.ms),
  healthFloor: growth(large.health.floorMs, small.health.floorMs),
  verify: growth(large.verify.ms, small.verify.ms),
  verifyFloor: growth(large.verify.floorMs, small.verify.floorMs),
  verifyLanesFloor: growth(large.verify.lanesFloorMs, small.verify.lanesFloorMs),
  ...(large.backup && small.backup ? { backup: growth(large.backup.ms, small.backup.ms), backupFloor: growth(large.backup.pgDumpMs, small.backup.pgDumpMs) } : {}),
};
const targets = {
  healthWithin2xFloor: large.health.ms <= 2 * large.health.floorMs,
  verifyWithin3s: large.verify.ms <= 3000,
  ...(large.backup ? { backupWithin1_2xPgDump: large.backup.ms <= 1.2 * large.backup.pgDumpMs } : {}),
  ...(results.length > 1
    ? {
        healthGrowthWithinFloor: g.health <= g.healthFloor,
        verifyGrowthWithinFloor: g.verify <= g.verifyFloor,
        ...(g.backup !== undefined ? { backupGrowthWithinFloor: g.backup <= g.backupFloor! } : {}),
      }
    : {}),
};
if (results.length > 1) {
  out(`\ngrowth ${small.tenants} → ${large.tenants} tenants (${(large.relations / small.relations).toFixed(2)}× the relations):`);
  out(`  health ${g.health.toFixed(2)}× (floor ${g.healthFloor.toFixed(2)}×)   verify ${g.verify.toFixed(2)}× (floor ${g.verifyFloor.toFixed(2)}×, in its lanes ${g.verifyLanesFloor.toFixed(2)}×)${g.backup !== undefined ? `   backup ${g.backup.toFixed(2)}× (pg_dump ${g.backupFloor!.toFixed(2)}×)` : ''}`);
  if (runs > 1) out(`  round by round: health ${rounds.health}× (floor ${rounds.healthFloor}×)   verify ${rounds.verify}× (floor ${rounds.verifyFloor}×, in its lanes ${rounds.verifyLanesFloor}×)`);
}
out(`\ntargets at ${large.tenants} tenants: ${Object.entries(targets).map(([k, v]) => `${k} ${v ? 'met' : 'MISSED'}`).join(', ')}`);
out(JSON.stringify({ bench: 'scale', runs, results: results.map((r) => ({ ...r, health: { ...r.health, ms: Math.round(r.health.ms), floorMs: Math.round(r.health.floorMs) }, verify: { ...r.verify, ms: Math.round(r.verify.ms), floorMs: Math.round(r.verify.floorMs), lanesFloorMs: Math.round(r.verify.lanesFloorMs) } })), growth: g, ...(results.length > 1 && runs > 1 ? { growthByRound: rounds } : {}), targets }));
