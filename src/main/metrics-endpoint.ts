import { randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from './app';
import { OpsError } from './core/util/errors';
import type { Logger } from './core/util/log';
import { registerHealthEndpoint } from './health-endpoint';

export const METRICS_PATH = '/metrics';

/**
 * The scrape token: PODCASTFLOW_OPS_METRICS_TOKEN, else a fresh random one (printed at start). It is not
 * the console's token: a Prometheus server that can read the metrics cannot drive the console.
 */
export function metricsToken(env: NodeJS.ProcessEnv = process.env): { token: string; generated: boolean } {
  const given = env.PODCASTFLOW_OPS_METRICS_TOKEN;
  if (given === undefined || given === '') return { token: randomBytes(24).toString('base64url'), generated: true };
  if (given.length < 16 || /\s/.test(given)) {
    throw new OpsError('invalid_setting', 'PODCASTFLOW_OPS_METRICS_TOKEN is shorter than 16 characters or holds white space.', 'Use a long random value, e.g. openssl rand -base64 32, or unset it for a generated one.');
  }
  return { token: given, generated: false };
}

/** Constant-time comparison of the bearer token (the length is not secret: the token's is fixed by its owner). */
function matches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics: the Prometheus exposition from the latest results, behind its own bearer token. The
 * caller's server lists METRICS_PATH among its public paths (no console cookie, no Host check: a bearer
 * token is never sent by a browser on its own, so DNS rebinding gains nothing).
 */
export function registerMetricsEndpoint(server: FastifyInstance, app: App, token: string, log: Logger): void {
  server.get(METRICS_PATH, async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (!matches(req.headers.authorization, token)) {
      reply.header('WWW-Authenticate', 'Bearer realm="podcastflow-ops metrics"');
      return reply.code(401).type('text/plain; charset=utf-8').send('A bearer token is required (PODCASTFLOW_OPS_METRICS_TOKEN).\n');
    }
    try {
      const { contentType, body } = await app.fleet.scrape();
      return reply.code(200).type(contentType).send(body);
    } catch (err) {
      log(`/metrics: ${String((err as Error).message ?? err)}`);
      return reply.code(500).type('text/plain; charset=utf-8').send('The metrics could not be rendered; the details are in the service log.\n');
    }
  });
}

export interface HeadlessServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** serve --headless: /metrics and the load balancer's /api/health only; no renderer, no /rpc, no console token. */
export async function startHeadlessServer(opts: { app: App; log: Logger; token: string; port?: number; bind?: string }): Promise<HeadlessServer> {
  const bind = opts.bind ?? '127.0.0.1';
  const server = Fastify({ logger: false, bodyLimit: 1024, trustProxy: false });
  registerMetricsEndpoint(server, opts.app, opts.token, opts.log);
  registerHealthEndpoint(server, opts.app, opts.log);
  server.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain; charset=utf-8').send('Not found: this headless service answers /metrics and /api/health.\n'));
  await server.listen({ port: opts.port ?? 9187, host: bind });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 9187);
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  return { url: `http://${host}:${port}${METRICS_PATH}`, port, close: () => server.close() };
}
