import { rmSync } from 'node:fs';
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
let cookie: string;
const saved = { ...process.env };
const host = () => `127.0.0.1:${server.port}`;
const probe = (method: 'GET' | 'HEAD' = 'GET', extra: Record<string, string> = {}) => rawRequest(server.port, { method, path: '/api/health', headers: { host: host(), ...extra } });

beforeAll(async () => {
  process.env.API_RATE_LIMIT = '6';
  process.env.API_RATE_BURST = '3';
  process.env.API_RATE_WINDOW = '60000';
  process.env.API_HEALTH_INTERVAL = '3600';
  ({ app, server, dataDir, cookie } = await startBrowserServer(inject('pgUrl'), 'health-token-0123456789', 'pfo-health-api-'));
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  process.env = saved;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET/HEAD /api/health', () => {
  it('answers without the session token, with statuses and durations only', async () => {
    const r = await probe();
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { status: string; durationMs: number; checks: Record<string, unknown>[] };
    expect(['healthy', 'degraded']).toContain(body.status);
    expect(body.checks.length).toBe(19);
    for (const c of body.checks) expect(Object.keys(c).sort()).toEqual(['durationMs', 'id', 'status']);
    expect(r.body).not.toMatch(/org_|findings|summary/);
  });

  it('HEAD gives the status code and no body', async () => {
    const r = await probe('HEAD');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  it('the latest result is also what the console shows (health.summary), and was stored', async () => {
    const r = await rawRequest(server.port, { method: 'POST', path: '/rpc/health.summary', headers: { host: host(), cookie, 'content-type': 'application/json' }, body: '{}' });
    const summary = (JSON.parse(r.body) as { result: { summary: { checks: { id: string; findingCount: number }[] } } }).result.summary;
    expect(summary.checks.find((c) => c.id === 'sizes')!.findingCount).toBeGreaterThan(0);
  });

  it('answers 429 with Retry-After under a flood, per client', async () => {
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 15; i++) {
      const r = await probe(i % 2 ? 'HEAD' : 'GET');
      statuses.push(r.status);
      if (r.status === 429) retryAfter = String(r.headers['retry-after']);
    }
    // 6 a window plus a burst of 3 (two already used above): the rest are refused.
    expect(statuses.filter((s) => s === 200).length).toBe(9 - 2);
    expect(statuses.slice(-5).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  });

  it('answers 503 when the database is unreachable', async () => {
    // A connection to a port nothing listens on, made active; a second server has a fresh rate limiter.
    await app.connections.save({ name: 'gone', environment: 'development', url: 'postgres://nobody@127.0.0.1:1/none?sslmode=disable' });
    const list = await app.connections.list();
    await app.connections.activate(list.profiles.find((p) => p.name === 'gone')!.id);
    const report = await app.health.probe(0);
    expect(report!.status).toBe('unhealthy');
    const other = await startServer({ app, rendererDir: join(dataDir, 'renderer'), log: silentLogger, port: 0, token: 'other-token-0123456789' });
    try {
      const r = await rawRequest(other.port, { path: '/api/health', headers: { host: `127.0.0.1:${other.port}` } });
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body).status).toBe('unhealthy');
      expect(r.body).not.toContain('nobody');
    } finally {
      await other.close();
    }
  });
});
