import type { Finding } from '../../../../shared/domain/health';
import type { CheckContext, CheckDef, SqlSpec } from '../types';
import { above, count, days, pct, qualified, ratio, statusOf, tenantField, TOP_N } from '../types';

// Sequences below half their range are not worth listing.
const SEQUENCE_LIST_FROM = 0.5;
const XID_LIMIT = 2 ** 31;

interface SeqRow { schema: string; name: string; tenant: string | null; seq_type: string; last_value: number; usable_max: number; used_ratio: number; table_schema: string | null; table_name: string | null; column_name: string | null; column_type: string | null }

// As shown ("Show SQL") and exported (pgwatch): every sequence in one statement. The check itself reads ranges.
const SEQUENCE_SQL: SqlSpec = {
  file: 'health_sequence_overflow',
  params: { pattern: (c) => c.tenantPattern, min_share: (c) => Math.min(SEQUENCE_LIST_FROM, c.t.sequenceWarn), top: (c) => c.t.topN, first: () => 0, last: () => 4294967295 },
};
/**
 * Sequences read per statement. Reading one locks it until the transaction ends, so all 80,000 of 10,000
 * tenants in one statement overflow a stock lock table (64 x 100): OID ranges, each its own transaction.
 */
const SEQUENCE_BATCH = 2000;
const RANGES_SQL: SqlSpec = { file: 'health_sequence_batches_probe', params: { batch: () => SEQUENCE_BATCH } };

/** Every OID range read (side by side, as many at once as the pool has sessions), merged into one top N. */
async function readSequences(ctx: CheckContext): Promise<SeqRow[]> {
  const ranges = await ctx.rows<{ first: number; last: number }>(RANGES_SQL);
  const parts = await Promise.all(
    ranges.map((r) => ctx.rows<SeqRow>({ ...SEQUENCE_SQL, params: { ...SEQUENCE_SQL.params, first: () => r.first, last: () => r.last } })),
  );
  return parts
    .flat()
    .sort((a, b) => b.used_ratio - a.used_ratio || a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name))
    .slice(0, ctx.t.topN);
}

export const sequenceOverflow: CheckDef = {
  id: 'sequence_overflow', title: 'Sequence overflow', heavy: true, sql: [RANGES_SQL, SEQUENCE_SQL],
  docs: "used share of each sequence against the smaller of its own and its column's maximum",
  thresholds: {
    topN: TOP_N, sequenceWarn: ratio(0.75, "Share of the usable range (the smaller of the sequence's and its column's maximum) above which this warns."),
    sequenceFail: ratio(0.9, 'Share of the usable range above which this fails.'),
  },
  async run(ctx) {
    const rows = await readSequences(ctx);
    const findings: Finding[] = rows.map((r) => {
      const column = r.column_name ? `${qualified(r.table_schema, r.table_name)}.${r.column_name}` : undefined;
      const narrower = r.column_type && r.column_type !== r.seq_type;
      return {
        severity: above(r.used_ratio, ctx.t.sequenceWarn, ctx.t.sequenceFail),
        object: qualified(r.schema, r.name),
        ...tenantField(r.tenant),
        message: `${pct(r.used_ratio)} of its range used (${r.last_value} of ${r.usable_max})${column ? `; feeds ${column} (${r.column_type}${narrower ? `, narrower than the ${r.seq_type} sequence` : ''})` : ''}.`,
        data: { lastValue: r.last_value, usableMax: r.usable_max, usedRatio: r.used_ratio, sequenceType: r.seq_type, ...(column ? { column, columnType: r.column_type } : {}) },
      };
    });
    const top = rows[0]?.used_ratio ?? 0;
    return {
      status: statusOf(findings),
      summary: rows.length === 0 ? `Every sequence is below ${pct(SEQUENCE_LIST_FROM, 0)} of its usable range.` : `Highest: ${qualified(rows[0]!.schema, rows[0]!.name)} at ${pct(top)}; ${findings.filter((f) => f.severity !== 'info').length} above ${pct(ctx.t.sequenceWarn, 0)}.`,
      value: top,
      findings,
    };
  },
};

interface XidRow { kind: 'database' | 'table'; schema: string; name: string | null; tenant: string | null; xid_age: number; mxid_age: number; freeze_max_age: number }

const XID_SQL: SqlSpec = { file: 'health_xid_wraparound', params: { pattern: (c) => c.tenantPattern, top: (c) => Math.min(c.t.topN, 20) } };

export const xidWraparound: CheckDef = {
  id: 'xid_wraparound', title: 'Transaction ID wraparound', heavy: false, critical: true, sql: [XID_SQL],
  docs: 'XID age of every database and the oldest tables against 2^31',
  thresholds: {
    topN: TOP_N, xidWarn: ratio(0.5, 'Transaction ID age as a share of the 2^31 wraparound limit above which this warns.'),
    xidFail: ratio(0.75, 'Transaction ID age share above which this fails.'),
  },
  history: { 'xid.headroom': 'headroom', 'xid.maxAge': 'maxAge' },
  async run(ctx) {
    const rows = await ctx.rows<XidRow>(XID_SQL);
    const findings: Finding[] = rows.map((r) => {
      const share = Math.max(r.xid_age, r.mxid_age) / XID_LIMIT;
      const sev = above(share, ctx.t.xidWarn, ctx.t.xidFail);
      return {
        severity: sev,
        object: r.kind === 'database' ? r.schema : qualified(r.schema, r.name),
        ...tenantField(r.tenant),
        message: `${r.kind === 'database' ? 'Database' : 'Table'} XID age ${r.xid_age.toLocaleString('en-US')} (${pct(share, 2)} of the wraparound limit; anti-wraparound vacuum from ${r.freeze_max_age.toLocaleString('en-US')}).`,
        data: { kind: r.kind, xidAge: r.xid_age, mxidAge: r.mxid_age, share, headroom: XID_LIMIT - r.xid_age, freezeMaxAge: r.freeze_max_age },
      };
    });
    const maxAge = rows.filter((r) => r.kind === 'database').reduce((m, r) => Math.max(m, r.xid_age), 0);
    const share = maxAge / XID_LIMIT;
    return {
      status: statusOf(findings),
      summary: `Oldest database XID age ${maxAge.toLocaleString('en-US')} (${pct(share, 2)} of the limit; headroom ${(XID_LIMIT - maxAge).toLocaleString('en-US')} transactions).`,
      value: share,
      findings,
      metrics: { maxAge, headroom: XID_LIMIT - maxAge },
    };
  },
};

interface VacRow { schema: string; name: string; tenant: string | null; n_live_tup: number; n_dead_tup: number; n_mod_since_analyze: number; dead_ratio: number | null; last_vacuum: Date | null; last_analyze: Date | null; autovacuum_disabled: boolean }

const VACUUM_SQL: SqlSpec = {
  file: 'health_autovacuum',
  params: { pattern: (c) => c.tenantPattern, min_dead: (c) => c.t.deadMinTuples, stale_days: (c) => c.t.staleDays, top: (c) => c.t.topN },
};

export const autovacuum: CheckDef = {
  id: 'autovacuum', title: 'Autovacuum', heavy: true, sql: [VACUUM_SQL],
  docs: 'dead tuples, autovacuum switched off, stale vacuum/analyze',
  thresholds: {
    topN: TOP_N, deadRatioWarn: ratio(0.2, 'Dead tuples as a share of all tuples above which a table warns.'),
    deadRatioFail: ratio(0.5, 'Dead tuple share above which a table is critical.'), deadMinTuples: count(1_000, 'Tables with fewer dead tuples (or changes since analyze) than this are ignored.'),
    staleDays: days(7, 'A changed table not vacuumed or analyzed for this many days is stale.'),
  },
  async run(ctx) {
    const rows = await ctx.rows<VacRow>(VACUUM_SQL);
    const staleBefore = Date.now() - ctx.t.staleDays * 86_400_000;
    const findings: Finding[] = rows.map((r) => {
      const ratio = r.dead_ratio ?? 0;
      const problems: string[] = [];
      let severity = r.n_dead_tup >= ctx.t.deadMinTuples ? above(ratio, ctx.t.deadRatioWarn, ctx.t.deadRatioFail) : 'info';
      if (r.n_dead_tup >= ctx.t.deadMinTuples) problems.push(`${r.n_dead_tup.toLocaleString('en-US')} dead tuples (${pct(ratio, 0)})`);
      if (r.autovacuum_disabled) {
        problems.push('autovacuum is switched off for this table');
        if (severity === 'info') severity = 'warn';
      }
      const stale = r.n_mod_since_analyze >= ctx.t.deadMinTuples && (!r.last_analyze || r.last_analyze.getTime() < staleBefore);
      if (stale) {
        problems.push(`${r.n_mod_since_analyze.toLocaleString('en-US')} changes since ${r.last_analyze ? `the last analyze (${r.last_analyze.toISOString()})` : 'it was ever analyzed'}`);
        if (severity === 'info') severity = 'warn';
      }
      return {
        severity,
        object: qualified(r.schema, r.name),
        ...tenantField(r.tenant),
        message: `${problems.join('; ') || 'dead tuples below the thresholds'}; last vacuum ${r.last_vacuum ? r.last_vacuum.toISOString() : 'never'}.`,
        data: { liveTuples: r.n_live_tup, deadTuples: r.n_dead_tup, deadRatio: ratio, modSinceAnalyze: r.n_mod_since_analyze, lastVacuum: r.last_vacuum?.toISOString() ?? null, lastAnalyze: r.last_analyze?.toISOString() ?? null, autovacuumDisabled: r.autovacuum_disabled, fixSql: `VACUUM (ANALYZE) ${qualified(r.schema, r.name)};` },
      };
    });
    return {
      status: statusOf(findings),
      summary: rows.length === 0 ? 'No table needs vacuum or analyze attention.' : `${findings.filter((f) => f.severity !== 'info').length} tables need vacuum or analyze attention (${rows.filter((r) => r.autovacuum_disabled).length} with autovacuum off).`,
      value: rows.reduce((a, r) => a + r.n_dead_tup, 0),
      findings,
    };
  },
};
