import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/main/api';
import type { App } from '../../src/main/app';
import type { Report, ReportSettings, SavedReport } from '../../src/shared/domain/reports';
import type { TaskWithResult } from '../../src/shared/domain/tasks';
import { startTestApp, type TestApp } from '../support/app';
import { taskEnded } from '../support/tasks';

let t: TestApp;
let app: App;

beforeAll(async () => {
  t = await startTestApp({ seed: true, tenants: 4, workload: false, scale: 0.05 });
  app = t.app;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

/** One contract call as a client makes it; a failure rejects with the wire error's code. */
async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await invoke(app, method, input);
  if (r.ok) return r.result as T;
  throw Object.assign(new Error(`${method}: ${r.error.message}`), { code: r.error.code });
}

const ended = (taskId: string) => taskEnded(app.tasks, taskId);

describe('reports through the contract', () => {
  it('generates as a task, saves it, renders it, and a cancel saves nothing', async () => {
    const { taskId } = await call<{ taskId: string }>('reports.generate', { sections: ['health', 'tenants'] });
    const task = await ended(taskId);
    expect(task.status).toBe('succeeded');
    expect(task.progress).toMatchObject({ done: 1, total: 1, unit: 'sections' });
    const withResult = await call<TaskWithResult>('tasks.get', { id: taskId });
    if (withResult.kind !== 'reports.generate' || !withResult.result) throw new Error('no result');
    const saved = withResult.result;
    expect(saved.sections).toEqual(['health', 'tenants']);

    const { reports } = await call<{ reports: SavedReport[] }>('reports.list', {});
    expect(reports.map((r) => r.id)).toEqual([saved.id]);
    // The list entry does not leak the internal connection id field beyond the contract.
    expect(Object.keys(reports[0]!)).not.toContain('connectionId');
    const report = await call<Report>('reports.get', { id: saved.id });
    expect(report.id).toBe(saved.id);
    expect(report.sections.tenants!.tenants).toBe(4);
    expect((await call<{ html: string }>('reports.html', { id: saved.id })).html).toContain('Tenant isolation');
    const pdf = await call<{ base64: string; bytes: number }>('reports.pdf', { id: saved.id, paper: 'Letter' });
    expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Cancelled at once: the task ends cancelled and no report file or entry is added.
    const second = await call<{ taskId: string }>('reports.generate', {});
    expect(await call<{ cancelled: boolean }>('tasks.cancel', { id: second.taskId })).toEqual({ cancelled: true });
    expect((await ended(second.taskId)).status).toBe('cancelled');
    expect((await call<{ reports: SavedReport[] }>('reports.list', {})).reports.map((r) => r.id)).toEqual([saved.id]);
    expect(readdirSync(join(t.home, 'reports')).filter((f) => f !== 'index.json')).toEqual([`${saved.id}.json`]);

    // Diff of a report with itself is refused; delete removes it.
    await expect(call('reports.diff', { from: saved.id, to: saved.id })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await call('reports.delete', { id: saved.id })).toEqual({ deleted: true });
    await expect(call('reports.get', { id: saved.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a due schedule saves a report once and writes it to its destination; the cron line quotes the values', async () => {
    const out = join(t.home, 'scheduled-out');
    const { settings, cronLine } = await call<{ settings: ReportSettings; cronLine: string }>('reports.configure', {
      settings: { retention: { keepLast: 5, keepDays: 30 }, schedule: { enabled: true, every: 'daily', hour: 0, sections: ['tenants'], format: 'html', destination: out } },
    });
    expect(settings.schedule.enabled).toBe(true);
    expect(cronLine).toMatch(/^0 0 \* \* \* podcastflow-ops 'report' '--db' '[^']+' .*'--dest' '[^']*scheduled-out'/);
    // Daily at 00:00 UTC is always due once since midnight: the first tick runs it, the second does not.
    await app.reports.tick();
    await app.reports.tick();
    const scheduled = (await call<{ reports: SavedReport[] }>('reports.list', {})).reports.filter((r) => r.scheduled);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.sections).toEqual(['tenants']);
    expect(readdirSync(out)).toEqual([`${scheduled[0]!.id}.html`]);
  });

  it('refuses a report id that could reach outside the reports folder', async () => {
    await expect(call('reports.get', { id: '../connections' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('incident records wait for the DR engine', async () => {
    await expect(call('reports.incident', { runId: 'r1' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
