import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { TaskKind, TaskResults, type Task, type TaskResult, type TaskWithResult } from '../../../shared/domain/tasks';
import { OpsError, toWireError } from '../util/errors';
import { redact } from '../util/redact';

export interface TaskContext {
  signal: AbortSignal;
  /** Report progress; events are coalesced to at most ~10 a second per task. */
  progress(done: number, total?: number, unit?: string): void;
  log(message: string): void;
}

export interface StartOptions<K extends TaskKind = TaskKind> {
  kind: K;
  title: string;
  connectionId?: string;
  unit?: string;
  cancellable?: boolean;
  /**
   * Whether an ETA is extrapolated from the steps done (default true). Off for work whose steps differ
   * by orders of magnitude (health checks, verification checks: 2 ms beside 8 s), where the average
   * step said "ETA 0s" for a run that had ten seconds to go.
   */
  eta?: boolean;
}

const MAX_LOG_LINES = 200;
const MIN_EVENT_INTERVAL_MS = 100;
const KEEP_FINISHED = 50;
/** Results of finished tasks kept, in bytes of JSON; the oldest go first (the newest one always stays). */
const MAX_RESULT_BYTES = 32 * 1024 * 1024;

interface Entry {
  task: Task;
  result?: { value: unknown; bytes: number };
  controller: AbortController;
  startedMs: number;
  lastEmitMs: number;
  pending?: NodeJS.Timeout;
}

/**
 * Long work runs as a task: an id at once, progress as events, cancel through an AbortController.
 * A cancelled or failed task never reports success.
 */
export class TaskManager extends EventEmitter<{ updated: [Task] }> {
  // In start order (a Map keeps insertion order): the last match is the newest task.
  private readonly entries = new Map<string, Entry>();
  private readonly keepFinished: number;
  private readonly maxResultBytes: number;

  constructor(limits: { keepFinished?: number; maxResultBytes?: number } = {}) {
    super();
    this.keepFinished = limits.keepFinished ?? KEEP_FINISHED;
    this.maxResultBytes = limits.maxResultBytes ?? MAX_RESULT_BYTES;
  }

  /** Newest first, by start order (two starts in one millisecond share a startedAt). */
  list(): Task[] {
    return [...this.entries.values()].map((e) => e.task).reverse();
  }

  get(id: string): Task | undefined {
    return this.entries.get(id)?.task;
  }

  /** The task with its result (once it succeeded, while kept), for tasks.get. */
  withResult(id: string): TaskWithResult {
    const entry = this.entries.get(id);
    if (!entry) throw new OpsError('not_found', 'No such task (finished tasks are kept only for a while).', 'Start the work again.');
    return { ...structuredClone(entry.task), ...(entry.result ? { result: entry.result.value } : {}) } as TaskWithResult;
  }

  /** The result of a succeeded task of this kind, while kept. */
  result<K extends TaskKind>(id: string, kind: K): TaskResult<K> | undefined {
    const entry = this.entries.get(id);
    return entry?.task.kind === kind ? (entry.result?.value as TaskResult<K> | undefined) : undefined;
  }

  /** The newest task of a kind (about one connection, if given). */
  latest(kind: TaskKind, connectionId?: string): Task | undefined {
    return [...this.entries.values()].findLast((e) => e.task.kind === kind && (connectionId === undefined || e.task.connectionId === connectionId))?.task;
  }

  cancel(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry || !entry.task.cancellable) return false;
    if (entry.task.status !== 'running' && entry.task.status !== 'queued') return false;
    entry.controller.abort(new OpsError('cancelled', 'Cancelled by the user.'));
    return true;
  }

  /**
   * Start work and return its task at once; `done` settles with the work's result as returned, while the
   * task keeps that result parsed with its kind's schema (what tasks.get gives out).
   */
  start<K extends TaskKind, T extends z.input<(typeof TaskResults)[K]>>(options: StartOptions<K>, work: (ctx: TaskContext) => Promise<T>): { task: Task; done: Promise<T> } {
    // Callers outside TypeScript's reach (casts, JavaScript) cannot start a kind the contract does not know.
    if (!TaskKind.safeParse(options.kind).success) throw new OpsError('internal', `Unknown task kind "${String(options.kind).slice(0, 80)}".`, 'This is a bug.');
    const controller = new AbortController();
    const task: Task = {
      id: randomUUID(),
      kind: options.kind,
      title: options.title,
      ...(options.connectionId ? { connectionId: options.connectionId } : {}),
      status: 'running',
      progress: { done: 0, unit: options.unit ?? 'steps' },
      log: [],
      startedAt: new Date().toISOString(),
      cancellable: options.cancellable ?? true,
    };
    const entry: Entry = { task, controller, startedMs: Date.now(), lastEmitMs: 0 };
    this.entries.set(task.id, entry);
    this.prune();
    this.emitNow(entry);

    const ctx: TaskContext = {
      signal: controller.signal,
      progress: (done, total, unit) => {
        const elapsedSec = (Date.now() - entry.startedMs) / 1000;
        const etaSec = options.eta !== false && total && done > 0 && done < total ? Math.round((elapsedSec / done) * (total - done)) : undefined;
        task.progress = { done, unit: unit ?? task.progress.unit, ...(total !== undefined ? { total } : {}), ...(etaSec !== undefined ? { etaSec } : {}) };
        this.emitThrottled(entry);
      },
      log: (message) => {
        task.log.push(redact(message));
        if (task.log.length > MAX_LOG_LINES) task.log.splice(0, task.log.length - MAX_LOG_LINES);
        this.emitThrottled(entry);
      },
    };

    const done = (async () => {
      try {
        const result = await work(ctx);
        if (controller.signal.aborted) throw controller.signal.reason;
        this.keep(entry, result);
        this.finish(entry, 'succeeded');
        return result;
      } catch (err) {
        const cancelled = controller.signal.aborted;
        this.finish(entry, cancelled ? 'cancelled' : 'failed', cancelled ? { code: 'cancelled', message: 'Cancelled by the user.' } : toWireError(err));
        throw err;
      }
    })();
    // The caller may not await `done`; a failure is already recorded on the task.
    done.catch(() => {});
    return { task, done };
  }

  /** Keep a result as its kind's schema reads it; one that does not match is a bug and fails the task. */
  private keep(entry: Entry, result: unknown): void {
    const parsed = TaskResults[entry.task.kind].safeParse(result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new OpsError('internal', `The result of ${entry.task.kind} does not match its schema: ${issue?.message ?? ''} at ${issue?.path.join('.') ?? ''}.`, 'This is a bug; nothing was kept.');
    }
    entry.result = { value: parsed.data, bytes: Buffer.byteLength(JSON.stringify(parsed.data) ?? '') };
    let total = 0;
    for (const e of [...this.entries.values()].reverse()) {
      if (!e.result) continue;
      total += e.result.bytes;
      if (total > this.maxResultBytes && e !== entry) {
        total -= e.result.bytes;
        delete e.result;
      }
    }
  }

  private finish(entry: Entry, status: Task['status'], error?: Task['error']): void {
    entry.task.status = status;
    entry.task.endedAt = new Date().toISOString();
    if (error) entry.task.error = error;
    if (status === 'succeeded' && entry.task.progress.total !== undefined) entry.task.progress.done = entry.task.progress.total;
    delete entry.task.progress.etaSec;
    this.emitNow(entry);
  }

  private emitThrottled(entry: Entry): void {
    const wait = entry.lastEmitMs + MIN_EVENT_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.emitNow(entry);
    entry.pending ??= setTimeout(() => this.emitNow(entry), wait);
  }

  private emitNow(entry: Entry): void {
    if (entry.pending) clearTimeout(entry.pending);
    entry.pending = undefined;
    entry.lastEmitMs = Date.now();
    this.emit('updated', structuredClone(entry.task));
  }

  private prune(): void {
    const finished = this.list().filter((t) => t.status !== 'running' && t.status !== 'queued');
    for (const t of finished.slice(this.keepFinished)) this.entries.delete(t.id);
  }
}
