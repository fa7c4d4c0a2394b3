import { randomBytes, timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { events as eventSchemas, type EventName } from '../shared/contract';
import type { WireError } from '../shared/errors';
import { invoke } from './api';
import type { App } from './app';
import type { Logger } from './core/util/log';
import { HEALTH_PATH, registerHealthEndpoint } from './health-endpoint';

export interface ServeOptions {
  app: App;
  rendererDir: string;
  log: Logger;
  port?: number;
  /** 127.0.0.1 unless the operator says otherwise with an explicit flag. */
  bind?: string;
  /** Host names (e.g. the machine's DNS name) clients may use besides the bind address and loopback. */
  allowHosts?: string[];
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'pfo_session';
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function sameSecret(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function statusFor(error: WireError): number {
  switch (error.code) {
    case 'invalid_input':
      return 400;
    case 'unknown_method':
    case 'not_found':
      return 404;
    case 'confirmation_required':
      return 409;
    case 'internal':
      return 500;
    default:
      return 422;
  }
}

/** Paths reachable without the session token (the load balancer's probe registers here). */
export const publicPaths = new Set<string>([HEALTH_PATH]);

/**
 * Browser mode: the built renderer and the contract over HTTP, on loopback, behind a token that
 * becomes an HttpOnly SameSite=Strict cookie; Host and Origin checked against DNS rebinding.
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const bind = opts.bind ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const server = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false });
  let allowedHosts = new Set<string>();

  await server.register(fastifyCookie);

  server.addHook('onRequest', async (req, reply) => {
    // DNS rebinding: a page from another site that resolves to us still sends its own Host.
    const host = (req.headers.host ?? '').toLowerCase();
    const path = req.url.split('?')[0] ?? '/';
    // The load balancer's probe uses whatever address it reaches us by; it is details-free and public.
    if (!allowedHosts.has(host) && !publicPaths.has(path)) {
      return reply.code(421).type('text/plain').send('Misdirected request: this console answers only to its own address.\n');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.has(origin.toLowerCase().replace(/^https?:\/\//, ''))) {
      return reply.code(403).type('text/plain').send('Cross-origin requests are refused.\n');
    }
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Content-Security-Policy', CSP);
    reply.header('Cache-Control', 'no-store');

    if (publicPaths.has(path)) return;
    const query = req.query as Record<string, string | undefined>;
    if (path === '/' && query.token !== undefined) {
      if (!sameSecret(query.token, token)) return reply.code(401).type('text/plain').send('Wrong token: open the URL printed by `npm run serve`.\n');
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      reply.setCookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: false });
      return reply.redirect('/', 303);
    }
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (!sameSecret(req.cookies[COOKIE], token) && !sameSecret(bearer, token)) {
      return reply.code(401).type('text/plain').send('Unauthorized: open the tokenized URL printed by `npm run serve` (…/?token=…).\n');
    }
  });

  server.post<{ Params: { method: string } }>('/rpc/:method', async (req, reply) => {
    if (!req.headers['content-type']?.startsWith('application/json')) {
      return reply.code(415).send({ error: { code: 'unsupported_media_type', message: 'Send the input as application/json.' } });
    }
    const result = await invoke(opts.app, req.params.method, req.body);
    if (result.ok) return reply.send({ result: result.result });
    return reply.code(statusFor(result.error)).send({ error: result.error });
  });

  server.get('/events', (req, reply) => streamEvents(opts.app, req, reply));
  registerHealthEndpoint(server, opts.app, opts.log);

  await server.register(fastifyStatic, { root: opts.rendererDir, index: ['index.html'], wildcard: false });
  // The renderer routes in the client; unknown paths get the app shell, not a 404 page.
  server.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/rpc/') && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
    return reply.code(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
  });

  await server.listen({ port: opts.port ?? 8787, host: bind });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 8787);
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  const wildcard = bind === '0.0.0.0' || bind === '::';
  const names = [...(wildcard ? [] : [bracket(bind)]), ...(opts.allowHosts ?? []).map((h) => bracket(h.toLowerCase()))];
  allowedHosts = new Set([...names, 'localhost', '127.0.0.1', '[::1]'].map((h) => `${h}:${port}`));
  return {
    url: `http://${names[0] ?? '127.0.0.1'}:${port}/?token=${token}`,
    port,
    close: () => server.close(),
  };
}

/** Server-Sent Events: every contract event, as `event: <name>` + JSON data, with a heartbeat. */
function streamEvents(app: App, req: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Content-Type-Options': 'nosniff',
  });
  res.write(': connected\n\n');
  const names = Object.keys(eventSchemas) as EventName[];
  const listeners = names.map((name) => {
    const listener = (payload: unknown) => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    };
    app.events.on(name, listener);
    return () => app.events.off(name, listener);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
  req.raw.on('close', () => {
    clearInterval(heartbeat);
    for (const off of listeners) off();
  });
}
