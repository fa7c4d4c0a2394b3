/**
 * npm run bench:cli -- [--tenants 50] [--data DIR] [--runs 7]
 *
 * How fast the CLI starts and how much memory it takes, in the same run:
 *   before  the bin forced onto the TypeScript sources through tsx (PODCASTFLOW_OPS_FROM_SOURCES=1)
 *   after   the bin running the bundle in out/cli/ (rebuilt first, so it is fresh)
 * for `--version` (start-up alone) and `health --db URL` (one real command) on a demo database with N
 * tenants (built on first run, then reused). Wall time is the median of the runs, peak RSS the largest
 * (GNU time's %M of the child). A bare `node -e ''` is measured too: the floor no CLI start goes below on
 * this machine. Prints a table, then one JSON line with the after/before ratios and the target
 * (--version ≤ 150 ms and ≤ 70 MB).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDemo } from '../src/main/core/demo/cluster';

const exec = promisify(execFile);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const tenants = Number(arg('tenants') ?? 50);
const runs = Math.max(1, Number(arg('runs') ?? 7));
const dataDir = arg('data') ?? join(os.tmpdir(), `pfo-bench-cli-${tenants}`);
const log = (m: string) => process.stderr.write(`${m}\n`);

interface Sample {
  ms: number;
  rssMb: number;
}

/** One CLI run under GNU time: wall time measured here, peak RSS from time's report. */
async function once(args: string[], fromSources: boolean, argv = ['bin/podcastflow-ops.js', ...args]): Promise<Sample> {
  const dir = mkdtempSync(join(os.tmpdir(), 'pfo-bench-cli-time-'));
  const report = join(dir, 'time');
  try {
    const t0 = performance.now();
    // health exits 1 or 2 on findings: the exit code is not what is measured, but its output must be a report.
    const stdout = await exec('/usr/bin/time', ['-f', '%M', '-o', report, process.execPath, ...argv], {
      env: { ...process.env, PODCASTFLOW_OPS_FROM_SOURCES: fromSources ? '1' : '0' },
      maxBuffer: 64 * 1024 * 1024,
    }).then(
      (r) => r.stdout,
      (err: { code?: number; stdout?: string }) => {
        if (typeof err.code !== 'number' || err.code > 3) throw err;
        return err.stdout ?? '';
      },
    );
    const ms = performance.now() - t0;
    if (args.includes('--json') && typeof (JSON.parse(stdout) as { status?: unknown }).status !== 'string') throw new Error(`${args[0]} printed no report`);
    const kb = Number(readFileSync(report, 'utf8').trim().split('\n').pop());
    return { ms, rssMb: kb / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(args: string[], fromSources: boolean, argv?: string[]): Promise<Sample> {
  await once(args, fromSources, argv); // warm the file cache
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once(args, fromSources, argv));
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, rssMb: Math.max(...samples.map((s) => s.rssMb)) };
}

log('Bundling the CLI (npm run build:cli)…');
await exec(process.execPath, ['scripts/build-cli.mjs']);
const demo = await startDemo({ dataDir, tenants, log });
try {
  const commands: Array<{ name: string; args: string[] }> = [
    { name: '--version', args: ['--version'] },
    { name: `health (${demo.tenants} tenants)`, args: ['health', '--db', `${demo.url}?sslmode=disable`, '--json'] },
  ];
  const rows: Array<{ command: string; before: Sample; after: Sample }> = [];
  for (const c of commands) {
    log(`Measuring ${c.name} (${runs} runs each way)…`);
    rows.push({ command: c.name, before: await measure(c.args, true), after: await measure(c.args, false) });
  }
  const floor = await measure([], false, ['-e', '']);
  const [load1, load5] = os.loadavg();
  const f = (n: number, d = 0) => n.toFixed(d).padStart(8);
  console.log(`CLI start-up, median of ${runs} runs (load average ${load1!.toFixed(2)} / ${load5!.toFixed(2)}, ${os.cpus().length} CPUs)`);
  console.log(`${'command'.padEnd(22)}${'tsx ms'.padStart(8)}${'tsx MB'.padStart(8)}${'built ms'.padStart(10)}${'built MB'.padStart(10)}${'time ×'.padStart(8)}${'RSS ×'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${r.command.padEnd(22)}${f(r.before.ms)}${f(r.before.rssMb)}${f(r.after.ms, 0).padStart(10)}${f(r.after.rssMb, 0).padStart(10)}${f(r.after.ms / r.before.ms, 2)}${f(r.after.rssMb / r.before.rssMb, 2)}`);
  }
  console.log(`${"node -e '' (floor)".padEnd(22)}${''.padStart(16)}${f(floor.ms, 0).padStart(10)}${f(floor.rssMb, 0).padStart(10)}`);
  const version = rows[0]!.after;
  const target = { versionMs: 150, versionRssMb: 70 };
  process.stdout.write(
    JSON.stringify({
      bench: 'cli',
      tenants: demo.tenants,
      runs,
      loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
      cases: rows.map((r) => ({
        command: r.command,
        before: { ms: Math.round(r.before.ms), rssMb: Math.round(r.before.rssMb) },
        after: { ms: Math.round(r.after.ms), rssMb: Math.round(r.after.rssMb) },
        ratios: { ms: Math.round((r.after.ms / r.before.ms) * 100) / 100, rss: Math.round((r.after.rssMb / r.before.rssMb) * 100) / 100 },
      })),
      floor: { ms: Math.round(floor.ms), rssMb: Math.round(floor.rssMb) },
      target,
      met: version.ms <= target.versionMs && version.rssMb <= target.versionRssMb,
    }) + '\n',
  );
} finally {
  await demo.stop();
}
