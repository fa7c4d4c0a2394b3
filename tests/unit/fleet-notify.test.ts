import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Notifier, payloadFor } from '../../src/main/core/fleet/notify';
import { metricsToken } from '../../src/main/metrics-endpoint';
import { backoffMs, RetryableError, withRetry } from '../../src/main/core/fleet/retry';
import { describeWebhook, FleetSettings, Webhook } from '../../src/main/core/fleet/settings';

describe('retry with backoff', () => {
  it('retries a retryable failure with doubling, capped waits, then gives up', async () => {
    const waits: number[] = [];
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw new RetryableError('http_503');
      },
      { retries: 4, baseDelayMs: 100, maxDelayMs: 500, random: () => 1, sleep: async (ms) => void waits.push(ms) },
    );
    await expect(run).rejects.toThrow('http_503');
    expect(calls).toBe(5);
    expect(waits).toEqual([100, 200, 400, 500]);
  });
  it('stops at once on a failure that is not retryable, and returns the first success', async () => {
    let calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(new Error('http_400'))), { retries: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} })).rejects.toThrow('http_400');
    expect(calls).toBe(1);
    expect(await withRetry(async (n) => (n < 2 ? Promise.reject(new RetryableError('network')) : 'ok'), { retries: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} })).toBe('ok');
    expect(backoffMs(3, { baseDelayMs: 1000, maxDelayMs: 60_000 }, () => 0.5)).toBe(4000);
  });
});

describe('webhook settings', () => {
  const hook = (url: string) => Webhook.safeParse({ id: 'ops', kind: 'json', url });
  it('takes https anywhere and http only on loopback; refuses a credentialed URL', () => {
    expect(hook('https://hooks.example.com/services/T0/B0/secretpath').success).toBe(true);
    expect(hook('http://127.0.0.1:9000/hook').success).toBe(true);
    expect(hook('http://hooks.example.com/x').success).toBe(false);
    const cred = hook('https://user:pw@hooks.example.com/x');
    expect(cred.success).toBe(false);
    expect(JSON.stringify(cred.error?.issues)).toContain('must not hold a user or password');
    expect(hook('ftp://hooks.example.com/x').success).toBe(false);
    expect(FleetSettings.safeParse({ webhooks: [{ id: 'a', kind: 'json', url: 'https://a.example/x' }, { id: 'a', kind: 'slack', url: 'https://b.example/y' }] }).success).toBe(false);
    expect(FleetSettings.safeParse({ webhooks: [], extra: 1 }).success).toBe(false);
  });
  it('shows a webhook by id and host, never its path (the key of a Slack webhook)', () => {
    const view = describeWebhook(Webhook.parse({ id: 'slack', kind: 'slack', url: 'https://hooks.example.com/services/T0/B0/secretpath?token=abc' }));
    expect(JSON.stringify(view)).not.toMatch(/secretpath|abc/);
    expect(view.host).toBe('hooks.example.com');
  });
});

describe('payloads', () => {
  const e = { event: 'backup.failed' as const, key: 'backup:full', state: 'failed', severity: 'critical' as const, title: 'Backup (full) failed [connection_lost]', at: '2026-12-01T12:00:00.000Z', labels: { kind: 'full' } };
  it('generic JSON carries the event as is; Slack gets one text line', () => {
    expect(payloadFor('json', e)).toEqual({ source: 'podcastflow-ops', version: 1, ...e });
    expect(payloadFor('slack', e)).toEqual({ text: ':red_circle: *Backup (full) failed [connection_lost]* (kind=full) — PodcastFlow Ops, 2026-12-01T12:00:00.000Z' });
  });
});

describe('delivery over HTTP (a local receiver)', () => {
  async function withReceiver(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void, fn: (url: string, logs: string[], home: string) => Promise<void>) {
    let n = 0;
    const server = createServer((req, res) => handle(req, res, n++));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const home = mkdtempSync(join(tmpdir(), 'pfo-notify-'));
    try {
      await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook/secret-part`, [], home);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(home, { recursive: true, force: true });
    }
  }
  const e = { event: 'test' as const, key: 'test', state: 'test', severity: 'info' as const, title: 't', at: '2026-12-01T00:00:00Z', labels: {} };

  it('retries a 503 and delivers on the next attempt; logs the webhook by id and host only', async () => {
    await withReceiver(
      (_req, res, n) => res.writeHead(n === 0 ? 503 : 204).end(),
      async (url, logs, home) => {
        const notifier = new Notifier({ home, log: (m) => logs.push(m), webhooks: async () => [], retry: { baseDelayMs: 1, maxDelayMs: 1 } });
        const r = await notifier.deliver(Webhook.parse({ id: 'ops', kind: 'json', url }), e);
        expect(r).toMatchObject({ ok: true, attempts: 2, status: 204 });
        expect(logs.join('\n')).not.toContain('secret-part');
      },
    );
  });
  it('gives up on a receiver that never answers, each attempt cut at its deadline', async () => {
    await withReceiver(
      () => {},
      async (url, logs, home) => {
        const notifier = new Notifier({ home, log: (m) => logs.push(m), webhooks: async () => [], retry: { baseDelayMs: 1, maxDelayMs: 1 } });
        const r = await notifier.deliver(Webhook.parse({ id: 'slow', kind: 'slack', url, timeoutMs: 200, retries: 1 }), e);
        expect(r).toMatchObject({ ok: false, attempts: 2, error: 'timeout' });
        expect(logs.join('\n')).toMatch(/NOT delivered to webhook "slow" \(127\.0\.0\.1:\d+\) after 2 attempts \(timeout\)/);
      },
    );
  });
  it('does not retry a 4xx (the receiver refused it for good)', async () => {
    await withReceiver(
      (_req, res) => res.writeHead(404).end(),
      async (url, logs, home) => {
        const notifier = new Notifier({ home, log: (m) => logs.push(m), webhooks: async () => [], retry: { baseDelayMs: 1, maxDelayMs: 1 } });
        expect(await notifier.deliver(Webhook.parse({ id: 'gone', kind: 'json', url }), e)).toMatchObject({ ok: false, attempts: 1, status: 404, error: 'http_404' });
      },
    );
  });
  it('sends a state once: a repeat of the same state and a first good state send nothing', async () => {
    const got: string[] = [];
    await withReceiver(
      (req, res) => {
        let b = '';
        req.on('data', (c: Buffer) => (b += c.toString()));
        req.on('end', () => (got.push((JSON.parse(b) as { state: string }).state), res.writeHead(200).end()));
      },
      async (url, logs, home) => {
        const hooks = [Webhook.parse({ id: 'ops', kind: 'json', url })];
        const make = () => ({ event: 'backup.failed' as const, severity: 'critical' as const, title: 'x', labels: {} });
        const notifier = new Notifier({ home, log: (m) => logs.push(m), webhooks: async () => hooks });
        await notifier.observe('backup:full', 'ok', true, make);
        await notifier.observe('backup:full', 'failed', false, make);
        await notifier.observe('backup:full', 'failed', false, make);
        await notifier.idle();
        // A restart remembers the last state: no repeat.
        const again = new Notifier({ home, log: (m) => logs.push(m), webhooks: async () => hooks });
        await again.observe('backup:full', 'failed', false, make);
        await again.observe('backup:full', 'ok', true, make);
        await again.idle();
        expect(got).toEqual(['failed', 'ok']);
      },
    );
  });
});

describe('the metrics token', () => {
  it('is PODCASTFLOW_OPS_METRICS_TOKEN when set (16+ characters, no white space), else a fresh random one', () => {
    expect(metricsToken({ PODCASTFLOW_OPS_METRICS_TOKEN: 'a-long-enough-token-123' })).toEqual({ token: 'a-long-enough-token-123', generated: false });
    const a = metricsToken({});
    expect(a.generated).toBe(true);
    expect(a.token.length).toBeGreaterThanOrEqual(32);
    expect(metricsToken({}).token).not.toBe(a.token);
    expect(() => metricsToken({ PODCASTFLOW_OPS_METRICS_TOKEN: 'short' })).toThrow(/16 characters/);
    expect(() => metricsToken({ PODCASTFLOW_OPS_METRICS_TOKEN: 'has white space in it, long' })).toThrow(/white space/);
  });
});
