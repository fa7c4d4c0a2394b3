/**
 * The shell's side of the core host: relay contract calls to it, its events back, answer its cipher
 * requests, and survive it. When the host dies, every pending call and every running task ends with
 * `core_unavailable` and a new host is started; after too many crashes in a row it stays down until
 * `restart()` (the shell asks the user).
 */
import { EventEmitter } from 'node:events';
import { events, isEventName, type EventName } from '../../shared/contract';
import type { Task } from '../../shared/domain/tasks';
import type { WireError } from '../../shared/errors';
import type { RpcResult } from '../api';
import type { Cipher } from '../core/connections/vault';
import type { Logger } from '../core/util/log';
import { coreUnavailable, FromHost, type ToHost } from './protocol';

/** One running core host process, whatever started it (utilityProcess or child_process.fork). */
export interface HostProcess {
  send(message: ToHost): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone; `how` reads "exit code 1" or "signal SIGKILL". */
  onExit(listener: (how: string) => void): void;
  kill(): void;
}

export type CoreState = { state: 'starting' } | { state: 'ready' } | { state: 'down'; error: WireError };

export interface CoreHostOptions {
  spawn: () => HostProcess;
  cipher: Cipher;
  log: Logger;
  /** Crashes allowed within `crashWindowMs` before the host stays down (default 3 in a minute). */
  maxCrashes?: number;
  crashWindowMs?: number;
  now?: () => number;
}

const CLOSE_DEADLINE_MS = 15_000;
const closingError = () => coreUnavailable('The app is closing.', 'Start the app again.');

export class CoreHost extends EventEmitter<{ event: [EventName, unknown]; state: [CoreState] }> {
  private proc?: HostProcess;
  private ready = false;
  private queue: ToHost[] = [];
  private nextId = 0;
  private readonly pending = new Map<number, { method: string; resolve: (r: RpcResult) => void }>();
  /** Tasks the host last reported as running: failed for the renderer if the host dies. */
  private readonly running = new Map<string, Task>();
  private crashes: number[] = [];
  private down?: WireError;
  private closing?: Promise<void>;

  constructor(private readonly options: CoreHostOptions) {
    super();
  }

  get state(): CoreState {
    return this.down ? { state: 'down', error: this.down } : this.ready ? { state: 'ready' } : { state: 'starting' };
  }

  /** Start a host (the first, or again after it stayed down). */
  start(): void {
    if (this.proc || this.closing) return;
    this.down = undefined;
    this.ready = false;
    const proc = this.options.spawn();
    this.proc = proc;
    proc.onMessage((raw) => {
      if (this.proc === proc) this.receive(proc, raw);
    });
    proc.onExit((how) => {
      if (this.proc === proc) this.exited(how);
    });
    this.emit('state', this.state);
  }

  /** Start again after the host stayed down, with a fresh crash count. */
  restart(): void {
    this.crashes = [];
    this.start();
  }

  call(method: string, input: unknown): Promise<RpcResult> {
    if (this.closing) return Promise.resolve({ ok: false, error: closingError() });
    if (this.down || !this.proc) return Promise.resolve({ ok: false, error: this.down ?? coreUnavailable('The core is not running.') });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { method, resolve });
      this.post({ type: 'call', id, method, input });
    });
  }

  /** Ask the host to close the App and exit; kill it if it has not within the deadline. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const proc = this.proc;
      if (!proc) return resolve();
      const timer = setTimeout(() => proc.kill(), CLOSE_DEADLINE_MS);
      proc.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      proc.send({ type: 'close' });
    });
    return this.closing;
  }

  private post(message: ToHost): void {
    if (this.ready && this.proc) this.deliver(this.proc, message);
    else this.queue.push(message);
  }

  /** Send; a call whose input cannot be cloned is answered here instead of thrown or lost. */
  private deliver(proc: HostProcess, message: ToHost): void {
    try {
      proc.send(message);
    } catch (err) {
      if (message.type !== 'call') throw err;
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      p?.resolve({ ok: false, error: { code: 'invalid_input', message: `The input of ${message.method.slice(0, 80)} cannot be sent to the core (${err instanceof Error ? err.message : 'not cloneable'}).`, hint: 'This is a bug in the caller; nothing was changed.' } });
    }
  }

  private receive(proc: HostProcess, raw: unknown): void {
    const parsed = FromHost.safeParse(raw);
    if (!parsed.success) {
      this.options.log(`Core host sent a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'}); ignored.`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready': {
        this.ready = true;
        for (const queued of this.queue.splice(0)) this.deliver(proc, queued);
        this.emit('state', this.state);
        return;
      }
      case 'failed':
        // Starting again would fail the same way: stay down with the host's own words.
        this.down = coreUnavailable(`The core could not start: ${msg.error.message}`, msg.error.hint ?? 'Look at the app log, fix the cause, then restart the app.');
        proc.kill();
        return;
      case 'result': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg.result);
        return;
      }
      case 'event':
        return this.relayEvent(msg.event, msg.payload);
      case 'cipher': {
        const { cipher } = this.options;
        const op = msg.op === 'refusal' ? cipher.refusal() : msg.op === 'encrypt' ? cipher.encrypt(msg.arg ?? '') : cipher.decrypt(msg.arg ?? '');
        op.then(
          (value) => proc.send({ type: 'cipher-reply', id: msg.id, ...(value !== undefined ? { value } : {}) }),
          (err: unknown) => proc.send({ type: 'cipher-reply', id: msg.id, error: err instanceof Error ? err.message : 'The keychain failed.' }),
        );
        return;
      }
    }
  }

  private relayEvent(name: string, payload: unknown): void {
    if (!isEventName(name)) return this.options.log(`Core host sent an unknown event "${name.slice(0, 80)}"; ignored.`);
    const checked = events[name].safeParse(payload);
    if (!checked.success) return this.options.log(`Core host sent an invalid ${name} event; ignored.`);
    if (name === 'task.updated') {
      const task = checked.data as Task;
      if (task.status === 'running' || task.status === 'queued') this.running.set(task.id, task);
      else this.running.delete(task.id);
    }
    this.emit('event', name, checked.data);
  }

  private exited(how: string): void {
    this.proc = undefined;
    this.ready = false;
    this.queue = [];
    const closing = Boolean(this.closing);
    if (!closing) this.options.log(`Core host ${how}.`);
    // A host that said why it could not start (`failed`) already set `down`; otherwise it crashed.
    const known = closing ? closingError() : this.down;
    const error = known ?? coreUnavailable(`The core stopped unexpectedly (${how}).`);
    for (const [, p] of this.pending) p.resolve({ ok: false, error: known ?? coreUnavailable(`The core stopped unexpectedly (${how}) while answering ${p.method}.`) });
    this.pending.clear();
    const endedAt = new Date().toISOString();
    for (const task of this.running.values()) this.emit('event', 'task.updated', { ...task, status: 'failed', endedAt, error, cancellable: false });
    this.running.clear();
    if (closing) {
      this.down = error;
      return;
    }

    const now = (this.options.now ?? Date.now)();
    this.crashes = [...this.crashes.filter((t) => now - t < (this.options.crashWindowMs ?? 60_000)), now];
    if (!this.down && this.crashes.length <= (this.options.maxCrashes ?? 3)) return this.start();
    this.down ??= coreUnavailable(`The core stopped ${this.crashes.length} times in a row (last: ${how}).`, 'Restart the core from the dialog, or restart the app; the app log says why it stopped.');
    this.emit('state', this.state);
  }
}
