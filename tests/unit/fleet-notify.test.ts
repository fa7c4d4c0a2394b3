import { describe, expect, it } from 'vitest';
import { payloadFor } from '../../src/main/core/fleet/notify';
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
