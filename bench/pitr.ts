/**
 * npm run bench:pitr — one tenant's point-in-time restore against two baselines measured in the same run
 * on the same demo cluster (embedded PostgreSQL 15 with WAL archived by pgBackRest, `demo --pitr`):
 *  1. the by-hand floor: the same `pgbackrest restore` (same target, same --db-include), the same server
 *     binary started on the copy until it is promoted, ALTER SCHEMA … RENAME there, and
 *     `pg_dump -Fc -n | pg_restore --single-transaction` into the live database, each run by hand;
 *  2. a full logical restore of the same tenant (our encrypted tenant backup restored beside the live one).
 * Rounds alternate ours and the floor. Prints a table, then one JSON line; --out FILE writes the table too.
 * Args: --tenants N (default 2000), --scale S (seed row multiplier, default 0.1), --rounds R (default 2),
 * --data DIR (default /tmp/pfo-bench-pitr, reused when seeded with the same count).
 */
import { execFile, spawn } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { runBackup } from '../src/main/core/backup/backup';
import { openDestination } from '../src/main/core/backup/destination';
import { generateKeyFile } from '../src/main/core/backup/keys';
import { restoreBackup } from '../src/main/core/backup/restore';
import { findTool } from '../src/main/core/backup/tools';
import { parseUrl } from '../src/main/core/db/connection';
import { Database } from '../src/main/core/db/database';
import { startDemo } from '../src/main/core/demo/cluster';
import { findEngine, optionArgs, serverUser } from '../src/main/core/pitr/pgbackrest';
import { restoreTenantToPoint, targetArgs } from '../src/main/core/pitr/restore';
import { serverBinaries } from '../src/main/core/pitr/scratch';
import { arg, log } from './args';

const run = promisify(execFile);
const TENANTS = Number(arg('tenants') ?? 2000);
const SCALE = Number(arg('scale') ?? 0.1);
const ROUNDS = Number(arg('rounds') ?? 2);
const DATA = arg('data') ?? '/tmp/pfo-bench-pitr';
const OUT = arg('out');

const secs = (ms: number) => (ms / 1000).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** The floor: every step by hand, as a DBA would type it. Returns ms. */
async function byHand(demoUrl: string, cfg: Parameters<typeof optionArgs>[0], tenant: string, target: string, side: string, database: string): Promise<number> {
  const t0 = performance.now();
  const user = serverUser();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pfo-bench-floor-'));
  if (user) await chown(scratch, user.uid, user.gid);
  const data = path.join(scratch, 'data');
  const asServer = user ? { uid: user.uid, gid: user.gid } : {};
  await run(findEngine().path, [...optionArgs(cfg), `--pg1-path=${data}`, ...targetArgs({ type: 'time', value: target }), '--target-action=promote', '--archive-mode=off', `--db-include=${database}`, 'restore'], asServer);
  await writeFile(path.join(data, 'pg_hba.conf'), 'local all all trust\n');
  await writeFile(path.join(data, 'postgresql.conf'), '');
  if (user) for (const f of ['pg_hba.conf', 'postgresql.conf']) await chown(path.join(data, f), user.uid, user.gid);
  const bin = serverBinaries(15);
  const proc = spawn(bin.postgres, ['-D', data, '-c', 'listen_addresses=', '-c', `unix_socket_directories=${scratch}`, '-c', 'port=5999', '-c', 'archive_mode=off', '-c', 'hot_standby=off', '-c', 'fsync=off', '-c', 'shared_preload_libraries='], { ...asServer, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    proc.stderr!.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('ready to accept connections')) resolve();
    });
    proc.once('exit', () => reject(new Error(`floor server exited:\n${text.slice(-2000)}`)));
  });
  const { target: live, password } = parseUrl(demoUrl);
  const local = { ...process.env, PGHOST: scratch, PGPORT: '5999', PGUSER: live.user, PGDATABASE: database };
  await run('/usr/lib/postgresql/15/bin/psql', ['-X', '-q', '-c', `ALTER SCHEMA "${tenant}" RENAME TO "${side}"`], { env: local });
  const dumpFile = path.join(scratch, 'tenant.dump');
  await run(findTool('pg_dump')!, ['-Fc', '-n', `"${side}"`, '-f', dumpFile], { env: local });
  await run(findTool('pg_restore')!, ['--single-transaction', '--exit-on-error', '-d', database, dumpFile], { env: { ...process.env, PGHOST: live.host, PGPORT: String(live.port), PGUSER: live.user, PGPASSWORD: password } });
  proc.kill('SIGINT');
  await new Promise((r) => proc.once('exit', r));
  await rm(scratch, { recursive: true, force: true });
  return performance.now() - t0;
}

async function main(): Promise<void> {
  log(`[bench] demo with PITR, ${TENANTS} tenants (scale ${SCALE}) in ${DATA}…`);
  const t0 = performance.now();
  const demo = await startDemo({ dataDir: DATA, tenants: TENANTS, scale: SCALE, pitr: true, log: (m) => log(`[demo] ${m}`) });
  log(`[bench] demo up in ${secs(performance.now() - t0)} s`);
  try {
    if (!demo.pitr) throw new Error(`no PITR: ${demo.pitrMessage}`);
    const { target, password } = parseUrl(demo.url);
    const db = new Database({ ...target, sslmode: 'disable' }, { password: password!, source: 'url' });
    const [size] = await sql<{ db: string; bytes: string }>(demo.url, 'SELECT pg_size_pretty(pg_database_size(current_database())) AS db, pg_database_size(current_database()) AS bytes');
    // A mid-size tenant (not one of the three big ones).
    const [{ tenant } = { tenant: '' }] = await sql<{ tenant: string }>(demo.url, "SELECT nspname AS tenant FROM pg_namespace WHERE nspname LIKE 'org_%' AND nspname !~ '__(restored|replaced)_' ORDER BY nspname OFFSET $1 LIMIT 1", [Math.min(10, TENANTS - 1)]);
    const [tsize] = await sql<{ s: string }>(demo.url, "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'", [tenant]);
    // pgBackRest keeps a backup's stop time in whole seconds: the target is clearly after the newest backup.
    await sql(demo.url, 'SELECT pg_sleep(2)');
    const at = (await sql<{ t: Date }>(demo.url, 'SELECT clock_timestamp() AS t'))[0]!.t.toISOString();
    await sql(demo.url, 'SELECT pg_sleep(0.2)');
    await sql(demo.url, `DELETE FROM "${tenant}".audit_log`);
    await sql(demo.url, 'SELECT pg_switch_wal()');

    const ours: number[] = [];
    const floor: number[] = [];
    const phases: Record<string, number[]> = {};
    for (let r = 0; r < ROUNDS; r++) {
      const s1 = `${tenant}__restored_bench_o${r}`;
      const a = performance.now();
      const res = await restoreTenantToPoint({ db, cfg: demo.pitr, tenant, target: { type: 'time', value: at }, intoSchema: s1 });
      ours.push(performance.now() - a);
      for (const p of res.phases) (phases[p.phase] ??= []).push(p.ms);
      log(`[bench] round ${r + 1}: ours ${secs(ours.at(-1)!)} s (${res.rows} rows)`);
      floor.push(await byHand(demo.url, demo.pitr, tenant, at, `${tenant}__restored_bench_f${r}`, target.database));
      log(`[bench] round ${r + 1}: by hand ${secs(floor.at(-1)!)} s`);
      await sql(demo.url, `DROP SCHEMA "${s1}" CASCADE; DROP SCHEMA "${tenant}__restored_bench_f${r}" CASCADE`);
    }

    // The logical path: a tenant backup (taken now, not timed), restored beside the live tenant (timed).
    const keyDir = await mkdtemp(path.join(os.tmpdir(), 'pfo-bench-pitr-key-'));
    const destDir = await mkdtemp(path.join(os.tmpdir(), 'pfo-bench-pitr-dest-'));
    try {
      const key = await generateKeyFile(keyDir);
      const dest = openDestination(destDir, {});
      const b = await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant } });
      const l = performance.now();
      const lr = await restoreBackup({ db, dest, name: b.manifest.name, keys: [key], target: `${tenant}__restored_bench_l` });
      const logical = performance.now() - l;
      await sql(demo.url, `DROP SCHEMA "${tenant}__restored_bench_l" CASCADE`);

      const o = median(ours);
      const f = median(floor);
      const rows = [
        ['tenant PITR (ours)', secs(o), (o / f).toFixed(2)],
        ['by hand: pgbackrest restore, start, pg_dump, pg_restore', secs(f), '1.00'],
        ['full logical restore of the same tenant', secs(logical), (logical / f).toFixed(2)],
      ];
      const table = [
        `bench:pitr — ${new Date().toISOString()} — ${os.cpus().length} CPUs, shared with other work (several agents ran builds and tests on this machine at the same time: ratios, not absolute times, are the figures)`,
        `demo: ${TENANTS} tenants (seed scale ${SCALE}), database ${size!.db}; tenant ${tenant} (${tsize!.s} of tables, ${lr.rows} rows); pgBackRest ${findEngine().version}; median of ${ROUNDS} rounds`,
        '',
        'what                                                      seconds   vs floor',
        ...rows.map(([w, s, r]) => `${w!.padEnd(58)}${s!.padStart(7)}   ${r}`),
        '',
        `ours by phase (median ms): ${Object.entries(phases).map(([p, ms]) => `${p} ${Math.round(median(ms))}`).join(', ')}`,
        `target: within 1.3x the floor -> ${(o / f).toFixed(2)}x ${o / f <= 1.3 ? 'met' : 'NOT met'}`,
      ].join('\n');
      process.stdout.write(table + '\n');
      process.stdout.write(JSON.stringify({ bench: 'pitr', tenants: TENANTS, scale: SCALE, databaseBytes: Number(size!.bytes), tenant, rounds: ROUNDS, oursMs: ours, floorMs: floor, logicalMs: logical, ratio: o / f, phases }) + '\n');
      if (OUT) await writeFile(OUT, table + '\n');
    } finally {
      await rm(keyDir, { recursive: true, force: true });
      await rm(destDir, { recursive: true, force: true });
    }
    await db.close();
  } finally {
    await demo.stop();
  }
}

await main();
