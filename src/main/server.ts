import { randomBytes, timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { events as eventSchemas, type EventName } from '../shared/contract';
import { httpStatus, type WireError } from '../shared/errors';
import { invoke } from './api';
import type { App } from './app';
import type { Logger } from './core/util/log';
import { HEALTH_PATH, registerHealthEndpoint } from './health-endpoint';
import { METRICS_PATH, registerMetricsEndpoint } from './metrics-endpoint';

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
  /** The bearer token of /metrics (its own, not the console's); absent: a random one nobody knows. */
  metricsToken?: string;
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

const BODY_LIMIT = 1024 * 1024;

/** Every error leaves in the app's shape, with the status the one table gives its code. */
function sendError(reply: FastifyReply, error: WireError): FastifyReply {
  return reply.code(httpStatus(error.code)).type('application/json; charset=utf-8').send({ error });
}

/**
 * Fastify's own refusals (the body parser's, mostly) in the app's words. Fixed texts: a parser's
 * message may quote the body, and the body may hold a password.
 */
function fastifyError(err: FastifyError): WireError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'invalid_input', message: 'The request body is not valid JSON.', hint: 'Send the input as one JSON object; nothing was changed.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_input', message: 'The request body is empty.', hint: 'Send {} for a call without input; nothing was changed.' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'invalid_input', message: 'The request body does not match its Content-Length.', hint: 'Send the request again; nothing was changed.' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', message: `The request body is over ${BODY_LIMIT} bytes.`, hint: 'No call of this console takes that much input; nothing was changed.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', message: 'Send the input as application/json.' };
    default:
      // Any other refusal of the request itself (a malformed URL, say) rather than a failure of ours.
      return err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? { code: 'invalid_input', message: 'The request is malformed.', hint: 'Nothing was changed.' } : undefined;
  }
}

/** Paths reachable without the session token (the load balancer's probe registers here). */
export const publicPaths = new Set<string>([HEALTH_PATH, METRICS_PATH]);

/**
 * Browser mode: the built renderer and the contract over HTTP, on loopback, behind a token that
 * becomes an HttpOnly SameSite=Strict cookie; Host and Origin checked against DNS rebinding.
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const bind = opts.bind ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const server = Fastify({ logger: false, bodyLimit: BODY_LIMIT, trustProxy: false });
  let allowedHosts = new Set<string>();

  await server.register(fastifyCookie);
  // Before the routes: a route keeps the error handler in force when it is added.
  server.setErrorHandler((err: FastifyError, _req, reply) => {
    const known = fastifyError(err);
    if (known) return sendError(reply, known);
    opts.log(`browser mode: ${err.message}`);
    return sendError(reply, { code: 'internal', message: 'The console server failed to answer this request.', hint: 'This is a bug; the details are in the app log.' });
  });

  server.addHook('onRequest', async (req, reply) => {
    // DNS rebinding: a page from another site that resolves to us still sends its own Host.
    const host = (req.headers.host ?? '').toLowerCase();
    const path = req.url.split('?')[0] ?? '/';
    // The load balancer's probe uses whatever address it reaches us by; it is details-free and public.
    if (!allowedHosts.has(host) && !publicPaths.has(path)) {
      return sendError(reply, { code: 'misdirected_request', message: 'Misdirected request: this console answers only to its own address.' });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.has(origin.toLowerCase().replace(/^https?:\/\//, ''))) {
      return sendError(reply, { code: 'forbidden', message: 'Cross-origin requests are refused.' });
    }
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Content-Security-Policy', CSP);
    reply.header('Cache-Control', 'no-store');

    if (publicPaths.has(path)) return;
    const query = req.query as Record<string, string | undefined>;
    if (path === '/' && query.token !== undefined) {
      if (!sameSecret(query.token, token)) return sendError(reply, { code: 'unauthorized', message: 'Wrong token.', hint: 'Open the URL printed by `npm run serve`.' });
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      reply.setCookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: false });
      return reply.redirect('/', 303);
    }
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (!sameSecret(req.cookies[COOKIE], token) && !sameSecret(bearer, token)) {
      return sendError(reply, { code: 'unauthorized', message: 'This browser session is not signed in.', hint: 'Open the tokenized URL printed by `npm run serve` (…/?token=…).' });
    }
  });

  server.post<{ Params: { method: string } }>('/rpc/:method', async (req, reply) => {
    if (!req.headers['content-type']?.startsWith('application/json')) {
      return sendError(reply, { code: 'unsupported_media_type', message: 'Send the input as application/json.' });
    }
    const result = await invoke(opts.app, req.params.method, req.body);
    if (result.ok) return reply.send({ result: result.result });
    return sendError(reply, result.error);
  });

  server.get('/events', (req, reply) => streamEvents(opts.app, req, reply));
  registerHealthEndpoint(server, opts.app, opts.log);
  registerMetricsEndpoint(server, opts.app, opts.metricsToken ?? randomBytes(24).toString('base64url'), opts.log);

  await server.register(fastifyStatic, { root: opts.rendererDir, index: ['index.html'], wildcard: false });
  // The renderer routes in the client; unknown paths get the app shell, not a 404 page.
  server.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/rpc/') && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
    return sendError(reply, { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]?.slice(0, 200)}.` });
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
