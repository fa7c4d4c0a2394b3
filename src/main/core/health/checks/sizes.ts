import type { Finding } from '../../../../shared/domain/health';
import { formatBytes } from '../../../../shared/format';
import type { CheckDef, SqlSpec } from '../types';
import { qualified, tenantField, TOP_N } from '../types';

interface Row { kind: 'database' | 'table' | 'tenant'; schema: string; name: string | null; tenant: string | null; bytes: number; tenant_count: number | null; tenant_bytes: number | null; estimated: boolean }

const SQL: SqlSpec = { file: 'health_sizes', params: { pattern: (c) => c.tenantPattern, top: (c) => Math.min(c.t.topN, 100) } };

/**
 * The database, its largest tables and the largest tenants (sum of their tables), in one query: the lists are
 * measured exactly, the all-tenants total is estimated from the catalog (relpages) so no check stats every file.
 */
export const sizes: CheckDef = {
  id: 'sizes', title: 'Sizes', heavy: true, sql: [SQL],
  docs: 'the database, largest tables, largest tenants (measured exactly); the all-tenants total estimated from catalog statistics; informational',
  thresholds: { topN: TOP_N },
  history: { 'size.database': 'databaseBytes' },
  async run(ctx) {
    const rows = await ctx.rows<Row>(SQL);
    const db = rows.find((r) => r.kind === 'database');
    const findings: Finding[] = rows
      .filter((r) => r.kind !== 'database')
      .map((r) => ({
        severity: 'info',
        object: r.kind === 'tenant' ? r.schema : qualified(r.schema, r.name),
        ...tenantField(r.tenant),
        message: r.kind === 'tenant' ? `Tenant total ${formatBytes(r.bytes)} over ${r.tenant_count} tables.` : `Table with indexes and TOAST: ${formatBytes(r.bytes)}.`,
        data: { kind: r.kind, bytes: r.bytes, ...(r.kind === 'tenant' ? { tables: r.tenant_count } : {}) },
      }));
    const bytes = db?.bytes ?? 0;
    return {
      status: 'pass',
      summary: `${db?.schema ?? 'Database'}: ${formatBytes(bytes)}; ${db?.tenant_count ?? 0} tenants hold ${db?.estimated ? 'about ' : ''}${formatBytes(db?.tenant_bytes ?? 0)}${db?.estimated ? ' (from catalog statistics, as of the last VACUUM or ANALYZE; the largest tables and tenants are measured exactly)' : ''}.`,
      value: bytes,
      findings,
      metrics: { databaseBytes: bytes, tenants: db?.tenant_count ?? 0, tenantBytes: db?.tenant_bytes ?? 0 },
    };
  },
};
