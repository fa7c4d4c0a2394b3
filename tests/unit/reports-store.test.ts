import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_SCHEMA, REPORT_VERSION, type Report, type ReportSettings } from '../../src/shared/domain/reports';
import { lastDue, reportCronLine } from '../../src/main/core/reports/service';
import { parseReport, ReportStore } from '../../src/main/core/reports/store';

function report(at: string, key = 'h:5432/db'): Report {
  return { schema: REPORT_SCHEMA, version: REPORT_VERSION, kind: 'health', generatedAt: at, generator: { app: 'podcastflow-ops', version: 't' }, connection: { key, database: 'db', host: 'h', port: 5432 }, period: { from: at, to: at }, status: 'ok', sections: {} };
}

describe('saved reports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pfo-reports-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the newest N of a connection and none older than D days; other connections untouched', async () => {
    const store = new ReportStore(dir);
    const now = Date.parse('2026-12-01T12:00:00Z');
    const keep = { keepLast: 2, keepDays: 10 };
    const other = await store.save(report('2026-11-01T00:00:00Z', 'x:1/y'), 'other', keep, {}, now);
    const old = await store.save(report('2026-11-10T00:00:00Z'), 'c1', keep, {}, now);
    const a = await store.save(report('2026-11-29T00:00:00Z'), 'c1', keep, {}, now);
    expect((await store.list('c1')).map((e) => e.id)).toEqual([a.id]);
    const b = await store.save(report('2026-11-30T00:00:00Z'), 'c1', keep, {}, now);
    const c = await store.save(report('2026-12-01T00:00:00Z'), 'c1', keep, {}, now);
    expect((await store.list('c1')).map((e) => e.id)).toEqual([c.id, b.id]);
    expect((await store.list('other')).map((e) => e.id)).toEqual([other.id]);
    const files = await readdir(dir);
    expect(files).not.toContain(`${old.id}.json`);
    expect(files).not.toContain(`${a.id}.json`);
    expect((await store.get(c.id)).id).toBe(c.id);
    expect(await store.remove(c.id)).toBe(true);
    await expect(store.get(c.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rebuilds a lost index from the report files', async () => {
    const store = new ReportStore(dir);
    const a = await store.save(report('2026-11-29T00:00:00Z'), 'c1', { keepLast: 5, keepDays: 100 }, {}, Date.parse('2026-12-01T00:00:00Z'));
    await writeFile(join(dir, 'index.json'), 'torn');
    expect((await new ReportStore(dir).list()).map((e) => e.id)).toEqual([a.id]);
  });

  it('refuses what is not a report, or a newer model', () => {
    expect(() => parseReport({ hello: 1 }, 'x.json')).toThrow(expect.objectContaining({ code: 'invalid_report' }));
    expect(() => parseReport({ ...report('2026-01-01T00:00:00Z'), version: REPORT_VERSION + 1 }, 'x.json')).toThrow(/model version/);
    expect(() => parseReport({ ...report('2026-01-01T00:00:00Z'), status: 'fine' }, 'x.json')).toThrow(/does not match/);
  });
});

describe('report schedules', () => {
  const schedule = (every: 'daily' | 'weekly', hour: number): ReportSettings['schedule'] => ({ enabled: true, every, hour, sections: ['health'], format: 'pdf' });

  it('knows when a daily or weekly (Monday) schedule last became due', () => {
    // 2026-12-01 is a Tuesday.
    expect(lastDue(schedule('daily', 6), new Date('2026-12-01T07:00:00Z')).toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(lastDue(schedule('daily', 6), new Date('2026-12-01T05:00:00Z')).toISOString()).toBe('2026-11-30T06:00:00.000Z');
    expect(lastDue(schedule('weekly', 6), new Date('2026-12-01T07:00:00Z')).toISOString()).toBe('2026-11-30T06:00:00.000Z');
    expect(lastDue(schedule('weekly', 6), new Date('2026-11-30T05:00:00Z')).toISOString()).toBe('2026-11-23T06:00:00.000Z');
  });

  it('writes a cron line with every value quoted and % escaped', () => {
    const line = reportCronLine({ ...schedule('weekly', 6), destination: "/srv/it's $(here)/100%" }, "postgres://u@h:5432/d'b", 'org\\_%', '/backups');
    expect(line.startsWith('0 6 * * 1 podcastflow-ops ')).toBe(true);
    expect(line).toContain(`'/srv/it'\\''s $(here)/100\\%'`);
    expect(line).toContain(`'postgres://u@h:5432/d'\\''b'`);
    expect(line).toContain(`'org\\_\\%'`);
  });
});
