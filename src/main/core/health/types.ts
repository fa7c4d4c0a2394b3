import type { CheckId, CheckResult, CheckStatus, Finding, Severity, ThresholdUnit, Thresholds } from '../../../shared/domain/health';
import type { Database } from '../db/database';

export type ThresholdKey = keyof Thresholds;

/** One threshold: its default, the base unit it is stored in (the editor shows a human one), what it means. */
export interface ThresholdSpec {
  default: number;
  unit: ThresholdUnit;
  doc: string;
}

/** The thresholds a check uses; a threshold two checks share is the same spec object in both. */
export type ThresholdSpecs = Partial<Record<ThresholdKey, ThresholdSpec>>;

/**
 * A query of a check: resources/sql/<file>.sql and how its parameters are bound, in $1, $2… order, named
 * as the file's `-- @param` header names them (a unit test holds the two equal; the header gives psql's
 * defaults for `sql print`, this gives the values a run binds).
 */
export interface SqlSpec {
  file: string;
  params?: Readonly<Record<string, (ctx: CheckContext) => unknown>>;
}

const spec = (unit: ThresholdUnit) => (value: number, doc: string): ThresholdSpec => ({ default: value, unit, doc });
/** Threshold specs by unit: `ratio(0.8, doc)` is `{ default: 0.8, unit: 'ratio', doc }`. */
export const ratio = spec('ratio');
export const bytes = spec('bytes');
export const ms = spec('ms');
export const seconds = spec('s');
export const days = spec('days');
export const count = spec('count');

/** How many rows the ranked checks report: one threshold several checks share. */
export const TOP_N = count(50, 'How many rows the ranked checks (bloat, sizes, slow queries, oldest tables) report.');

export interface CheckContext {
  db: Database;
  tenantPattern: string;
  t: Thresholds;
  /** Rank the console's own statements in slow_queries too (default: left out). */
  includeOwnQueries?: boolean;
  signal?: AbortSignal;
  /** The previous result of this check for the same connection (for per-interval deltas). */
  previous?: CheckResult;
  /**
   * Run a query of this check read-only under its statement_timeout, with its parameters bound as its
   * SqlSpec says; `text` replaces the file's text (slow_queries qualifies the view's schema); `onSession`
   * is called once the query has a session (connectivity times from there).
   */
  rows<R>(sql: SqlSpec, opts?: { text?: string; onSession?: () => void }): Promise<R[]>;
}

export interface CheckOutcome {
  status: CheckStatus;
  summary: string;
  value?: number;
  findings: Finding[];
  metrics?: Record<string, number>;
  /** Only connectivity: what the server is. */
  database?: { name: string; serverVersion: string };
}

/**
 * Everything about one check, in one place (pgwatch-style): the registry, the thresholds' defaults, units
 * and docs, the history sampler and docs/health.md (npm run docs:health) are all derived from these.
 * Every statement of a check runs under the suite's checkTimeoutMs.
 */
export interface CheckDef {
  id: CheckId;
  title: string;
  /** What it reports, for docs/health.md (Markdown, one line). */
  docs: string;
  /** Heavy checks (catalog-wide size work) run every heavyIntervalSec in the sampler, cheap ones every cheapIntervalSec. */
  heavy: boolean;
  /** A failure here makes the whole database unhealthy (not merely degraded). */
  critical?: boolean;
  /** The queries it runs, in order ("Show SQL" shows them). */
  sql: readonly SqlSpec[];
  /** The thresholds it judges by. */
  thresholds: ThresholdSpecs;
  /**
   * Figures it adds to the history (charts): history key → the key in this check's metrics. A key ending in
   * `*` maps every metric with that prefix (`'conn.*': 'state.*'`: state.active → conn.active).
   */
  history?: Readonly<Record<string, string>>;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** Worst of several statuses, in the order pass < warn < fail. */
export function worst(...statuses: ('pass' | 'warn' | 'fail')[]): 'pass' | 'warn' | 'fail' {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warn')) return 'warn';
  return 'pass';
}

/** Status from findings' severities: any critical fails, any warn warns. */
export function statusOf(findings: Finding[]): 'pass' | 'warn' | 'fail' {
  if (findings.some((f) => f.severity === 'critical')) return 'fail';
  if (findings.some((f) => f.severity === 'warn')) return 'warn';
  return 'pass';
}

/** Severity for a value against warn/fail thresholds (higher is worse). */
export function above(value: number, warn: number, fail: number): Severity {
  if (value >= fail) return 'critical';
  if (value >= warn) return 'warn';
  return 'info';
}

export function qualified(schema: string | null | undefined, name: string | null | undefined): string {
  return schema && name ? `${schema}.${name}` : (name ?? schema ?? '');
}

/** `tenant` only when the object lives in a tenant schema (the SQL decides with the pattern). */
export function tenantField(tenant: string | null | undefined): { tenant?: string } {
  return tenant ? { tenant } : {};
}


export function pct(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}
