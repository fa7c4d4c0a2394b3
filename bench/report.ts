/**
 * npm run bench:report -- [--tenants 2000] [--data DIR] [--runs 3]
 *
 * Builds (first run) or reuses a demo database with N tenants, then measures in the same run, alternating:
 *   checks  what the report's sections run, alone: the health suite (18 checks, tenant verification
 *           included), the database secrets audit and the backup catalog
 *   report  buildReport with every section (the same work, plus building the model)
 * and, once, rendering the model as HTML and as PDF (A4). Prints a table, the ratios against the targets
 * (report ≤ 1.2 × checks, HTML ≤ 3 MB, PDF ≤ 5 MB, peak RSS ≤ 300 MB) and a final JSON line.
 * Peak RSS is the bench process's own high-water mark (it holds the model and both renderings).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCatalog } from '../src/main/core/backup/catalog';
import { openDestination } from '../src/main/core/backup/destination';
import { parseUrl } from '../src/main/core/db/connection';
import { Database } from '../src/main/core/db/database';
import { startDemo } from '../src/main/core/demo/cluster';
import { runHealth } from '../src/main/core/health/registry';
import { DEFAULT_THRESHOLDS } from '../src/main/core/health/thresholds';
import { buildReport } from '../src/main/core/reports/build';
import { renderHtml } from '../src/main/core/reports/html';
import { renderPdf } from '../src/main/core/reports/pdf';
import { runAudit } from '../src/main/core/secrets/audit';
import { arg, log } from './args';

const tenants = Number(arg('tenants') ?? 2000);
const runs = Math.max(1, Number(arg('runs') ?? 3));
// The same demo database as bench:health (seeded once, reused).
const dataDir = arg('data') ?? join(tmpdir(), tenants === 2000 ? 'pfo-bench-health' : `pfo-bench-health-${tenants}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (n: number) => n / 1024 / 1024;

log(`Demo database with ${tenants} tenants in ${dataDir} (seeded on the first run, reused after)…`);
const demo = await startDemo({ dataDir: join(dataDir, 'demo'), tenants, log });
const { target, password } = parseUrl(`${demo.url}?sslmode=disable`);
const db = new Database(target, { password: password ?? '', source: 'url' });
const backups = mkdtempSync(join(tmpdir(), 'pfo-bench-report-backups-'));
const destination = openDestination(backups);
try {
  const checks = async () => {
    await runHealth(db, { tenantPattern: 'org\\_%', thresholds: DEFAULT_THRESHOLDS, databaseName: target.database });
    await runAudit({ db });
    await readCatalog(destination);
  };
  const report = () => buildReport({ db, tenantPattern: 'org\\_%', appVersion: 'bench', backups: { destination, retention: { keepLast: 7, keepDays: 30 } } }, { sections: ['health', 'tenants', 'backups', 'dr', 'secrets'] });
  // Warm-up: catalogs and statistics in the server's caches for both.
  log('warm-up…');
  await checks();
  const checkTimes: number[] = [];
  const reportTimes: number[] = [];
  let model: Awaited<ReturnType<typeof report>> | undefined;
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await checks();
    checkTimes.push(performance.now() - t0);
    t0 = performance.now();
    model = await report();
    reportTimes.push(performance.now() - t0);
    log(`  run ${i + 1}/${runs}: checks ${(checkTimes[i]! / 1000).toFixed(2)} s, report ${(reportTimes[i]! / 1000).toFixed(2)} s`);
  }
  // Rendering is this process's CPU alone: its CPU time says more than the wall clock on a shared machine.
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  const html = renderHtml(model!);
  const htmlMs = performance.now() - t0;
  const htmlCpuMs = cpuMs(process.cpuUsage(c0));
  t0 = performance.now();
  c0 = process.cpuUsage();
  const pdf = await renderPdf(model!, 'A4');
  const pdfMs = performance.now() - t0;
  const pdfCpuMs = cpuMs(process.cpuUsage(c0));
  const json = JSON.stringify(model);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const c = median(checkTimes);
  const r = median(reportTimes);
  const result = {
    tenants,
    runs,
    checksMs: Math.round(c),
    reportMs: Math.round(r),
    overhead: Math.round((r / c - 1) * 1000) / 1000,
    htmlMs: Math.round(htmlMs),
    htmlCpuMs: Math.round(htmlCpuMs),
    pdfMs: Math.round(pdfMs),
    pdfCpuMs: Math.round(pdfCpuMs),
    jsonMB: Math.round(mb(json.length) * 100) / 100,
    htmlMB: Math.round(mb(Buffer.byteLength(html)) * 100) / 100,
    pdfMB: Math.round(mb(pdf.length) * 100) / 100,
    peakRssMB: Math.round(rssMb),
    violations: model!.sections.tenants?.violations,
    findings: model!.sections.health?.findings.length,
  };
  const rows = [
    ['checks alone (median)', `${(c / 1000).toFixed(2)} s`, ''],
    ['report, every section (median)', `${(r / 1000).toFixed(2)} s`, `${(result.overhead * 100).toFixed(1)}% over the checks (target ≤ 20%)`],
    ['render HTML', `${(htmlMs / 1000).toFixed(2)} s`, `${result.htmlMB} MB (target ≤ 3 MB); CPU ${(htmlCpuMs / 1000).toFixed(2)} s`],
    ['render PDF (A4)', `${(pdfMs / 1000).toFixed(2)} s`, `${result.pdfMB} MB (target ≤ 5 MB); CPU ${(pdfCpuMs / 1000).toFixed(2)} s`],
    ['JSON model', '', `${result.jsonMB} MB`],
    ['peak RSS of this process', '', `${result.peakRssMB} MB (target ≤ 300 MB)`],
  ];
  process.stdout.write(`bench:report, ${tenants} tenants, ${runs} runs alternating\n`);
  for (const [a, b, x] of rows) process.stdout.write(`${a!.padEnd(34)} ${b!.padStart(9)}  ${x}\n`);
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await db.close();
  await demo.stop();
  rmSync(backups, { recursive: true, force: true });
}
