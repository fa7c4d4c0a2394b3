import type { CheckId, CheckResult, CheckStatus, Finding, Severity, Thresholds } from '../../../shared/domain/health';
import type { Database } from '../db/database';

export interface CheckContext {
  db: Database;
  tenantPattern: string;
  t: Thresholds;
  /** Rank the console's own statements in slow_queries too (default: left out). */
  includeOwnQueries?: boolean;
  signal?: AbortSignal;
  /** The previous result of this check for the same connection (for per-interval deltas). */
  previous?: CheckResult;
  /** Run resources/sql/<name>.sql read-only under this check's statement_timeout. */
  rows<R>(name: string, params?: unknown[]): Promise<R[]>;
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

export interface CheckDef {
  id: CheckId;
  title: string;
  /** Heavy checks (catalog-wide size work) run less often in the sampler. */
  heavy: boolean;
  /** A failure here makes the whole database unhealthy (not merely degraded). */
  critical?: boolean;
  /** The SQL resources it runs, for "Show SQL". */
  sql: string[];
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
