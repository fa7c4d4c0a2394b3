/**
 * npm run bench:metrics -- [--tenants 2000] [--runs 50] [--top 20]
 *
 * How long a /metrics scrape takes from cached results and how many series it has, at N tenants, in the
 * same run:
 *   baseline  per-tenant series for every tenant (what labelling every series by schema gives, as
 *             postgres_exporter does per table)
 *   bounded   the shipped exposition: per-tenant series for the top N offenders only
 * Each case is scraped over HTTP through the real endpoint (fastify, bearer check, prom-client) from a
 * snapshot as a database of N tenants gives it (tests/support/fleet-snapshot.ts): one connection, a full
 * health report, isolation violations on every tenth tenant, an all-tenants + full + per-tenant catalog.
 * Wall time is the median of the runs after 5 warm-up scrapes. Prints a table, then one JSON line with
 * the bounded/baseline ratios and the target (≤ 50 ms, ≤ 2,000 series).
 */
import os from 'node:os';
import Fastify from 'fastify';
import type { App } from '../src/main/app';
import { FleetMetrics } from '../src/main/core/fleet/metrics';
import { registerMetricsEndpoint } from '../src/main/metrics-endpoint';
import { seriesOf, syntheticSnapshot } from '../tests/support/fleet-snapshot';
import { arg, log } from './args';

const tenants = Number(arg('tenants') ?? 2000);
const runs = Math.max(1, Number(arg('runs') ?? 50));
const top = Number(arg('top') ?? 20);
const TOKEN = 'bench-token-0123456789abcdef';

async function measure(topN: number): Promise<{ ms: number; series: number; bytes: number }> {
  const snapshot = await syntheticSnapshot(tenants);
  const metrics = new FleetMetrics('bench', topN);
  // The endpoint needs only app.fleet.scrape; the snapshot stands for the service's cached one.
  const app = { fleet: { scrape: async () => ({ contentType: metrics.contentType, body: await metrics.render(snapshot) }) } } as unknown as App;
  const server = Fastify({ logger: false });
  registerMetricsEndpoint(server, app, TOKEN, log);
  await server.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.server.address() as { port: number }).port}/metrics`;
  const scrape = async () => {
    const r = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!r.ok) throw new Error(`scrape answered ${r.status}`);
    return r.text();
  };
  try {
    for (let i = 0; i < 5; i++) await scrape();
    const times: number[] = [];
    let text = '';
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      text = await scrape();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms: Math.round(times[Math.floor(times.length / 2)]! * 10) / 10, series: seriesOf(text).length, bytes: Buffer.byteLength(text) };
  } finally {
    await server.close();
  }
}

log(`Scraping /metrics at ${tenants} tenants, ${runs} runs each…`);
const baseline = await measure(Number.MAX_SAFE_INTEGER);
const bounded = await measure(top);
const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
process.stdout.write(
  [
    `/metrics scrape at ${tenants} tenants, median of ${runs} (load average ${load[0]} / ${load[1]}, ${os.cpus().length} CPUs)`,
    'case                     ms   series     bytes',
    `baseline (every tenant) ${String(baseline.ms).padStart(4)} ${String(baseline.series).padStart(8)} ${String(baseline.bytes).padStart(9)}`,
    `bounded (top ${top})${' '.repeat(Math.max(0, 10 - String(top).length))}${String(bounded.ms).padStart(4)} ${String(bounded.series).padStart(8)} ${String(bounded.bytes).padStart(9)}`,
    `bounded / baseline      ${String(ratio(bounded.ms, baseline.ms)).padStart(4)} ${String(ratio(bounded.series, baseline.series)).padStart(8)}`,
    '',
  ].join('\n'),
);
const target = { ms: 50, series: 2000 };
process.stdout.write(
  `${JSON.stringify({ bench: 'metrics', tenants, runs, top, loadavg: load, baseline, bounded, ratios: { ms: ratio(bounded.ms, baseline.ms), series: ratio(bounded.series, baseline.series) }, target, met: bounded.ms <= target.ms && bounded.series <= target.series })}\n`,
);
