import type { Finding } from '../../../../shared/domain/health';
import { formatBytes } from '../../../../shared/format';
import type { CheckContext, CheckDef, CheckOutcome } from '../types';
import { pct, qualified, statusOf, tenantField } from '../types';

interface Row {
  schema: string;
  name: string;
  table_name?: string;
  tenant: string | null;
  table_bytes?: number;
  index_bytes?: number;
  wasted_bytes: number;
  wasted_ratio: number | null;
  total_wasted_bytes: number;
  tables_estimated?: number;
  indexes_estimated?: number;
}

/** Findings for the top N by wasted bytes; warn/critical only above both the ratio and the size floor. */
function bloatOutcome(ctx: CheckContext, rows: Row[], what: 'table' | 'index'): CheckOutcome {
  const findings: Finding[] = rows
    .filter((r) => r.wasted_bytes > 0)
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
  const flagged = findings.filter((f) => f.severity !== 'info').length;
  return {
    status: statusOf(findings),
    summary: `About ${formatBytes(total)} wasted over ${count} ${what === 'table' ? 'tables' : 'B-tree indexes'} estimated; ${flagged} above the thresholds.`,
    value: total,
    findings,
    metrics: { wastedBytes: total },
  };
}

/** Statistics-based table bloat over every table in one query (exact figures: pgstattuple on demand). */
export const tableBloat: CheckDef = {
  id: 'table_bloat',
  title: 'Table bloat',
  heavy: true,
  sql: ['health_table_bloat', 'health_exact_bloat'],
  async run(ctx) {
    return bloatOutcome(ctx, await ctx.rows<Row>('health_table_bloat', [ctx.tenantPattern, ctx.t.topN]), 'table');
  },
};

export const indexBloat: CheckDef = {
  id: 'index_bloat',
  title: 'Index bloat',
  heavy: true,
  sql: ['health_index_bloat'],
  async run(ctx) {
    return bloatOutcome(ctx, await ctx.rows<Row>('health_index_bloat', [ctx.tenantPattern, ctx.t.topN]), 'index');
  },
};
