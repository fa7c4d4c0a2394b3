import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/main/api';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';
import type { Report, SavedReport } from '../../src/shared/domain/reports';
import type { Task, TaskWithResult } from '../../src/shared/domain/tasks';
import { createScratchDatabase, type ScratchDatabase } from '../support/db';

let scratch: ScratchDatabase;
let app: App;
let dir: string;

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 4, workload: false, scale: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'pfo-reports-service-'));
  app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: join(dir, 'home') });
  await app.connections.save({ name: 'scratch', environment: 'development', url: scratch.url, sslmode: 'disable', savePassword: false });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await scratch?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await invoke(app, method, input);
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code });
  return r.result as T;
}

function ended(taskId: string): Promise<Task> {
  return new Promise((resolve) => {
    const check = (t: Task | undefined) => {
      if (t?.id !== taskId || t.status === 'running' || t.status === 'queued') return;
      app.tasks.off('updated', check);
      resolve(t);
    };
    app.tasks.on('updated', check);
    check(app.tasks.get(taskId));
  });
}

describe('reports through the contract', () => {
  it('generates as a task, saves it, renders it, and a cancel saves nothing', async () => {
    const { taskId } = await call<{ taskId: string }>('reports.generate', { sections: ['health', 'tenants'] });
    const task = await ended(taskId);
    expect(task.status).toBe('succeeded');
    expect(task.progress).toMatchObject({ done: 2, total: 2, unit: 'sections' });
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
    expect(readdirSync(join(dir, 'home', 'reports')).filter((f) => f !== 'index.json')).toEqual([`${saved.id}.json`]);

    // Diff of a report with itself is refused; delete removes it.
    await expect(call('reports.diff', { from: saved.id, to: saved.id })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await call('reports.delete', { id: saved.id })).toEqual({ deleted: true });
    await expect(call('reports.get', { id: saved.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a report id that could reach outside the reports folder', async () => {
    await expect(call('reports.get', { id: '../connections' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('incident records wait for the DR engine', async () => {
    await expect(call('reports.incident', { runId: 'r1' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
