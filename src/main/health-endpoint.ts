import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { App } from './app';
import type { Logger } from './core/util/log';

export const HEALTH_PATH = '/api/health';

export interface RateLimitSettings {
  /** Requests per window per client (API_RATE_LIMIT, default 100). */
  limit: number;
  /** Window in ms (API_RATE_WINDOW, default 900000 = 15 min). */
  windowMs: number;
  /** Extra requests a client may burst beyond the limit within a window (API_RATE_BURST, default 20). */
  burst: number;
  /** A fresh health run at most this often, in seconds (API_HEALTH_INTERVAL, default 30). */
  freshSec: number;
}

function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= min ? n : fallback;
}

export function rateLimitSettings(env: NodeJS.ProcessEnv = process.env): RateLimitSettings {
  return {
    limit: envInt(env, 'API_RATE_LIMIT', 100, 1),
    windowMs: envInt(env, 'API_RATE_WINDOW', 900_000, 1000),
    burst: envInt(env, 'API_RATE_BURST', 20, 0),
    freshSec: envInt(env, 'API_HEALTH_INTERVAL', 30, 1),
  };
}

/**
 * The load balancer's probe: GET /api/health (statuses and durations only; 200 healthy or degraded, 503
 * unhealthy) and HEAD (status code only). Unauthenticated, so rate limited per client address with
 * rate-limiter-flexible: each client's window starts at its first request (it slides with the client,
 * not aligned to the clock), and a bursty second limiter lets a client exceed the steady limit by
 * `burst` within a window. Over both: 429 with Retry-After, no body detail.
 */
export function registerHealthEndpoint(server: FastifyInstance, app: App, log: Logger, settings = rateLimitSettings()): void {
  const duration = Math.ceil(settings.windowMs / 1000);
  const steady = new RateLimiterMemory({ keyPrefix: 'health', points: settings.limit, duration });
  const limiter = settings.burst > 0 ? new BurstyRateLimiter(steady, new RateLimiterMemory({ keyPrefix: 'health-burst', points: settings.burst, duration })) : steady;

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      await limiter.consume(req.ip || 'unknown');
    } catch (rejection) {
      const retrySec = rejection instanceof RateLimiterRes ? Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) : 60;
      reply.header('Retry-After', String(retrySec));
      return reply.code(429).type('application/json').send(req.method === 'HEAD' ? undefined : { status: 'rate_limited', retryAfterSec: retrySec });
    }
    let body: { status: string; checkedAt: string; durationMs: number; checks: { id: string; status: string; durationMs: number }[] };
    try {
      const report = await app.health.probe(settings.freshSec);
      body = report
        ? { status: report.status, checkedAt: report.checkedAt ?? new Date().toISOString(), durationMs: report.durationMs, checks: report.checks.map((c) => ({ id: c.id, status: c.status, durationMs: c.durationMs })) }
        : { status: 'unhealthy', checkedAt: new Date().toISOString(), durationMs: 0, checks: [] };
    } catch (err) {
      // Details stay in the log: the probe is unauthenticated.
      log(`/api/health: ${String((err as Error).message ?? err)}`);
      body = { status: 'unhealthy', checkedAt: new Date().toISOString(), durationMs: 0, checks: [] };
    }
    const code = body.status === 'unhealthy' ? 503 : 200;
    if (req.method === 'HEAD') return reply.code(code).type('application/json').send();
    return reply.code(code).type('application/json').send(body);
  };
  // Fastify answers HEAD for a GET route itself; an explicit HEAD route keeps the body out entirely.
  server.route({ method: ['GET', 'HEAD'], url: HEALTH_PATH, handler, exposeHeadRoute: false });
}
