import type { CheckId, CheckResult, HealthReport, OverallStatus, Thresholds } from '../../../shared/domain/health';
import { CHECK_IDS } from '../../../shared/domain/health';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { OpsError, toWireError } from '../util/errors';
import * as activity from './checks/activity';
import * as bloat from './checks/bloat';
import * as cache from './checks/cache';
import { connectivity } from './checks/connectivity';
import * as indexes from './checks/indexes';
import * as maintenance from './checks/maintenance';
import * as replication from './checks/replication';
import * as sizes from './checks/sizes';
import * as statements from './checks/statements';
import * as tenantIsolation from './checks/tenant-isolation';
import * as walArchiving from './checks/wal-archiving';
import type { CheckContext, CheckDef, CheckOutcome, SqlSpec } from './types';

/**
 * Every check, keyed by id, collected from the definitions the check modules export (each module's
 * exports are its CheckDefs): adding a check is writing its definition and its id in CHECK_IDS.
 */
const DEFS = ((): Record<CheckId, CheckDef> => {
  const modules = [{ connectivity }, cache, bloat, indexes, statements, activity, maintenance, replication, sizes, tenantIsolation, walArchiving];
  const byId = new Map<string, CheckDef>();
  for (const def of modules.flatMap((m) => Object.values(m) as CheckDef[])) {
    if (typeof def.run !== 'function') throw new Error('A health check module exports something that is not a CheckDef.');
    if (byId.has(def.id)) throw new Error(`Two health checks are called ${def.id}.`);
    byId.set(def.id, def);
  }
  const missing = CHECK_IDS.filter((id) => !byId.has(id));
  const unknown = [...byId.keys()].filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
  if (missing.length || unknown.length) throw new Error(`Health check definitions and CHECK_IDS differ: missing ${missing.join(', ') || 'none'}, unknown ${unknown.join(', ') || 'none'}.`);
  return Object.fromEntries(byId) as Record<CheckId, CheckDef>;
})();

/** The definitions in report order (CHECK_IDS, DESIGN §3). */
export const CHECKS: readonly CheckDef[] = CHECK_IDS.map((id) => DEFS[id]);

/**
 * The order the pool starts the checks in: the longest first (their medians at 10,000 tenants,
 * docs/performance.md), then the rest in report order. Started in report order, tenant isolation (the
 * longest, on two sessions of its own) was the second to last to start and ran on alone at the end: the
 * suite took about as long as the sum of the last few checks instead of the longest one.
 */
const LONGEST_FIRST: readonly CheckId[] = ['tenant_isolation', 'unused_indexes', 'sizes', 'sequence_overflow', 'autovacuum', 'duplicate_indexes', 'index_bloat', 'cache_hit_ratio', 'seq_scan_heavy', 'table_bloat'];

/** Some checks in the order the pool starts them (LONGEST_FIRST). */
function startOrder(defs: readonly CheckDef[]): CheckDef[] {
  const rank = (d: CheckDef) => {
    const i = LONGEST_FIRST.indexOf(d.id);
    return i < 0 ? LONGEST_FIRST.length + CHECK_IDS.indexOf(d.id) : i;
  };
  return [...defs].sort((a, b) => rank(a) - rank(b));
}

export function checkDef(id: CheckId): CheckDef {
  return DEFS[id];
}

/** A query's parameters as its SqlSpec binds them for this run, in $1, $2… order. */
export function bindParams(sql: SqlSpec, ctx: CheckContext): unknown[] {
  return Object.values(sql.params ?? {}).map((get) => get(ctx));
}

/** The SQL files behind a check, for "Show SQL". */
export function checkSql(id: CheckId): { name: string; sql: string }[] {
  return DEFS[id].sql.map(({ file }) => ({ name: `resources/sql/${file}.sql`, sql: loadSql(file) }));
}

export interface RunOptions {
  tenantPattern: string;
  thresholds: Thresholds;
  /** Rank the console's own statements (tagged OWN_QUERY_TAG) in slow_queries too; default false. */
  includeOwnQueries?: boolean;
  /** Run only these (connectivity always runs); the others are left out of the report. */
  only?: readonly CheckId[];
  /** Previous results per check (deltas such as the cache ratio per interval). */
  previous?: Partial<Record<CheckId, CheckResult>>;
  signal?: AbortSignal;
  /** Fallback name when the database cannot be reached. */
  databaseName?: string;
  onProgress?: (done: number, total: number, id: CheckId) => void;
  /** Checks running at once (the monitor pool holds 3 connections). */
  concurrency?: number;
  /** The clock for `checkedAt` (tests inject one instead of sleeping). */
  now?: () => Date;
}

/**
 * Run the suite: connectivity first (if it fails every other check is `skipped`), then the rest a few at a
 * time, the longest first (startOrder). Each check has its own statement_timeout and its own try/catch: one failing check is `error`
 * and never stops the others.
 */
export async function runHealth(db: Database, opts: RunOptions): Promise<HealthReport> {
  const started = performance.now();
  const now = opts.now ?? (() => new Date());
  const wanted = CHECKS.filter((c) => c.id === 'connectivity' || !opts.only || opts.only.includes(c.id));
  const total = wanted.length;
  let done = 0;
  const results = new Map<CheckId, CheckResult>();
  let database = { name: opts.databaseName ?? 'unknown', serverVersion: 'unknown' };

  const runOne = async (def: CheckDef): Promise<CheckResult> => {
    const t0 = performance.now();
    const checkedAt = now().toISOString();
    const ctx: CheckContext = {
      db,
      tenantPattern: opts.tenantPattern,
      t: opts.thresholds,
      ...(opts.includeOwnQueries ? { includeOwnQueries: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.previous?.[def.id] ? { previous: opts.previous[def.id] } : {}),
      rows: async (sql, o = {}) =>
        (await db.query(o.text ?? loadSql(sql.file), bindParams(sql, ctx), { timeoutMs: opts.thresholds.checkTimeoutMs, ...(opts.signal ? { signal: opts.signal } : {}), ...(o.onSession ? { onSession: o.onSession } : {}) })).rows as never,
    };
    let outcome: CheckOutcome;
    try {
      outcome = await def.run(ctx);
    } catch (err) {
      if (opts.signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
      const wire = toWireError(err);
      if (wire.code === 'cancelled' && def.id !== 'connectivity') {
        outcome = timedOut(opts.thresholds.checkTimeoutMs, opts.previous?.[def.id]);
      } else {
        // Unreachable is what connectivity measures: that is a failure, not an error of the check.
        const status = def.id === 'connectivity' ? 'fail' : 'error';
        outcome = { status, summary: wire.message, findings: [{ severity: 'critical', message: wire.hint ? `${wire.message} ${wire.hint}` : wire.message, data: { code: wire.code } }] };
      }
    }
    if (outcome.database) database = outcome.database;
    done += 1;
    opts.onProgress?.(done, total, def.id);
    return {
      id: def.id,
      title: def.title,
      status: outcome.status,
      durationMs: Math.round((performance.now() - t0) * 10) / 10,
      summary: outcome.summary,
      ...(outcome.value !== undefined && Number.isFinite(outcome.value) ? { value: outcome.value } : {}),
      findings: outcome.findings,
      checkedAt,
      ...(outcome.metrics ? { metrics: outcome.metrics } : {}),
    };
  };

  const first = await runOne(connectivity);
  results.set('connectivity', first);
  const rest = wanted.filter((c) => c.id !== 'connectivity');
  if (first.status === 'fail') {
    for (const def of rest) {
      results.set(def.id, { id: def.id, title: def.title, status: 'skipped', durationMs: 0, summary: 'Skipped: the database is unreachable.', findings: [], checkedAt: first.checkedAt! });
    }
  } else {
    // A small worker pool: the monitor pool has 3 connections, so more at once would only queue.
    const queue = startOrder(rest);
    const workers = Array.from({ length: Math.max(1, opts.concurrency ?? 3) }, async () => {
      for (let def = queue.shift(); def; def = queue.shift()) {
        if (opts.signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
        results.set(def.id, await runOne(def));
      }
    });
    await Promise.all(workers);
  }
  const checks = wanted.map((c) => results.get(c.id)!);
  return { status: lostSession(checks) ? 'unhealthy' : overallStatus(checks), durationMs: Math.round(performance.now() - started), database, checks, checkedAt: now().toISOString() };
}

/**
 * A check whose query ran past its statement_timeout (a busy server, a catalog grown past what the timeout
 * allows): a partial result, not an error. It shows the last complete result of the same check, marked
 * with its age, and never passes (what it could not look at may hold a problem). No metrics: the history
 * keeps measured values only.
 */
function timedOut(timeoutMs: number, previous: CheckResult | undefined): CheckOutcome {
  const note = `Timed out after ${timeoutMs} ms (statement_timeout of this check; thresholds.checkTimeoutMs raises it).`;
  const none: CheckOutcome = { status: 'warn', summary: `${note} No earlier result to show.`, findings: [{ severity: 'warn', message: note, data: { code: 'timed_out' } }] };
  if (!previous || previous.status === 'error' || previous.status === 'skipped') return none;
  // A previous partial result carries the time and summary of the complete one it showed: keep those.
  const mark = previous.findings.find((f) => (f.data as { code?: unknown } | undefined)?.code === 'timed_out');
  const shown = mark?.data as { from?: unknown; summary?: unknown } | undefined;
  if (mark && (typeof shown?.from !== 'string' || typeof shown.summary !== 'string')) return none;
  const at = mark ? (shown!.from as string) : (previous.checkedAt ?? 'an earlier run');
  const summary = mark ? (shown!.summary as string) : previous.summary;
  return {
    status: previous.status === 'pass' ? 'warn' : previous.status,
    summary: `${note} Partial: the last complete result, from ${at}: ${summary}`,
    ...(previous.value !== undefined ? { value: previous.value } : {}),
    findings: [{ severity: 'warn', message: `${note} The findings below are from ${at}.`, data: { code: 'timed_out', from: at, summary } }, ...previous.findings.filter((f) => f !== mark)],
  };
}

/**
 * Did a check of this run lose its session (the server ended it)? Then the run is unhealthy whatever the
 * other checks say: the database failed to serve the console. Only the run that saw it says so; a merged
 * report keeps such a check as a plain `error` until it runs again.
 */
export function lostSession(checks: readonly CheckResult[]): boolean {
  return checks.some((c) => c.status === 'error' && c.findings.some((f) => (f.data as { code?: unknown } | undefined)?.code === 'connection_lost'));
}

/**
 * unhealthy: the database cannot serve (unreachable, or a failing critical check: connections exhausted,
 * wraparound near); degraded: any other failure, warning or check error; healthy otherwise.
 */
export function overallStatus(checks: readonly CheckResult[]): OverallStatus {
  if (checks.some((c) => c.status === 'fail' && DEFS[c.id].critical)) return 'unhealthy';
  if (checks.some((c) => c.status === 'fail' || c.status === 'warn' || c.status === 'error')) return 'degraded';
  return 'healthy';
}
