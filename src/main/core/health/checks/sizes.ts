import type { Finding } from '../../../../shared/domain/health';
import { formatBytes } from '../../../../shared/format';
import type { CheckDef } from '../types';
import { qualified, tenantField } from '../types';

interface Row { kind: 'database' | 'table' | 'tenant'; schema: string; name: string | null; tenant: string | null; bytes: number; tenant_count: number | null; tenant_bytes: number | null }

/** The database, its largest tables and the largest tenants (sum of their tables), in one query. */
export const sizes: CheckDef = {
  id: 'sizes',
  title: 'Sizes',
  heavy: true,
  sql: ['health_sizes'],
  async run(ctx) {
    const rows = await ctx.rows<Row>('health_sizes', [ctx.tenantPattern, Math.min(ctx.t.topN, 100)]);
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
      summary: `${db?.schema ?? 'Database'}: ${formatBytes(bytes)}; ${db?.tenant_count ?? 0} tenants hold ${formatBytes(db?.tenant_bytes ?? 0)}.`,
      value: bytes,
      findings,
      metrics: { databaseBytes: bytes, tenants: db?.tenant_count ?? 0, tenantBytes: db?.tenant_bytes ?? 0 },
    };
  },
};
