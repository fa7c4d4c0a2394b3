import type { EventName, EventPayload, Input, Method, Output } from '../../shared/contract';
import { ErrorCode, type WireError } from '../../shared/errors';

/** A failed call, as the main process described it: what went wrong and what to do. */
export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(error: WireError) {
    super(error.message);
    this.code = error.code;
    if (error.hint) this.hint = error.hint;
  }
}

interface PreloadBridge {
  invoke(method: string, input: unknown): Promise<unknown>;
  subscribe(name: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    podcastflow?: PreloadBridge;
  }
}

type RpcResult = { ok: true; result: unknown } | { ok: false; error: WireError };

/** Electron: the preload bridge. Browser mode: POST /rpc/<method> and one EventSource. */
async function transportInvoke(method: string, input: unknown): Promise<unknown> {
  if (window.podcastflow) {
    const r = (await window.podcastflow.invoke(method, input)) as RpcResult;
    if (!r.ok) throw new BridgeError(r.error);
    return r.result;
  }
  let response: Response;
  try {
    response = await fetch(`/rpc/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(input ?? {}),
    });
  } catch {
    throw new BridgeError({ code: 'offline', message: 'The console server does not answer.', hint: 'Is `npm run serve` still running?' });
  }
  if (response.status === 401) {
    throw new BridgeError({ code: 'unauthorized', message: 'This browser session is not signed in.', hint: 'Open the tokenized URL printed by `npm run serve` again.' });
  }
  const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: WireError };
  if (!response.ok || body.error) throw new BridgeError(body.error ?? { code: 'error', message: `The server answered ${response.status}.` });
  return body.result;
}

export function invoke<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  return transportInvoke(method, input) as Promise<Output<M>>;
}

let source: EventSource | undefined;

export function subscribe<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
  if (window.podcastflow) return window.podcastflow.subscribe(name, (p) => listener(p as EventPayload<E>));
  source ??= new EventSource('/events', { withCredentials: true });
  const handler = (e: MessageEvent<string>) => listener(JSON.parse(e.data) as EventPayload<E>);
  source.addEventListener(name, handler as EventListener);
  return () => source?.removeEventListener(name, handler as EventListener);
}

/** Any failure as code, message and hint: a BridgeError, a task's or a test's wire error, or an Error. */
export function errorText(err: unknown): { message: string; hint?: string; code?: ErrorCode } {
  if (err instanceof BridgeError) return { message: err.message, code: err.code, ...(err.hint ? { hint: err.hint } : {}) };
  if (err instanceof Error) return { message: err.message };
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    const e = err as { message: string; hint?: unknown; code?: unknown };
    return { message: e.message, ...(typeof e.hint === 'string' && e.hint ? { hint: e.hint } : {}), ...(ErrorCode.safeParse(e.code).success ? { code: e.code as ErrorCode } : {}) };
  }
  return { message: String(err) };
}
