import type { Finding } from '../../../../shared/domain/health';
import { formatBytes } from '../../../../shared/format';
import type { CheckDef } from '../types';
import { pct, qualified, statusOf, tenantField } from '../types';

// Unused indexes can number in the thousands on a schema-per-tenant database: list at most this many.
const MAX_LISTED = 1000;

interface UnusedRow { schema: string; name: string; table_name: string; tenant: string | null; index_bytes: number; unused_count: number; unused_bytes: number; stats_reset: Date | null }

export const unusedIndexes: CheckDef = {
  id: 'unused_indexes',
  title: 'Unused indexes',
  heavy: true,
  sql: ['health_unused_indexes'],
  async run(ctx) {
    const rows = await ctx.rows<UnusedRow>('health_unused_indexes', [ctx.tenantPattern, MAX_LISTED]);
    const findings: Finding[] = rows.map((r) => ({
      severity: r.index_bytes >= ctx.t.unusedIndexMinBytes ? 'warn' : 'info',
      object: qualified(r.schema, r.name),
      ...tenantField(r.tenant),
      message: `Never scanned${r.stats_reset ? ` since ${r.stats_reset.toISOString()}` : ' since statistics began'}; ${formatBytes(r.index_bytes)} on ${r.table_name}, maintained on every write.`,
      data: { bytes: r.index_bytes, table: r.table_name },
    }));
    const count = rows[0]?.unused_count ?? 0;
    const bytes = rows[0]?.unused_bytes ?? 0;
    return {
      status: statusOf(findings),
      summary: count === 0 ? 'Every droppable index has been scanned.' : `${count} never-scanned indexes (${formatBytes(bytes)}); ${findings.filter((f) => f.severity === 'warn').length} at least ${formatBytes(ctx.t.unusedIndexMinBytes)}.${count > rows.length ? ` The ${rows.length} largest are listed.` : ''}`,
      value: count,
      findings,
      metrics: { count, bytes },
    };
  },
};

interface DupRow { schema: string; name: string; table_name: string; covered_by: string; tenant: string | null; kind: 'identical' | 'prefix'; index_bytes: number; definition: string; covered_by_definition: string }

export const duplicateIndexes: CheckDef = {
  id: 'duplicate_indexes',
  title: 'Duplicate indexes',
  heavy: true,
  sql: ['health_duplicate_indexes'],
  async run(ctx) {
    const rows = await ctx.rows<DupRow>('health_duplicate_indexes', [ctx.tenantPattern]);
    const findings: Finding[] = rows.map((r) => ({
      severity: 'warn',
      object: qualified(r.schema, r.name),
      ...tenantField(r.tenant),
      message: r.kind === 'identical' ? `Identical to ${qualified(r.schema, r.covered_by)}.` : `A leading-column prefix of ${qualified(r.schema, r.covered_by)}, which serves the same lookups.`,
      data: { bytes: r.index_bytes, kind: r.kind, coveredBy: qualified(r.schema, r.covered_by), definition: r.definition, coveredByDefinition: r.covered_by_definition, fixSql: `DROP INDEX CONCURRENTLY ${qualified(r.schema, r.name)};` },
    }));
    return {
      status: statusOf(findings),
      summary: rows.length === 0 ? 'No redundant indexes.' : `${rows.length} redundant indexes (${formatBytes(rows.reduce((a, r) => a + r.index_bytes, 0))}).`,
      value: rows.length,
      findings,
    };
  },
};

interface InvalidRow { schema: string; name: string; table_name: string; tenant: string | null; index_bytes: number; definition: string }

export const invalidIndexes: CheckDef = {
  id: 'invalid_indexes',
  title: 'Invalid indexes',
  heavy: true,
  sql: ['health_invalid_indexes'],
  async run(ctx) {
    const rows = await ctx.rows<InvalidRow>('health_invalid_indexes', [ctx.tenantPattern]);
    const findings: Finding[] = rows.map((r) => ({
      severity: 'warn',
      object: qualified(r.schema, r.name),
      ...tenantField(r.tenant),
      message: `INVALID (a failed concurrent build?) on ${r.table_name}: costs writes, serves no reads. Drop it and build it again.`,
      data: { bytes: r.index_bytes, table: r.table_name, definition: r.definition, fixSql: `DROP INDEX CONCURRENTLY ${qualified(r.schema, r.name)};` },
    }));
    return { status: statusOf(findings), summary: rows.length === 0 ? 'No invalid indexes.' : `${rows.length} invalid indexes.`, value: rows.length, findings };
  },
};

interface SeqRow { schema: string; name: string; tenant: string | null; table_bytes: number; seq_scan: number; idx_scan: number; seq_tup_read: number; seq_ratio: number }

export const seqScanHeavy: CheckDef = {
  id: 'seq_scan_heavy',
  title: 'Sequential-scan-heavy tables',
  heavy: true,
  sql: ['health_seq_scan_heavy'],
  async run(ctx) {
    const rows = await ctx.rows<SeqRow>('health_seq_scan_heavy', [ctx.tenantPattern, ctx.t.seqScanMinBytes, ctx.t.seqScanRatio, ctx.t.seqScanMinScans, ctx.t.topN]);
    const findings: Finding[] = rows.map((r) => ({
      severity: 'warn',
      object: qualified(r.schema, r.name),
      ...tenantField(r.tenant),
      message: `${pct(r.seq_ratio, 0)} of ${r.seq_scan + r.idx_scan} scans are sequential on ${formatBytes(r.table_bytes)} (${r.seq_tup_read} rows read that way).`,
      data: { bytes: r.table_bytes, seqScan: r.seq_scan, idxScan: r.idx_scan, seqTupRead: r.seq_tup_read, seqRatio: r.seq_ratio },
    }));
    return { status: statusOf(findings), summary: rows.length === 0 ? `No table over ${formatBytes(ctx.t.seqScanMinBytes)} is read mostly by sequential scans.` : `${rows.length} large tables read mostly by sequential scans.`, value: rows.length, findings };
  },
};
