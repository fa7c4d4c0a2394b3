import type { Finding } from '../../../../shared/domain/health';
import { formatBytes } from '../../../../shared/format';
import type { CheckDef, SqlSpec } from '../types';
import { bytes, count, pct, qualified, ratio, statusOf, tenantField, TOP_N } from '../types';

const MB = 1024 * 1024;

// Unused indexes can number in the thousands on a schema-per-tenant database: list at most this many.
const MAX_LISTED = 1000;

interface UnusedRow { schema: string; name: string; table_name: string; tenant: string | null; index_bytes: number; unused_count: number; unused_bytes: number; stats_reset: Date | null }

const UNUSED_SQL: SqlSpec = { file: 'health_unused_indexes', params: { pattern: (c) => c.tenantPattern, top: () => MAX_LISTED } };

export const unusedIndexes: CheckDef = {
  id: 'unused_indexes', title: 'Unused indexes', heavy: true, sql: [UNUSED_SQL],
  docs: 'never scanned since reset, not unique / primary / constraint-backing, by size',
  thresholds: { unusedIndexMinBytes: bytes(1 * MB, 'Never-scanned indexes at least this large warn; smaller ones are listed as info.') },
  async run(ctx) {
    const rows = await ctx.rows<UnusedRow>(UNUSED_SQL);
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

interface DropRow { schema: string; name: string; tenant: string | null; index_bytes: number }

/**
 * A check listing indexes that should go (duplicate, invalid): each a warning with its DROP INDEX
 * CONCURRENTLY, the value how many there are.
 */
function toDropCheck<R extends DropRow>(def: Pick<CheckDef, 'id' | 'title' | 'docs'> & { query: SqlSpec; say(r: R): { message: string; data: Record<string, unknown> }; summary(rows: R[]): string }): CheckDef {
  return {
    id: def.id, title: def.title, heavy: true, sql: [def.query],
    docs: def.docs,
    thresholds: {},
    async run(ctx) {
      const rows = await ctx.rows<R>(def.query);
      const findings: Finding[] = rows.map((r) => {
        const { message, data } = def.say(r);
        return { severity: 'warn', object: qualified(r.schema, r.name), ...tenantField(r.tenant), message, data: { ...data, fixSql: `DROP INDEX CONCURRENTLY ${qualified(r.schema, r.name)};` } };
      });
      return { status: statusOf(findings), summary: def.summary(rows), value: rows.length, findings };
    },
  };
}

interface DupRow extends DropRow { table_name: string; covered_by: string; kind: 'identical' | 'prefix'; definition: string; covered_by_definition: string }

export const duplicateIndexes = toDropCheck<DupRow>({
  id: 'duplicate_indexes', title: 'Duplicate indexes',
  docs: 'identical to, or a leading-column prefix of, another valid index (same method, opclasses, expressions, predicate); any is a warning',
  query: { file: 'health_duplicate_indexes', params: { pattern: (c) => c.tenantPattern } },
  say: (r) => ({
    message: r.kind === 'identical' ? `Identical to ${qualified(r.schema, r.covered_by)}.` : `A leading-column prefix of ${qualified(r.schema, r.covered_by)}, which serves the same lookups.`,
    data: { bytes: r.index_bytes, kind: r.kind, coveredBy: qualified(r.schema, r.covered_by), definition: r.definition, coveredByDefinition: r.covered_by_definition },
  }),
  summary: (rows) => (rows.length === 0 ? 'No redundant indexes.' : `${rows.length} redundant indexes (${formatBytes(rows.reduce((a, r) => a + r.index_bytes, 0))}).`),
});

interface InvalidRow extends DropRow { table_name: string; definition: string }

export const invalidIndexes = toDropCheck<InvalidRow>({
  id: 'invalid_indexes', title: 'Invalid indexes',
  docs: 'left INVALID by a failed concurrent build (builds in progress are skipped); any is a warning',
  query: { file: 'health_invalid_indexes', params: { pattern: (c) => c.tenantPattern } },
  say: (r) => ({
    message: `INVALID (a failed concurrent build?) on ${r.table_name}: costs writes, serves no reads. Drop it and build it again.`,
    data: { bytes: r.index_bytes, table: r.table_name, definition: r.definition },
  }),
  summary: (rows) => (rows.length === 0 ? 'No invalid indexes.' : `${rows.length} invalid indexes.`),
});

interface SeqRow { schema: string; name: string; tenant: string | null; table_bytes: number; seq_scan: number; idx_scan: number; seq_tup_read: number; seq_ratio: number }

const SEQ_SCAN_SQL: SqlSpec = {
  file: 'health_seq_scan_heavy',
  params: { pattern: (c) => c.tenantPattern, min_bytes: (c) => c.t.seqScanMinBytes, min_share: (c) => c.t.seqScanRatio, min_scans: (c) => c.t.seqScanMinScans, top: (c) => c.t.topN },
};

export const seqScanHeavy: CheckDef = {
  id: 'seq_scan_heavy', title: 'Sequential-scan-heavy tables', heavy: true, sql: [SEQ_SCAN_SQL],
  docs: 'tables of at least `seqScanMinBytes` with at least `seqScanMinScans` sequential scans that are at least `seqScanRatio` of their scans',
  thresholds: {
    topN: TOP_N, seqScanMinBytes: bytes(10 * MB, 'Only tables at least this large count as seq-scan heavy.'),
    seqScanRatio: ratio(0.5, 'Share of scans that are sequential above which a large table is flagged.'), seqScanMinScans: count(100, 'A table needs at least this many sequential scans to be flagged.'),
  },
  async run(ctx) {
    const rows = await ctx.rows<SeqRow>(SEQ_SCAN_SQL);
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
