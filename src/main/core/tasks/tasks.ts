import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Task } from '../../../shared/domain/tasks';
import { OpsError, toWireError } from '../util/errors';
import { redact } from '../util/redact';

export interface TaskContext {
  signal: AbortSignal;
  /** Report progress; events are coalesced to at most ~10 a second per task. */
  progress(done: number, total?: number, unit?: string): void;
  log(message: string): void;
}

export interface StartOptions {
  kind: string;
  title: string;
  unit?: string;
  cancellable?: boolean;
}

const MAX_LOG_LINES = 200;
const MIN_EVENT_INTERVAL_MS = 100;
const KEEP_FINISHED = 50;

interface Entry {
  task: Task;
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
  private readonly entries = new Map<string, Entry>();

  list(): Task[] {
    return [...this.entries.values()].map((e) => e.task).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  get(id: string): Task | undefined {
    return this.entries.get(id)?.task;
  }

  cancel(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry || !entry.task.cancellable) return false;
    if (entry.task.status !== 'running' && entry.task.status !== 'queued') return false;
    entry.controller.abort(new OpsError('cancelled', 'Cancelled by the user.'));
    return true;
  }

  /** Start work and return its task at once; `done` settles with the work's result. */
  start<T>(options: StartOptions, work: (ctx: TaskContext) => Promise<T>): { task: Task; done: Promise<T> } {
    const controller = new AbortController();
    const task: Task = {
      id: randomUUID(),
      kind: options.kind,
      title: options.title,
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
        const etaSec = total && done > 0 && done < total ? Math.round((elapsedSec / done) * (total - done)) : undefined;
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
    for (const t of finished.slice(KEEP_FINISHED)) this.entries.delete(t.id);
  }
}
