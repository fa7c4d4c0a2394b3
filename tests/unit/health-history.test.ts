import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downsample, HistoryStore } from '../../src/main/core/health/history';
import type { HistorySample } from '../../src/shared/domain/health';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sample(at: number, heap: number, status: HistorySample['status'] = 'healthy'): HistorySample {
  return { at: new Date(at).toISOString(), n: 1, status, metrics: { 'cache.heap': heap } };
}

describe('health history', () => {
  it('downsamples by averaging (weighted) and keeps the worst status', () => {
    const t0 = Date.UTC(2026, 0, 1, 10, 0);
    const out = downsample([sample(t0, 1), sample(t0 + 60_000, 0.5, 'unhealthy'), sample(t0 + 16 * 60_000, 0.9)], 15 * 60_000);
    expect(out).toHaveLength(2);
    expect(out[0]!.n).toBe(2);
    expect(out[0]!.metrics['cache.heap']).toBeCloseTo(0.75);
    expect(out[0]!.status).toBe('unhealthy');
    // Idempotent, and weighted when merging already merged points.
    const hourly = downsample(out, 3_600_000);
    expect(hourly).toHaveLength(1);
    expect(hourly[0]!.n).toBe(3);
    expect(hourly[0]!.metrics['cache.heap']).toBeCloseTo((1 + 0.5 + 0.9) / 3);
  });

  it('keeps recent days raw, thins older ones, deletes beyond 30 days, and reads a time range', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfo-hist-'));
    dirs.push(dir);
    const store = new HistoryStore(dir);
    const now = Date.UTC(2026, 5, 30, 12, 0);
    const day = 86_400_000;
    for (const ageDays of [0, 3, 10, 40]) {
      for (let i = 0; i < 120; i++) await store.append(sample(now - ageDays * day - i * 60_000, 0.99));
    }
    await store.compact(now);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    const lines = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').length;
    expect(lines('2026-06-30.jsonl')).toBe(120);
    expect(lines('2026-06-27.jsonl')).toBeLessThanOrEqual(9); // 2 hours at 15-minute points
    expect(lines('2026-06-20.jsonl')).toBeLessThanOrEqual(3); // hourly
    const lastHour = await store.read(1, 1000, now);
    expect(lastHour.length).toBe(61);
    const thinned = await store.read(24 * 30, 50, now);
    expect(thinned.length).toBeLessThanOrEqual(50);
    expect(thinned.reduce((a, s) => a + s.n, 0)).toBe(120 + 120 + 120);
  });

  it('survives a torn last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfo-hist-'));
    dirs.push(dir);
    const now = Date.now();
    writeFileSync(join(dir, `${new Date(now).toISOString().slice(0, 10)}.jsonl`), JSON.stringify(sample(now - 1000, 0.9)) + '\n{"at":"20');
    expect(await new HistoryStore(dir).read(1, 100, now)).toHaveLength(1);
  });
});
