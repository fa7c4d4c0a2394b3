/**
 * Benchmark: tenant verification at N tenants (default 2,000) against
 *   - its bare SQL floor: one psql session running the same resources/sql/tenants_*.sql files, one after
 *     the other (what the queries cost on the server, with no console around them), and
 *   - the naive way: a loop over tenants, each compared through information_schema (columns and table
 *     privileges per tenant), which is what a per-tenant script does.
 * Targets (issue #4): within 3x the floor, at least 50x faster than the naive loop.
 * Prints a table and a final JSON line. Reuses a demo data dir between runs (seeding 2,000 tenants takes
 * minutes once): /tmp/pfo-bench-tenants-<N>.
 *
 *   npm run bench:tenants [-- --tenants 2000 --runs 5]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseUrl } from '../src/main/core/db/connection';
import { Database } from '../src/main/core/db/database';
import { inlineParams, loadSql } from '../src/main/core/db/sql';
import { startDemo, type DemoHandle } from '../src/main/core/demo/cluster';
import { CHECKS, DEFAULT_TENANT_KEY_COLUMNS, type CheckOptions, type TenantScope } from '../src/main/core/tenants/checks';
import { verifyTenants } from '../src/main/core/tenants/verify';
import type { VerifyResult } from '../src/shared/domain/tenants';
import { middle } from './floors';

export interface TenantsBenchOptions {
  tenants?: number;
  runs?: number;
  dataDir?: string;
  log?: (m: string) => void;
  /** A demo database already running (bench:health passes its own); otherwise one is started here. */
  demo?: DemoHandle;
}

export interface TenantsBenchResult {
  bench: 'tenants';
  tenants: number;
  violations: number;
  oursMs: number;
  floorMs: number;
  naiveMs: number;
  /** How many tenants the naive loop really visited (it is extrapolated to all of them when fewer). */
  naiveTenantsMeasured: number;
  ratioToFloor: number;
  speedupOverNaive: number;
  targets: { withinFloor3x: boolean; naive50x: boolean };
}

/** One check file with its parameters spelled as literals: runnable by psql as it is. */
function inlined(file: string, params: unknown[]): string {
  return inlineParams(loadSql(file), params);
}

/**
 * The check files as verifyTenants runs them, in its lanes (verify.ts): each heavy check on a session of its
 * own, and the tenant list, the other checks and the isolation function one after another on another.
 */
function laneScripts(scope: TenantScope): string[] {
  const opts: CheckOptions = { platformRoles: [], tenantKeyColumns: DEFAULT_TENANT_KEY_COLUMNS };
  const light = [inlined('tenants_list', [scope.pattern, scope.tenants, scope.template])];
  for (const c of CHECKS.filter((c) => !c.heavy)) light.push(inlined(c.file, c.params(scope, opts)));
  light.push(inlined('tenants_isolation_function', []));
  return [...CHECKS.filter((c) => c.heavy).map((c) => inlined(c.file, c.params(scope, opts))), light.join('')];
}

function runPsql(url: string, password: string, script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', '-'], { env: { ...process.env, PGPASSWORD: password }, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`psql failed: ${err.slice(0, 500)}`))));
    child.stdin.end(script);
  });
}

/** The naive per-tenant comparison: information_schema per tenant, compared with the first tenant in JS. */
async function naiveLoop(db: Database, tenants: string[]): Promise<number> {
  const started = performance.now();
  let reference: Set<string> | undefined;
  let drift = 0;
  for (const t of tenants) {
    const cols = await db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      'SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = $1',
      [t],
    );
    const grants = await db.query<{ grantee: string; table_name: string; privilege_type: string }>('SELECT grantee, table_name, privilege_type FROM information_schema.table_privileges WHERE table_schema = $1', [t]);
    const shape = new Set(cols.rows.map((r) => `${r.table_name}.${r.column_name}:${r.data_type}:${r.is_nullable}`));
    reference ??= shape;
    for (const s of reference) if (!shape.has(s)) drift++;
    drift += grants.rows.length > 0 ? 0 : 1;
  }
  void drift;
  return performance.now() - started;
}

/** The verification and its floors, each a measurement of its own in ms (bench:scale takes all three). */
export interface VerifyBench {
  /** Each of them once, untimed (catalog caches, plan caches, pools); the verification's result. */
  warm: () => Promise<VerifyResult>;
  /** verifyTenants, as the Tenants page runs it. */
  ours: () => Promise<number>;
  /** The same files one after another on one psql session: what the statements cost the server in all. */
  floor: () => Promise<number>;
  /** The same files in verifyTenants' own lanes, a psql session per lane side by side: what they cost run as
   *  the console runs them (the console's own overhead is the difference). */
  lanes: () => Promise<number>;
}

/** verifyTenants against its floors: measured one after another by the caller, so that interleaved runs see the same machine state. */
export function verifyBench(db: Database, demo: DemoHandle): VerifyBench {
  const psqlUrl = `postgresql://${encodeURIComponent(demo.user)}@${demo.host}:${demo.port}/${encodeURIComponent(demo.database)}?sslmode=disable&application_name=pfo-bench`;
  const lanesScripts = laneScripts({ pattern: 'org_%', tenants: null, template: null });
  const script = lanesScripts.join('');
  const timed = async (work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    return performance.now() - t0;
  };
  return {
    warm: async () => {
      const result = await verifyTenants(db);
      await runPsql(psqlUrl, demo.password, script);
      return result;
    },
    ours: () => timed(() => verifyTenants(db)),
    floor: () => runPsql(psqlUrl, demo.password, script),
    lanes: () => timed(() => Promise.all(lanesScripts.map((lane) => runPsql(psqlUrl, demo.password, lane)))),
  };
}

export async function benchTenants(opts: TenantsBenchOptions = {}): Promise<TenantsBenchResult> {
  const n = opts.tenants ?? 2000;
  const runs = opts.runs ?? 5;
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const demo = opts.demo ?? (await startDemo({ dataDir: opts.dataDir ?? `/tmp/pfo-bench-tenants-${n}`, tenants: n, log }));
  const { target, password } = parseUrl(demo.url);
  const db = new Database({ ...target, sslmode: 'disable' }, { password: password ?? '', source: 'url' });
  try {
    const bench = verifyBench(db, demo);
    const warm = await bench.warm();
    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await bench.ours());
      floor.push(await bench.floor());
    }
    const tenantNames = warm.tenantStats.map((t) => t.name);
    // The naive loop is slow by nature: measure it on up to 100 tenants and scale linearly (it is linear:
    // one round trip pair per tenant over a catalog of the same size).
    const sample = tenantNames.slice(0, Math.min(100, tenantNames.length));
    const naiveSampleMs = await naiveLoop(db, sample);
    const naiveMs = (naiveSampleMs * tenantNames.length) / Math.max(sample.length, 1);
    const oursMs = middle(ours);
    const floorMs = middle(floor);
    const r = (x: number) => Math.round(x * 10) / 10;
    const result: TenantsBenchResult = {
      bench: 'tenants',
      tenants: warm.tenants,
      violations: warm.violations.length,
      oursMs: r(oursMs),
      floorMs: r(floorMs),
      naiveMs: r(naiveMs),
      naiveTenantsMeasured: sample.length,
      ratioToFloor: r((oursMs / floorMs) * 100) / 100,
      speedupOverNaive: r(naiveMs / oursMs),
      targets: { withinFloor3x: oursMs <= 3 * floorMs, naive50x: naiveMs >= 50 * oursMs },
    };
    return result;
  } finally {
    await db.close();
    if (!opts.demo) await demo.stop();
  }
}

export function printTenantsBench(r: TenantsBenchResult): void {
  const rows = [
    ['verifyTenants (console)', `${r.oursMs} ms`, `${r.ratioToFloor}x floor`],
    ['SQL floor (psql, same files)', `${r.floorMs} ms`, '1x'],
    [`naive per-tenant information_schema (${r.naiveTenantsMeasured} measured)`, `${r.naiveMs} ms`, `console is ${r.speedupOverNaive}x faster`],
  ];
  const w0 = Math.max(...rows.map((x) => x[0]!.length));
  const w1 = Math.max(...rows.map((x) => x[1]!.length));
  process.stdout.write(`tenant verification at ${r.tenants} tenants (${r.violations} violations found)\n`);
  for (const [a, b, c] of rows) process.stdout.write(`  ${a!.padEnd(w0)}  ${b!.padStart(w1)}  ${c}\n`);
  process.stdout.write(`  targets: within 3x floor ${r.targets.withinFloor3x ? 'MET' : 'MISSED'}; >=50x naive ${r.targets.naive50x ? 'MET' : 'MISSED'}\n`);
  process.stdout.write(JSON.stringify(r) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const tenants = arg('--tenants');
  const runs = arg('--runs');
  benchTenants({ ...(tenants ? { tenants } : {}), ...(runs ? { runs } : {}) }).then(printTenantsBench, (err: unknown) => {
    process.stderr.write(`bench:tenants failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(3);
  });
}
