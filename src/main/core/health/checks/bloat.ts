import type { Finding } from '../../../../shared/domain/health';
import { formatBytes } from '../../../../shared/format';
import type { CheckContext, CheckDef, CheckOutcome, SqlSpec, ThresholdSpecs } from '../types';
import { bytes, pct, qualified, ratio, statusOf, tenantField, TOP_N } from '../types';

const MB = 1024 * 1024;

/** Table and index bloat judge by the same thresholds. */
const BLOAT_THRESHOLDS: ThresholdSpecs = {
  topN: TOP_N, bloatWarnRatio: ratio(0.3, 'Estimated wasted share of a table or index above this warns (when above the minimum size).'),
  bloatFailRatio: ratio(0.6, 'Estimated wasted share above this is critical.'), bloatMinBytes: bytes(1 * MB, 'Wasted bytes below this never warn: small tables are noise. Tables and indexes smaller than this are not estimated at all.'),
};

// Relations smaller than bloatMinBytes can never cross it, so the SQL estimates only the larger ones.
const ranked = { pattern: (c: CheckContext) => c.tenantPattern, top: (c: CheckContext) => c.t.topN, min_bytes: (c: CheckContext) => c.t.bloatMinBytes };
const TABLE_SQL: SqlSpec = { file: 'health_table_bloat', params: ranked };
const INDEX_SQL: SqlSpec = { file: 'health_index_bloat', params: ranked };
/** "Measure exactly" on one table (HealthService.exactBloatTask binds its schema and name); listed for "Show SQL". */
const EXACT_SQL: SqlSpec = { file: 'health_exact_bloat' };

/** A ranked relation; the SQL always returns at least one row, with `name` null when nothing was estimated. */
interface Row {
  schema: string;
  name: string | null;
  table_name?: string;
  tenant: string | null;
  table_bytes?: number;
  index_bytes?: number;
  wasted_bytes: number;
  wasted_ratio: number | null;
  total_wasted_bytes: number;
  tables_estimated?: number;
  indexes_estimated?: number;
  skipped_tables?: number;
  skipped_indexes?: number;
  skipped_bytes: number;
}

/** Findings for the top N by wasted bytes; warn/critical only above both the ratio and the size floor. */
function bloatOutcome(ctx: CheckContext, rows: Row[], what: 'table' | 'index'): CheckOutcome {
  const findings: Finding[] = rows
    .filter((r): r is Row & { name: string } => r.name !== null && r.wasted_bytes > 0)
    .map((r) => {
      const ratio = r.wasted_ratio ?? 0;
      const big = r.wasted_bytes >= ctx.t.bloatMinBytes;
      const severity = big && ratio >= ctx.t.bloatFailRatio ? 'critical' : big && ratio >= ctx.t.bloatWarnRatio ? 'warn' : 'info';
      const size = what === 'table' ? r.table_bytes! : r.index_bytes!;
      return {
        severity,
        object: qualified(r.schema, r.name),
        ...tenantField(r.tenant),
        message: `About ${formatBytes(r.wasted_bytes)} of ${formatBytes(size)} wasted (${pct(ratio, 0)})${what === 'index' ? ` on ${r.table_name}` : ''}.`,
        data: { bytes: size, wastedBytes: r.wasted_bytes, wastedRatio: ratio, ...(r.table_name ? { table: r.table_name } : {}) },
      };
    });
  const total = rows[0]?.total_wasted_bytes ?? 0;
  const count = rows[0]?.[what === 'table' ? 'tables_estimated' : 'indexes_estimated'] ?? 0;
  const skipped = rows[0]?.[what === 'table' ? 'skipped_tables' : 'skipped_indexes'] ?? 0;
  const flagged = findings.filter((f) => f.severity !== 'info').length;
  const noun = what === 'table' ? 'tables' : 'B-tree indexes';
  return {
    status: statusOf(findings),
    summary:
      `About ${formatBytes(total)} wasted over ${count} ${noun} of at least ${formatBytes(ctx.t.bloatMinBytes)} estimated; ${flagged} above the thresholds.` +
      (skipped > 0 ? ` ${skipped} smaller ${noun} (${formatBytes(rows[0]!.skipped_bytes)} in all) were not estimated: none can waste ${formatBytes(ctx.t.bloatMinBytes)}.` : ''),
    value: total,
    findings,
    metrics: { wastedBytes: total },
  };
}

/** Statistics-based table bloat over every table in one query (exact figures: pgstattuple on demand). */
export const tableBloat: CheckDef = {
  id: 'table_bloat', title: 'Table bloat', heavy: true, sql: [TABLE_SQL, EXACT_SQL],
  docs: 'statistics-based wasted bytes of every table of at least `bloatMinBytes` (smaller ones cannot reach it: counted, not estimated; top N + totals); "Measure exactly" runs pgstattuple on one table',
  thresholds: BLOAT_THRESHOLDS,
  history: { 'bloat.table': 'wastedBytes' },
  async run(ctx) {
    return bloatOutcome(ctx, await ctx.rows<Row>(TABLE_SQL), 'table');
  },
};

export const indexBloat: CheckDef = {
  id: 'index_bloat', title: 'Index bloat', heavy: true, sql: [INDEX_SQL],
  docs: 'the same for every B-tree index',
  thresholds: BLOAT_THRESHOLDS,
  history: { 'bloat.index': 'wastedBytes' },
  async run(ctx) {
    return bloatOutcome(ctx, await ctx.rows<Row>(INDEX_SQL), 'index');
  },
};
