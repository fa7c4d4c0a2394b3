import { join } from 'node:path';
import { formatBytes } from '../../../shared/format';

import { CHECK_IDS, HealthReport, type CheckId, type CheckResult, type Finding, type HealthSummary, type Thresholds } from '../../../shared/domain/health';
import { SEVERITY_RANK } from '../../../shared/vocabulary';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { readJson, writeJsonAtomic } from '../store/files';
import type { TaskManager } from '../tasks/tasks';
import { OpsError } from '../util/errors';
import type { Logger } from '../util/log';
import { HistoryStore, sampleOf } from './history';
import { CHECKS, checkDef, checkSql, lostSession, overallStatus, runHealth } from './registry';
import { DEFAULT_THRESHOLDS, safeId, THRESHOLD_DOCS, THRESHOLD_UNITS, ThresholdStore } from './thresholds';

export interface HealthDeps {
  home: string;
  tasks: TaskManager;
  log: Logger;
  database(id?: string): Promise<{ db: Database; profile: { id: string; tenantPattern: string; database: string } }>;
  /** The connection a call is about: the given one, or the active one (without connecting). */
  connectionId(id?: string): Promise<string>;
  /** The connection the sampler should watch now, or null (none configured, demo still starting…). */
  sampleTarget(): Promise<string | null>;
  /** Every connection the sampler watches (serve --headless: all of them); default: sampleTarget's one. */
  sampleTargets?(): Promise<string[]>;
  onUpdated(e: { connectionId: string; status: HealthReport['status']; checkedAt: string }): void;
  /** The clock for results, history and the sampler's ages (tests inject one instead of sleeping). */
  now?: () => Date;
}

const CHEAP_IDS: CheckId[] = CHECKS.filter((c) => !c.heavy).map((c) => c.id);

/** A number to sort findings "by value": the figure that matters most for each kind of finding. */
function findingValue(f: Finding): number {
  const d = (f.data ?? {}) as Record<string, unknown>;
  for (const k of ['wastedBytes', 'usedRatio', 'meanMs', 'waitingSec', 'seconds', 'bytes', 'deadTuples', 'xidAge']) {
    if (typeof d[k] === 'number') return d[k];
  }
  return 0;
}

/**
 * Health of every connection the app watches: runs (Run now, sampler, /api/health), the latest merged
 * result per connection (memory + <home>/health/<id>/latest.json), history and thresholds.
 * Cheap checks refresh every sampler tick; heavy ones keep their last result until their own interval.
 */
export class HealthService {
  readonly thresholds: ThresholdStore;
  private readonly latest = new Map<string, HealthReport>();
  private readonly inflight = new Map<string, Promise<HealthReport>>();
  private readonly histories = new Map<string, HistoryStore>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly lastCompact = new Map<string, number>();
  private readonly lastSampleError = new Map<string, string>();

  private readonly now: () => Date;

  constructor(private readonly deps: HealthDeps) {
    this.thresholds = new ThresholdStore(deps.home);
    this.now = deps.now ?? (() => new Date());
  }

  private dir(connectionId: string): string {
    return join(this.deps.home, 'health', safeId(connectionId));
  }

  history(connectionId: string): HistoryStore {
    let h = this.histories.get(connectionId);
    if (!h) this.histories.set(connectionId, (h = new HistoryStore(join(this.dir(connectionId), 'history'))));
    return h;
  }

  /** The latest merged report of a connection (memory, else the file); never touches the database. */
  async latestReport(connectionId: string): Promise<HealthReport | null> {
    const inMemory = this.latest.get(connectionId);
    if (inMemory) return inMemory;
    const stored = await readJson(join(this.dir(connectionId), 'latest.json'), HealthReport.nullable(), null).catch(() => null);
    if (stored) this.latest.set(connectionId, stored);
    return stored;
  }

  /**
   * Run checks against a connection and merge the results into its latest report. `only` limits the run
   * (the sampler's cheap ticks); otherwise every check runs. Concurrent calls for one connection share one run.
   */
  async run(connectionId: string | undefined, opts: { only?: readonly CheckId[]; signal?: AbortSignal; onProgress?: (done: number, total: number, id: CheckId) => void; record?: boolean } = {}): Promise<HealthReport> {
    const { db, profile } = await this.deps.database(connectionId);
    const key = `${profile.id}:${opts.only ? 'cheap' : 'all'}`;
    const running = this.inflight.get(key);
    if (running && !opts.signal) return running;
    const work = (async () => {
      const thresholds = await this.thresholds.get(profile.id);
      const prev = await this.latestReport(profile.id);
      const previous = Object.fromEntries((prev?.checks ?? []).map((c) => [c.id, c])) as Partial<Record<CheckId, CheckResult>>;
      const fresh = await runHealth(db, {
        tenantPattern: profile.tenantPattern,
        thresholds,
        previous,
        databaseName: profile.database,
        now: this.now,
        ...(opts.only ? { only: opts.only } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const merged = this.merge(prev, fresh);
      this.latest.set(profile.id, merged);
      await writeJsonAtomic(join(this.dir(profile.id), 'latest.json'), merged);
      if (opts.record !== false) await this.history(profile.id).append(sampleOf(merged, this.now()));
      this.deps.onUpdated({ connectionId: profile.id, status: merged.status, checkedAt: merged.checkedAt! });
      return merged;
    })();
    this.inflight.set(key, work);
    try {
      return await work;
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Fresh results replace old ones per check; checks not run this time keep their last result. */
  private merge(prev: HealthReport | null, fresh: HealthReport): HealthReport {
    const unreachable = fresh.checks.find((c) => c.id === 'connectivity')?.status === 'fail';
    const byId = new Map<CheckId, CheckResult>((unreachable ? [] : (prev?.checks ?? [])).map((c) => [c.id, c]));
    for (const c of fresh.checks) byId.set(c.id, c);
    // When unreachable, every check not run is skipped too (old results would pretend to be current).
    const checks = CHECK_IDS.map((id) => byId.get(id) ?? { id, title: checkDef(id).title, status: 'skipped' as const, durationMs: 0, summary: unreachable ? 'Skipped: the database is unreachable.' : 'Not run yet.', findings: [] });
    return { ...fresh, status: lostSession(fresh.checks) ? 'unhealthy' : overallStatus(checks), checks };
  }

  /** "Run now": the whole suite as a task with progress per check and cancel. */
  runTask(connectionId?: string): { taskId: string } {
    const { task } = this.deps.tasks.start({ kind: 'health.run', title: 'Health checks', unit: 'checks', eta: false, ...(connectionId ? { connectionId } : {}) }, async (ctx) => {
      const report = await this.run(connectionId, { signal: ctx.signal, onProgress: (done, total, id) => {
        ctx.progress(done, total, 'checks');
        ctx.log(`${id} done`);
      } });
      ctx.log(`Overall: ${report.status} in ${report.durationMs} ms.`);
      return report;
    });
    return { taskId: task.id };
  }

  async summary(connectionId: string): Promise<HealthSummary | null> {
    const r = await this.latestReport(connectionId);
    if (!r) return null;
    return {
      connectionId,
      status: r.status,
      durationMs: r.durationMs,
      checkedAt: r.checkedAt ?? new Date(0).toISOString(),
      database: r.database,
      checks: r.checks.map(({ findings, ...c }) => ({
        ...c,
        findingCount: findings.length,
        bySeverity: { info: findings.filter((f) => f.severity === 'info').length, warn: findings.filter((f) => f.severity === 'warn').length, critical: findings.filter((f) => f.severity === 'critical').length },
        heavy: checkDef(c.id).heavy,
      })),
    };
  }

  /** One page (≤ 100) of a check's findings, sorted by a whitelisted key, filtered by tenant; cursor = offset. */
  async findings(connectionId: string, q: { checkId: CheckId; tenant?: string; sort: 'severity' | 'object' | 'tenant' | 'message' | 'value'; dir: 'asc' | 'desc'; cursor?: string; limit: number }): Promise<{ findings: Finding[]; total: number; nextCursor: string | null }> {
    const r = await this.latestReport(connectionId);
    let list = r?.checks.find((c) => c.id === q.checkId)?.findings ?? [];
    if (q.tenant) {
      const needle = q.tenant.toLowerCase();
      list = list.filter((f) => f.tenant?.toLowerCase().includes(needle));
    }
    const sign = q.dir === 'asc' ? 1 : -1;
    const key: (f: Finding) => string | number = {
      severity: (f: Finding) => SEVERITY_RANK[f.severity] * 1e15 + findingValue(f),
      value: findingValue,
      object: (f: Finding) => f.object ?? '',
      tenant: (f: Finding) => f.tenant ?? '',
      message: (f: Finding) => f.message,
    }[q.sort];
    const sorted = list.map((f, i) => ({ f, i, k: key(f) })).sort((a, b) => (a.k < b.k ? -sign : a.k > b.k ? sign : a.i - b.i));
    const offset = q.cursor ? Number.parseInt(q.cursor, 10) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new OpsError('invalid_input', 'Bad cursor.', 'Start again from the first page.');
    const page = sorted.slice(offset, offset + q.limit).map((x) => x.f);
    const next = offset + page.length;
    return { findings: page, total: sorted.length, nextCursor: next < sorted.length ? String(next) : null };
  }

  /** Exact bloat of one table with pgstattuple, as a task (it reads the whole table; cancel stops it). */
  exactBloatTask(connectionId: string | undefined, object: string): { taskId: string } {
    const m = /^([^.]+)\.([^.]+)$/.exec(object);
    if (!m) throw new OpsError('invalid_input', `"${object}" is not schema.table.`, 'Pick a table from the table bloat findings.');
    const { task } = this.deps.tasks.start({ kind: 'health.exactBloat', title: `Exact bloat of ${object}`, unit: 'steps', ...(connectionId ? { connectionId } : {}) }, async (ctx) => {
      const { db } = await this.deps.database(connectionId);
      const ext = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple'", [], { signal: ctx.signal });
      if (ext.rowCount === 0) throw new OpsError('pgstattuple_missing', 'The pgstattuple extension is not installed in this database.', 'CREATE EXTENSION pgstattuple; (as a superuser), or rely on the estimate.');
      ctx.progress(0, 1, 'steps');
      const { rows } = await db.query<{ table_len: number; tuple_count: number; tuple_len: number; dead_tuple_count: number; dead_tuple_len: number; free_space: number; wasted_ratio: number | null }>(loadSql('health_exact_bloat'), [m[1], m[2]], { timeoutMs: 3_600_000, signal: ctx.signal });
      const r = rows[0]!;
      ctx.log(`${object}: ${formatBytes(r.table_len)}, ${r.tuple_count} live and ${r.dead_tuple_count} dead tuples; dead ${formatBytes(r.dead_tuple_len)} + free ${formatBytes(r.free_space)} = ${((r.wasted_ratio ?? 0) * 100).toFixed(1)}% reclaimable.`);
      ctx.progress(1, 1, 'steps');
      return r;
    });
    return { taskId: task.id };
  }

  // ---- the contract's calls (health.*): about the given connection, or the active one -------------

  async runFor(connectionId?: string): Promise<{ taskId: string }> {
    return this.runTask(await this.deps.connectionId(connectionId));
  }

  async summaryOf(connectionId?: string): Promise<{ summary: HealthSummary | null }> {
    return { summary: await this.summary(await this.deps.connectionId(connectionId)) };
  }

  async findingsOf(q: Parameters<HealthService['findings']>[1] & { connectionId?: string }) {
    return this.findings(await this.deps.connectionId(q.connectionId), q);
  }

  async historyOf(q: { connectionId?: string; hours: number; maxPoints: number }) {
    return { samples: await this.history(await this.deps.connectionId(q.connectionId)).read(q.hours, q.maxPoints) };
  }

  sqlOf(checkId: CheckId) {
    return { checkId, files: checkSql(checkId) };
  }

  async thresholdsOf(connectionId?: string) {
    return { thresholds: await this.thresholds.get(await this.deps.connectionId(connectionId)), defaults: DEFAULT_THRESHOLDS, docs: THRESHOLD_DOCS, units: THRESHOLD_UNITS };
  }

  async saveThresholds(connectionId: string | undefined, thresholds: Partial<Thresholds>) {
    return { thresholds: await this.thresholds.save(await this.deps.connectionId(connectionId), thresholds) };
  }

  async exactBloatFor(connectionId: string | undefined, object: string): Promise<{ taskId: string }> {
    return this.exactBloatTask(await this.deps.connectionId(connectionId), object);
  }

  // ---- sampler ---------------------------------------------------------------------------------

  /** Start sampling: cheap checks every cheapIntervalSec, everything every heavyIntervalSec. */
  start(firstDelayMs = 5_000): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inflight.values()]);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  /** One sampler tick over every watched connection; the last report (the active connection's, usually). */
  async tick(): Promise<HealthReport | null> {
    let interval = 60;
    let last: HealthReport | null = null;
    let ids: string[] = [];
    try {
      ids = this.deps.sampleTargets ? await this.deps.sampleTargets() : [await this.deps.sampleTarget()].filter((id): id is string => id !== null);
    } catch (err) {
      this.sampleFailed('', err);
    }
    // One connection failing (no password, say) does not stop the others.
    for (const id of ids) {
      try {
        const t = await this.thresholds.get(id);
        interval = Math.min(interval, t.cheapIntervalSec);
        last = await this.sampleOne(id, t);
        this.lastSampleError.delete(id);
      } catch (err) {
        this.sampleFailed(id, err);
      }
    }
    this.schedule(interval * 1000);
    return last;
  }

  private sampleFailed(id: string, err: unknown): void {
    const text = String((err as Error).message ?? err);
    // Say it once, not every minute.
    if (text !== this.lastSampleError.get(id)) this.deps.log(`Health sampler${id ? ` (${id})` : ''}: ${text}`);
    this.lastSampleError.set(id, text);
  }

  /** Cheap checks of one connection, or every check when the heavy ones are due. */
  private async sampleOne(id: string, t: Thresholds): Promise<HealthReport> {
    const prev = await this.latestReport(id);
    const heavyAgeMs = Math.min(...(prev?.checks.filter((c) => checkDef(c.id).heavy).map((c) => (c.checkedAt && c.status !== 'skipped' ? this.now().getTime() - Date.parse(c.checkedAt) : Infinity)) ?? [Infinity]));
    const full = !prev || heavyAgeMs >= t.heavyIntervalSec * 1000;
    const report = await this.run(id, full ? {} : { only: CHEAP_IDS });
    const now = this.now().getTime();
    if (now - (this.lastCompact.get(id) ?? 0) > 3_600_000) {
      this.lastCompact.set(id, now);
      await this.history(id).compact(now);
    }
    return report;
  }

  /**
   * For /api/health: the latest result when younger than maxAgeSec, else a fresh run (one at a time,
   * shared by concurrent callers). Null when nothing is configured.
   */
  async probe(maxAgeSec: number): Promise<HealthReport | null> {
    const id = await this.deps.sampleTarget();
    if (!id) return null;
    const latest = await this.latestReport(id);
    const cheapAt = latest?.checks.find((c) => c.id === 'connectivity')?.checkedAt;
    if (latest && cheapAt && this.now().getTime() - Date.parse(cheapAt) < maxAgeSec * 1000) return latest;
    return this.run(id, latest ? { only: CHEAP_IDS } : {});
  }
}

