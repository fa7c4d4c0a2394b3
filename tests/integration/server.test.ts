import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../../src/main/app';
import { silentLogger } from '../../src/main/core/util/log';
import { startServer, type RunningServer } from '../../src/main/server';
import { rawRequest } from '../support/http';
import { startBrowserServer } from '../support/server';

let app: App;
let server: RunningServer;
let dataDir: string;
let token: string;
let cookie: string;

const host = () => `127.0.0.1:${server.port}`;
const rpc = (method: string, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(server.port, { method: 'POST', path: `/rpc/${method}`, headers: { host: host(), 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  token = 'test-token-0123456789';
  ({ app, server, dataDir, cookie } = await startBrowserServer(inject('pgUrl'), token, 'pfo-server-'));
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('browser mode authentication', () => {
  it('trades the token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const r = await rawRequest(server.port, { path: `/?token=${token}`, headers: { host: host() } });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
  });
  it('answers 401 without the token, with a wrong token, and on /rpc without the cookie', async () => {
    expect((await rawRequest(server.port, { path: '/', headers: { host: host() } })).status).toBe(401);
    expect((await rawRequest(server.port, { path: '/?token=nope', headers: { host: host() } })).status).toBe(401);
    expect((await rpc('app.info', {}, { cookie: '' })).status).toBe(401);
    expect((await rawRequest(server.port, { path: '/events', headers: { host: host() } })).status).toBe(401);
  });
  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const rebound = await rawRequest(server.port, { path: `/?token=${token}`, headers: { host: `evil.example:${server.port}` } });
    expect(rebound.status).toBe(421);
    expect((await rpc('app.info', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await rpc('app.info', {}, { origin: `http://${host()}` })).status).toBe(200);
  });
  it('serves the app shell with a strict CSP once signed in', async () => {
    const r = await rawRequest(server.port, { path: '/', headers: { host: host(), cookie } });
    expect(r.status).toBe(200);
    expect(String(r.headers['content-security-policy'])).toContain("script-src 'self'");
  });
});

describe("Fastify's own refusals, in the app's error shape", () => {
  const post = (path: string, body: string | undefined, contentType?: string) =>
    rawRequest(server.port, { method: 'POST', path, headers: { host: host(), cookie, ...(contentType ? { 'content-type': contentType } : {}) }, ...(body !== undefined ? { body } : {}) });
  const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string; hint?: string } }).error;

  it('answers a body that is not JSON with 400 invalid_input, without quoting the body', async () => {
    const r = await post('/rpc/connections.save', '{"name": "x", "password": "hunter2-not-json', 'application/json');
    expect(r.status).toBe(400);
    const error = errorOf(r.body);
    expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/not valid JSON/), hint: expect.stringMatching(/nothing was changed/i) });
    expect(r.body).not.toContain('hunter2');
  });
  it('answers an empty JSON body with 400 invalid_input', async () => {
    const r = await rawRequest(server.port, { method: 'POST', path: '/rpc/app.info', headers: { host: host(), cookie, 'content-type': 'application/json', 'content-length': '0' } });
    expect(r.status).toBe(400);
    expect(errorOf(r.body).code).toBe('invalid_input');
  });
  it('answers a content type Fastify cannot parse, and one it can but we do not take, with 415', async () => {
    const xml = await post('/rpc/app.info', '<info/>', 'application/xml');
    expect(xml.status).toBe(415);
    expect(errorOf(xml.body)).toMatchObject({ code: 'unsupported_media_type', message: expect.stringMatching(/application\/json/) });
    const text = await post('/rpc/app.info', '{}', 'text/plain');
    expect(text.status).toBe(415);
    expect(errorOf(text.body).code).toBe('unsupported_media_type');
  });
  it('answers a body over the limit with 413 payload_too_large', async () => {
    const r = await post('/rpc/app.info', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), 'application/json');
    expect(r.status).toBe(413);
    expect(errorOf(r.body)).toMatchObject({ code: 'payload_too_large', hint: expect.stringMatching(/nothing was changed/i) });
  });
  it('answers an unknown route with 404 not_found, and an unknown call with 404 unknown_method', async () => {
    const route = await post('/api/nothing', '{}', 'application/json');
    expect(route.status).toBe(404);
    expect(errorOf(route.body)).toMatchObject({ code: 'not_found', message: expect.stringMatching(/No route POST \/api\/nothing/) });
    const call = await rpc('nope.nothing', {});
    expect(call.status).toBe(404);
    expect(errorOf(call.body).code).toBe('unknown_method');
  });
  it('answers the guards (token, Host, Origin) in the same shape', async () => {
    const anonymous = await rpc('app.info', {}, { cookie: '' });
    expect([anonymous.status, errorOf(anonymous.body).code]).toEqual([401, 'unauthorized']);
    const foreign = await rpc('app.info', {}, { host: `evil.example:${server.port}` });
    expect([foreign.status, errorOf(foreign.body).code]).toEqual([421, 'misdirected_request']);
    const crossOrigin = await rpc('app.info', {}, { origin: 'http://evil.example' });
    expect([crossOrigin.status, errorOf(crossOrigin.body).code]).toEqual([403, 'forbidden']);
  });
});

describe('another bind address', () => {
  it('answers only to the host names it was told, still behind the token', async () => {
    const other = await startServer({ app, rendererDir: join(dataDir, 'renderer'), log: silentLogger, port: 0, token, bind: '127.0.0.1', allowHosts: ['ops-bastion.internal'] });
    try {
      const named = await rawRequest(other.port, { path: '/', headers: { host: `ops-bastion.internal:${other.port}` } });
      expect(named.status).toBe(401);
      const foreign = await rawRequest(other.port, { path: '/', headers: { host: `evil.example:${other.port}` } });
      expect(foreign.status).toBe(421);
      expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    } finally {
      await other.close();
    }
  });
});

describe('the contract over HTTP', () => {
  it('answers app.info', async () => {
    const r = await rpc('app.info', {});
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).result).toMatchObject({ host: 'browser', passwordStorage: { canPersist: false } });
  });
  it('rejects bad input with a clear message and changes nothing', async () => {
    const before = readFileSync(join(dataDir, 'home', 'settings.json'), 'utf8');
    const r = await rpc('connections.save', { name: '', environment: 'moon' });
    expect(r.status).toBe(400);
    const { error } = JSON.parse(r.body);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/environment|name/);
    expect(error.hint).toMatch(/nothing was changed/i);
    expect(readFileSync(join(dataDir, 'home', 'settings.json'), 'utf8')).toBe(before);
  });
  it('gives live overview facts from the database', async () => {
    const r = await rpc('overview.get', {});
    expect(r.status).toBe(200);
    const facts = JSON.parse(r.body).result;
    expect(facts.serverVersion).toMatch(/^15\./);
    expect(facts.tenantCount).toBeGreaterThan(0);
    expect(facts.databaseBytes).toBeGreaterThan(0);
    expect(Object.values(facts.connectionsByState).reduce((a: number, b) => a + Number(b), 0)).toBeGreaterThan(0);
  });
  it('streams task events over SSE', async () => {
    const controller = new AbortController();
    const res = await fetch(`http://${host()}/events`, { headers: { cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const { done } = app.tasks.start({ kind: 'health.exactBloat', title: 'sse probe' }, async () => ({ table_len: 1, tuple_count: 1, tuple_len: 1, dead_tuple_count: 0, dead_tuple_len: 0, free_space: 0, wasted_ratio: 0 }));
    await done;
    let text = '';
    while (!text.includes('sse probe')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    expect(text).toContain('event: task.updated');
  });
  it('keeps no password in the settings file', () => {
    const settings = readFileSync(join(dataDir, 'home', 'settings.json'), 'utf8');
    const password = new URL(inject('pgUrl')).password;
    expect(password.length).toBeGreaterThan(0);
    expect(settings).not.toContain(decodeURIComponent(password));
  });
});

describe('/metrics in browser mode', () => {
  it("is behind its own bearer token: the console's cookie or token does not open it", async () => {
    const get = (headers: Record<string, string>) => rawRequest(server.port, { path: '/metrics', headers: { host: host(), ...headers } });
    expect((await get({})).status).toBe(401);
    expect((await get({ cookie })).status).toBe(401);
    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(401);
    const r = await get({ authorization: 'Basic abc' });
    expect(r.status).toBe(401);
    expect(String(r.headers['www-authenticate'])).toMatch(/^Bearer/);
  });
});
