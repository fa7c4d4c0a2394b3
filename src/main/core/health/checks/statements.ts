import { escapeIdentifier } from 'pg';
import type { Finding } from '../../../../shared/domain/health';
import { OWN_QUERY_TAG } from '../../db/database';
import { loadSql } from '../../db/sql';
import type { CheckDef, SqlSpec } from '../types';
import { ms, statusOf, TOP_N } from '../types';

interface ProbeRow { schema: string; version: string; preload: string }
interface Row { queryid: string; query: string; calls: number; total_ms: number; mean_ms: number; rows: number; shared_blks_hit: number; shared_blks_read: number; role_name: string | null; by_total: number; by_mean: number }

const PROBE_SQL: SqlSpec = { file: 'health_slow_queries_probe' };
const SQL: SqlSpec = {
  file: 'health_slow_queries',
  params: { top: (c) => c.t.topN, own_tag: () => OWN_QUERY_TAG + '%', include_own: (c) => c.includeOwnQueries ?? false },
};

const ENABLE_HINT = "Add pg_stat_statements to shared_preload_libraries (postgresql.conf or ALTER SYSTEM), restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database.";

/**
 * Top statements by total and by mean time. A missing or unloaded pg_stat_statements is a warning with
 * the way to enable it, never an error. The statistics are never reset here.
 */
export const slowQueries: CheckDef = {
  id: 'slow_queries', title: 'Slow queries', heavy: false, sql: [PROBE_SQL, SQL],
  docs: "pg_stat_statements top by total and by mean time (never reset), the console's own statements left out (below); missing extension = `warn` with how to enable it",
  thresholds: {
    topN: TOP_N, slowMeanWarnMs: ms(500, 'Statements with a mean time above this warn.'),
    slowMeanFailMs: ms(5_000, 'Statements with a mean time above this are critical.'),
  },
  async run(ctx) {
    const [probe] = await ctx.rows<ProbeRow>(PROBE_SQL);
    if (!probe) {
      return { status: 'warn', summary: 'pg_stat_statements is not installed in this database, so slow queries cannot be ranked.', findings: [{ severity: 'warn', message: `pg_stat_statements is missing. ${ENABLE_HINT}`, data: { hint: ENABLE_HINT } }] };
    }
    // The view lives in the extension's schema, which need not be on the search_path.
    const text = loadSql(SQL.file).replace(/FROM pg_stat_statements\b/, `FROM ${escapeIdentifier(probe.schema)}.pg_stat_statements`);
    let rows: Row[];
    try {
      rows = await ctx.rows<Row>(SQL, { text });
    } catch (err) {
      if (/shared_preload_libraries/.test(String((err as Error).message))) {
        return { status: 'warn', summary: 'pg_stat_statements is installed but not loaded (shared_preload_libraries).', findings: [{ severity: 'warn', message: `pg_stat_statements is not loaded. ${ENABLE_HINT}`, data: { hint: ENABLE_HINT, preload: probe.preload } }] };
      }
      throw err;
    }
    const findings: Finding[] = rows.map((r) => ({
      severity: r.mean_ms >= ctx.t.slowMeanFailMs ? 'critical' : r.mean_ms >= ctx.t.slowMeanWarnMs ? 'warn' : 'info',
      object: `queryid ${r.queryid}`,
      message: `${r.mean_ms.toFixed(1)} ms mean × ${r.calls} calls = ${(r.total_ms / 1000).toFixed(1)} s: ${r.query.replace(/\s+/g, ' ').slice(0, 200)}`,
      data: { query: r.query, calls: r.calls, totalMs: r.total_ms, meanMs: r.mean_ms, rows: r.rows, role: r.role_name, rankByTotal: r.by_total, rankByMean: r.by_mean, blocksRead: r.shared_blks_read, blocksHit: r.shared_blks_hit },
    }));
    const slow = findings.filter((f) => f.severity !== 'info').length;
    return {
      status: statusOf(findings),
      summary: rows.length === 0 ? 'No statements recorded yet.' : `${rows.length} top statements by total and mean time; ${slow} with a mean above ${ctx.t.slowMeanWarnMs} ms.`,
      value: rows.reduce((m, r) => Math.max(m, r.mean_ms), 0),
      findings,
    };
  },
};
