import type { TenantStats, VerifyResult, Violation } from '../../../shared/domain/tenants';
import { DEFAULT_TENANT_PATTERN, SEVERITY_RANK } from '../../../shared/vocabulary';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { isConnectionLost, OpsError } from '../util/errors';
import { fixLockOf } from './fix';
import { CHECK_IDS, CHECKS, checkOfKind, DEFAULT_TENANT_KEY_COLUMNS, type CheckOptions, type CheckSpec, type TenantScope } from './checks';

export interface VerifyTenantsOptions {
  /** LIKE pattern for tenant schemas (default DEFAULT_TENANT_PATTERN); ignored when `tenants` is given. */
  pattern?: string;
  /** An explicit list of tenant schemas instead of the pattern. */
  tenants?: string[];
  /** Reference schema; without it the reference is the majority shape of the tenants. */
  template?: string;
  /** Roles allowed to hold privileges in many tenants (besides owners and superusers). */
  platformRoles?: string[];
  /** Column names that make a shared table tenant-keyed. */
  tenantKeyColumns?: string[];
  signal?: AbortSignal;
  /** Called after each check, for task progress. */
  onProgress?: (done: number, total: number) => void;
  /** Per-query statement_timeout. Default 60 s. */
  timeoutMs?: number;
}

interface ViolationRow {
  tenant: string | null;
  kind: Violation['kind'];
  object: string | null;
  detail: string;
  severity: Violation['severity'];
  fix_sql: string | null;
}

interface StatsRow {
  tenant: string;
  owner: string;
  size_bytes: number;
  estimated_rows: number;
  tables: number;
}

const MAX_FUNCTION_ROWS = 50;

/**
 * Tenant isolation and drift across every tenant schema: the tenant list, then each check as one query
 * over all tenants (in parallel over the monitor pool), then the application's own isolation function
 * when the database has one. Read-only throughout.
 */
export async function verifyTenants(db: Database, opts: VerifyTenantsOptions = {}): Promise<VerifyResult> {
  const started = performance.now();
  const scope: TenantScope = {
    pattern: opts.pattern ?? DEFAULT_TENANT_PATTERN,
    tenants: opts.tenants && opts.tenants.length > 0 ? [...new Set(opts.tenants)] : null,
    template: opts.template ?? null,
  };
  const checkOpts: CheckOptions = {
    platformRoles: opts.platformRoles ?? [],
    tenantKeyColumns: opts.tenantKeyColumns && opts.tenantKeyColumns.length > 0 ? opts.tenantKeyColumns : DEFAULT_TENANT_KEY_COLUMNS,
  };
  const q = { timeoutMs: opts.timeoutMs ?? 60_000, ...(opts.signal ? { signal: opts.signal } : {}) };
  const notes: string[] = [];
  const total = CHECKS.length + 2;
  let done = 0;
  const step = () => opts.onProgress?.(++done, total);

  if (scope.template) {
    const t = await db.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [scope.template], q);
    if (t.rowCount === 0) throw new OpsError('no_such_template', `The template schema "${scope.template}" does not exist.`, 'Check the template name, or leave it empty to compare against the majority shape.');
  }
  const checks: VerifyResult['checks'] = [];
  const violations: Violation[] = [];
  const runCheck = async (check: CheckSpec) => {
    const t0 = performance.now();
    try {
      const { rows } = await db.query<ViolationRow>(loadSql(check.file), check.params(scope, checkOpts), q);
      const durationMs = round(performance.now() - t0);
      for (const id of check.ids) checks.push({ id, durationMs, violations: rows.filter((r) => checkOfKind(check, r.kind) === id).length });
      for (const r of rows) violations.push(toViolation(r));
    } catch (err) {
      // One query over its statement_timeout leaves the others' answers standing: a partial result that
      // says what is missing, not an error that throws away everything the fleet's catalog already told.
      if (opts.signal?.aborted || !isStatementTimeout(err)) throw err;
      const durationMs = round(performance.now() - t0);
      for (const id of check.ids) checks.push({ id, durationMs, violations: 0, timedOut: true });
      const which = check.ids.length === 1 ? `the ${check.ids[0]} check` : `the ${listOf(check.ids)} checks (one query)`;
      notes.push(`Partial result: ${which} timed out after ${Math.round(q.timeoutMs / 1000)} s (statement_timeout), so ${check.ids.length === 1 ? 'its' : 'their'} violations are not listed. Run it again when the server is less busy, or raise the timeout.`);
    }
    step();
  };
  // Two lanes, none needing another's answer: the heavy query (tenants_shape) on a session of its own, and
  // the tenant list, the other checks and the isolation function one after another on a second. The heavy
  // one is the critical path, and with all of them side by side it shared the server's cores with the
  // rest (10,000 tenants, 2 cores: 3.5-4.0 s against 3.9-5.1 s). The pool's third session stays free for
  // whatever else runs meanwhile (a health run's cheap checks).
  // Once either lane has failed, the verification has: the other sends nothing more.
  let failed = false;
  const lane = <T>(work: Promise<T>) =>
    work.catch((err: unknown) => {
      failed = true;
      throw err;
    });
  const light = async () => {
    const stats = await db.query<StatsRow>(loadSql('tenants_list'), [scope.pattern, scope.tenants, scope.template], q);
    step();
    for (const check of CHECKS.filter((c) => !c.heavy)) if (!failed) await runCheck(check);
    const isolation = failed ? null : await runIsolationFunction(db, q, notes);
    step();
    return { stats, isolation };
  };
  const [{ stats, isolation: isolationFunction }] = await Promise.all([lane(light()), ...CHECKS.filter((c) => c.heavy).map((c) => lane(runCheck(c)))]);
  if (scope.tenants) {
    const found = new Set(stats.rows.map((r) => r.tenant));
    const absent = scope.tenants.filter((t) => !found.has(t) && t !== scope.template);
    if (absent.length) notes.push(`Not found (no such schema): ${absent.slice(0, 20).map((t) => JSON.stringify(t)).join(', ')}${absent.length > 20 ? ` and ${absent.length - 20} more` : ''}.`);
  }
  if (stats.rows.length === 0) notes.push(scope.tenants ? 'None of the listed tenant schemas exists.' : `No schema matches the tenant pattern ${JSON.stringify(scope.pattern)}.`);

  violations.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.tenant ?? '').localeCompare(b.tenant ?? '') ||
      a.kind.localeCompare(b.kind) ||
      (a.object ?? '').localeCompare(b.object ?? ''),
  );
  checks.sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
  return {
    tenants: stats.rows.length,
    reference: scope.template ? { mode: 'template', template: scope.template } : { mode: 'majority' },
    durationMs: round(performance.now() - started),
    violations,
    checks,
    notes,
    isolationFunction,
    tenantStats: stats.rows.map(toStats),
    pattern: scope.pattern,
    verifiedAt: new Date().toISOString(),
  };
}

/** "a, b and c" */
function listOf(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** SQLSTATE 57014 (query_canceled) without a cancel of ours: the statement_timeout ended it. */
function isStatementTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57014';
}

function toViolation(r: ViolationRow): Violation {
  return {
    tenant: r.tenant,
    kind: r.kind,
    ...(r.object !== null ? { object: r.object } : {}),
    detail: r.detail,
    severity: r.severity,
    ...(r.fix_sql ? { fixSql: r.fix_sql, fixLock: fixLockOf(r.fix_sql) } : {}),
  };
}

function toStats(r: StatsRow): TenantStats {
  return { name: r.tenant, owner: r.owner, sizeBytes: r.size_bytes, estimatedRows: r.estimated_rows, tables: r.tables };
}

/**
 * The application's own check (verify_tenant_isolation()), when the database defines one: its rows are
 * reported as they come. A boolean result (or a row with a boolean `ok`/`passed`/`isolated` column) says
 * pass or fail; anything else is shown for reading. Its absence is a note, not an error.
 */
async function runIsolationFunction(db: Database, q: { timeoutMs: number; signal?: AbortSignal }, notes: string[]): Promise<VerifyResult['isolationFunction']> {
  const found = await db.query<{ qualified: string }>(loadSql('tenants_isolation_function'), [], q);
  const name = found.rows[0]?.qualified;
  if (!name) {
    notes.push('The database defines no verify_tenant_isolation() function; only the catalog checks ran.');
    return null;
  }
  try {
    // `name` is quote_ident()ed by the query above; the session is read-only, so the function cannot write.
    const r = await db.query<Record<string, unknown>>(`SELECT * FROM ${name}() LIMIT ${MAX_FUNCTION_ROWS + 1}`, [], { ...q, timeoutMs: Math.min(q.timeoutMs, 30_000) });
    const rows = r.rows.slice(0, MAX_FUNCTION_ROWS).map(jsonSafe);
    if (r.rows.length > MAX_FUNCTION_ROWS) notes.push(`${name}() returned more than ${MAX_FUNCTION_ROWS} rows; the first ${MAX_FUNCTION_ROWS} are shown.`);
    return { name, ok: verdict(r.rows), rows };
  } catch (err) {
    // The function's own failure is a finding to read; a lost session fails the verification.
    if (q.signal?.aborted || isConnectionLost(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    notes.push(`${name}() failed: ${message}`);
    return { name, ok: null, rows: [], error: message };
  }
}

function verdict(rows: Record<string, unknown>[]): boolean | null {
  const flags = rows.map((row) => {
    const values = Object.entries(row);
    if (values.length === 1 && typeof values[0]![1] === 'boolean') return values[0]![1];
    for (const key of ['ok', 'passed', 'pass', 'isolated', 'is_isolated']) if (typeof row[key] === 'boolean') return row[key];
    return null;
  });
  if (flags.length === 0 || flags.some((f) => f === null)) return null;
  return flags.every(Boolean);
}

function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
