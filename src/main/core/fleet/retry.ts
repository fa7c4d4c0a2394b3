/**
 * Retry with exponential backoff and full jitter (no retry library is installed; this is the whole of it).
 * `attempt` throws a RetryableError to be tried again, anything else to stop at once.
 */
export class RetryableError extends Error {}

export interface RetryOptions {
  /** Tries after the first one. */
  retries: number;
  /** The first wait; each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  /** Injected in tests (no real waiting); resolves early when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The wait before retry number `n` (0-based): uniform in [0, min(max, base * 2^n)]. */
export function backoffMs(n: number, o: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  return Math.round(random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** n));
}

/** Runs `attempt(n)` until it succeeds, fails for good, the retries are spent, or the signal aborts. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const sleep = o.sleep ?? abortableSleep;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof RetryableError) || n >= o.retries || o.signal?.aborted) throw err;
      await sleep(backoffMs(n, o, o.random), o.signal);
      if (o.signal?.aborted) throw err;
    }
  }
}
