/**
 * Deadlines for every AWS call (S3, Secrets Manager). An endpoint that accepts connections and never
 * answers must fail within PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS (default 30 s) with an error naming it,
 * not hang a backup, an audit or the UI. The budget covers the SDK's standard retry with backoff:
 * each of MAX_ATTEMPTS attempts gets 30 % of it (connect, and silence on the socket), the rest is
 * room for the backoff between them.
 */
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OpsError } from './errors';

export const NETWORK_TIMEOUT_ENV = 'PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS';
export const DEFAULT_NETWORK_TIMEOUT_MS = 30_000;
export const MAX_ATTEMPTS = 3;
// @smithy/node-http-handler arms socket idle timers of 6 s and more 3 s after the request starts.
const IDLE_TIMER_DEFERRAL_MS = 3_000;

/** The deadline for one AWS call, retries included: PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS, else 30 s. */
export function networkTimeoutMs(): number {
  const raw = process.env[NETWORK_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_NETWORK_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1000 || ms > 600_000) {
    throw new OpsError('invalid_setting', `${NETWORK_TIMEOUT_ENV} must be whole milliseconds from 1000 to 600000 (it is "${raw.slice(0, 40)}").`, `Unset it for the default (${DEFAULT_NETWORK_TIMEOUT_MS} ms) or give e.g. ${NETWORK_TIMEOUT_ENV}=60000.`);
  }
  return ms;
}

/**
 * SDK client options for that deadline. `idleOnly` (S3): no limit on a whole request, only on silence,
 * because a large multipart part on a slow link legitimately takes long while bytes keep flowing.
 * Secrets Manager requests are tiny, so they also get a whole-request limit.
 */
export function awsClientOptions(timeoutMs = networkTimeoutMs(), { idleOnly = false } = {}) {
  const perAttempt = Math.floor(timeoutMs * 0.3);
  const idle = perAttempt >= 6000 ? perAttempt - IDLE_TIMER_DEFERRAL_MS : perAttempt;
  return {
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: perAttempt,
      socketTimeout: idle,
      ...(idleOnly ? {} : { requestTimeout: perAttempt, throwOnRequestTimeout: true }),
    },
  } as const;
}

/** A request that ran out of time (connect, silence or whole request), as the SDK reports it. */
export function isTimeout(err: unknown): boolean {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string };
  return e.name === 'TimeoutError' || e.code === 'ETIMEDOUT' || /timed out|exceeded the configured .*requestTimeout|did not establish a connection/i.test(e.message ?? '');
}

/** The clear error for a silent endpoint: which one, how long we waited, what to check. */
export function timeoutError(service: string, endpoint: string, action: string, timeoutMs: number): OpsError {
  return new OpsError(
    'network_timeout',
    `${service} at ${endpoint} did not answer (${action}) within ${timeoutMs} ms (${MAX_ATTEMPTS} attempts).`,
    `Check that the endpoint is right and reachable from here (proxy, firewall, VPC endpoint) and is up; ${NETWORK_TIMEOUT_ENV} sets the deadline.`,
  );
}

/**
 * Whether the SDK's default chain has anything to go on: credentials or a profile in the environment,
 * a shared config/credentials file, or a region. With none, asking it only ends in a minute of
 * instance-metadata probing, so callers say "no AWS configuration found" instead.
 */
export async function awsConfigured(scope: { region?: string | undefined; profile?: string | undefined } = {}): Promise<boolean> {
  if (scope.region || scope.profile) return true;
  const env = process.env;
  const vars = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];
  if (vars.some((v) => env[v])) return true;
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')];
  for (const f of files) if (await access(f).then(() => true, () => false)) return true;
  return false;
}
