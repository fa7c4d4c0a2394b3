/**
 * The messages between the Electron main process (the shell) and the core host (the App in a utility
 * process, or a Node child in tests). Both sides validate what they receive: the other side may be
 * mid-crash, and a bad message must fail one call, never the process.
 */
import { z } from 'zod';
import { WireError } from '../../shared/errors';

/** The vault's cipher runs in the main process (safeStorage exists only there); the core asks for it. */
export const CipherOp = z.enum(['refusal', 'encrypt', 'decrypt']);
export type CipherOp = z.infer<typeof CipherOp>;

const id = z.number().int().nonnegative();

/** Shell → core host. */
export const ToHost = z.discriminatedUnion('type', [
  /** One contract call; answered by a `result` with the same id. */
  // Any string: an unknown method is answered by invoke, never dropped here (a dropped call would hang).
  z.object({ type: z.literal('call'), id, method: z.string(), input: z.unknown() }),
  /** The answer to a `cipher` request: a value, or why the cipher failed. */
  z.object({ type: z.literal('cipher-reply'), id, value: z.string().optional(), error: z.string().optional() }),
  /** Close the App (pools, demo database, timers) and exit. */
  z.object({ type: z.literal('close') }),
]);
export type ToHost = z.infer<typeof ToHost>;

export const RpcResultSchema = z.union([z.object({ ok: z.literal(true), result: z.unknown() }), z.object({ ok: z.literal(false), error: WireError })]);

/** Core host → shell. */
export const FromHost = z.discriminatedUnion('type', [
  /** The App is built and started; calls sent before this wait in the shell. */
  z.object({ type: z.literal('ready') }),
  /** The App could not start; the shell ends the host when it reads this. */
  z.object({ type: z.literal('failed'), error: WireError }),
  z.object({ type: z.literal('result'), id, result: RpcResultSchema }),
  /** An App event (src/shared/contract.ts `events`), forwarded as it was emitted. */
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
  z.object({ type: z.literal('cipher'), id, op: CipherOp, arg: z.string().optional() }),
]);
export type FromHost = z.infer<typeof FromHost>;

/** The error every call gets while the core host is down or restarting. */
export function coreUnavailable(message: string, hint = 'The core is restarting; try again in a moment. If this keeps happening, restart the app and look at its log.'): WireError {
  return { code: 'core_unavailable', message, hint };
}
