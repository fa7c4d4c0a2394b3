/**
 * Notifications without Prometheus: webhooks (generic JSON or Slack-compatible) on state changes.
 *
 * Deduplication is by state: each watched thing has a key (`backup:full`, `health:<connection>`,
 * `rpo:<scenario>`) and a state; only a change is sent, and the last state is kept in
 * <home>/fleet/notify-state.json so a restart neither repeats nor forgets. A first sight of a good state
 * sends nothing. Each delivery has a deadline per attempt and retries with backoff on network errors,
 * 408, 429 and 5xx. Payloads are built from our own fixed words and labels (no error text, no location,
 * no URL); webhooks are logged by id and host, never by URL.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from '../store/files';
import type { Logger } from '../util/log';
import { RetryableError, withRetry, type RetryOptions } from './retry';
import { describeWebhook, type NotifyEventName, type Webhook } from './settings';

export type NotifySeverity = 'info' | 'warning' | 'critical';

export interface NotifyEvent {
  event: NotifyEventName;
  /** What changed (dedup key). */
  key: string;
  state: string;
  previous?: string;
  severity: NotifySeverity;
  /** One line, from fixed words and labels. */
  title: string;
  at: string;
  labels: Record<string, string>;
}

export interface DeliveryResult {
  webhook: string;
  ok: boolean;
  attempts: number;
  status?: number;
  /** A fixed word: `timeout`, `network`, `http_<status>`. */
  error?: string;
}

/** The body a webhook gets. */
export function payloadFor(kind: Webhook['kind'], e: NotifyEvent): unknown {
  if (kind === 'slack') {
    const icon = e.severity === 'critical' ? ':red_circle:' : e.severity === 'warning' ? ':warning:' : ':large_green_circle:';
    const labels = Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(', ');
    return { text: `${icon} *${e.title}*${labels ? ` (${labels})` : ''} — PodcastFlow Ops, ${e.at}` };
  }
  return { source: 'podcastflow-ops', version: 1, ...e };
}

const NotifyState = z.record(z.string(), z.string());

export interface NotifierOptions {
  home: string;
  log: Logger;
  webhooks: () => Promise<Webhook[]>;
  now?: () => Date;
  /** Backoff between attempts (tests shorten it). */
  retry?: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'sleep'>;
}

export class Notifier {
  private states: Record<string, string> | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: NotifierOptions) {}

  private get stateFile(): string {
    return join(this.o.home, 'fleet', 'notify-state.json');
  }

  private async loadStates(): Promise<Record<string, string>> {
    this.states ??= await readJson(this.stateFile, NotifyState, {}).catch(() => ({}));
    return this.states;
  }

  /**
   * Record the state of `key`; when it changed (or is first seen bad), send the event `make` builds.
   * Calls are serialised, so two observations of one change send one event.
   */
  observe(key: string, state: string, good: boolean, make: (previous: string | undefined) => Omit<NotifyEvent, 'key' | 'state' | 'previous' | 'at'> | null): Promise<void> {
    const step = this.chain.then(async () => {
      const states = await this.loadStates();
      const previous = states[key];
      if (previous === state) return;
      states[key] = state;
      await writeJsonAtomic(this.stateFile, states);
      if (previous === undefined && good) return;
      const e = make(previous);
      if (e) this.send({ ...e, key, state, ...(previous !== undefined ? { previous } : {}), at: (this.o.now ?? (() => new Date()))().toISOString() });
    });
    this.chain = step.catch((err: unknown) => this.o.log(`Notifications: could not record a state: ${String((err as Error).message ?? err)}`));
    return this.chain;
  }

  /** Send an event to every webhook that takes it (in the background; `idle()` waits for it). */
  send(e: NotifyEvent): void {
    const p = this.deliverAll(e).catch(() => []);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async deliverAll(e: NotifyEvent): Promise<DeliveryResult[]> {
    const hooks = (await this.o.webhooks()).filter((w) => !w.events || w.events.includes(e.event) || e.event === 'test');
    return Promise.all(hooks.map((w) => this.deliver(w, e)));
  }

  /** One webhook, with a deadline per attempt and retries; logs the outcome by id and host. */
  async deliver(w: Webhook, e: NotifyEvent): Promise<DeliveryResult> {
    const where = `webhook "${w.id}" (${describeWebhook(w).host})`;
    let attempts = 0;
    let status: number | undefined;
    const body = JSON.stringify(payloadFor(w.kind, e));
    try {
      await withRetry(
        async () => {
          attempts++;
          const signal = AbortSignal.any([AbortSignal.timeout(w.timeoutMs), this.stopping.signal]);
          let res: Response;
          try {
            res = await fetch(w.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'podcastflow-ops' }, body, signal, redirect: 'error' });
          } catch (err) {
            throw new RetryableError((err as Error).name === 'TimeoutError' ? 'timeout' : 'network');
          }
          status = res.status;
          await res.body?.cancel().catch(() => {});
          if (res.ok) return;
          const word = `http_${res.status}`;
          if (res.status === 408 || res.status === 429 || res.status >= 500) throw new RetryableError(word);
          throw new Error(word);
        },
        { retries: w.retries, baseDelayMs: 1_000, maxDelayMs: 60_000, ...this.o.retry, signal: this.stopping.signal },
      );
      this.o.log(`Notifications: ${e.event} sent to ${where}.`);
      return { webhook: w.id, ok: true, attempts, ...(status !== undefined ? { status } : {}) };
    } catch (err) {
      const word = (err as Error).message;
      this.o.log(`Notifications: ${e.event} NOT delivered to ${where} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${word}).`);
      return { webhook: w.id, ok: false, attempts, ...(status !== undefined ? { status } : {}), error: word };
    }
  }

  /** A test event to every webhook (the Settings button), answered with each delivery's outcome. */
  async test(): Promise<DeliveryResult[]> {
    return this.deliverAll({ event: 'test', key: 'test', state: 'test', severity: 'info', title: 'Test notification from PodcastFlow Ops', at: (this.o.now ?? (() => new Date()))().toISOString(), labels: {} });
  }

  /** Waits until every observation is recorded and every delivery in flight has settled. */
  async idle(): Promise<void> {
    await this.chain;
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Abandon deliveries in flight (their retries stop). */
  stop(): void {
    this.stopping.abort();
  }
}
