import type { CheckDef, SqlSpec } from '../types';
import { ms } from '../types';

interface Row {
  database: string;
  server_version: string;
  in_recovery: boolean;
}

const SQL: SqlSpec = { file: 'health_connectivity' };

/** Round-trip latency of the cheapest query. When this fails the suite skips every other check. */
export const connectivity: CheckDef = {
  id: 'connectivity', title: 'Connectivity', heavy: false, critical: true, sql: [SQL],
  docs: 'round trip of the cheapest query; when it fails every other check is `skipped`',
  thresholds: { connectivityWarnMs: ms(200, 'Round trip above this warns.'), connectivityFailMs: ms(2_000, 'Round trip above this fails.') },
  history: { latencyMs: 'latencyMs' },
  async run(ctx) {
    // Timed from when the query has a session: waiting behind the heavy checks for one of the pool's
    // sessions (seconds at 10,000 tenants) is the console's queue, not the database's latency.
    let started = performance.now();
    const [row] = await ctx.rows<Row>(SQL, { onSession: () => (started = performance.now()) });
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const severity = ms >= ctx.t.connectivityFailMs ? 'critical' : ms >= ctx.t.connectivityWarnMs ? 'warn' : 'info';
    return {
      status: severity === 'critical' ? 'fail' : severity === 'warn' ? 'warn' : 'pass',
      summary: `${row?.database ?? '?'} answered in ${ms} ms (PostgreSQL ${row?.server_version ?? '?'}${row?.in_recovery ? ', standby' : ''}).`,
      value: ms,
      findings: severity === 'info' ? [] : [{ severity, object: row?.database, message: `Round trip ${ms} ms.`, data: { latencyMs: ms } }],
      metrics: { latencyMs: ms },
      ...(row ? { database: { name: row.database, serverVersion: row.server_version } } : {}),
    };
  },
};
