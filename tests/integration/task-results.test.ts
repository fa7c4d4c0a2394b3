import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/main/api';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';
import type { Task, TaskWithResult } from '../../src/shared/domain/tasks';
import type { VerifyResult } from '../../src/shared/domain/tenants';
import { createScratchDatabase, type ScratchDatabase } from '../support/db';
import { makeLeakyProject } from '../support/secrets-fixture';

let scratch: ScratchDatabase;
let app: App;
let dir: string;

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 4, workload: false, scale: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'pfo-task-results-'));
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
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result as T;
}

/** Settles when the task has ended (followed through its events, as a client does). */
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

describe('a task result through the contract (invoke → tasks.get)', () => {
  it('runs a tenants verify and reads its typed result, the same one tenants.result and tenants.fix use', async () => {
    const { taskId } = await call<{ taskId: string }>('tenants.verify', {});
    expect((await ended(taskId)).status).toBe('succeeded');

    const task = await call<TaskWithResult>('tasks.get', { id: taskId });
    expect(task).toMatchObject({ id: taskId, kind: 'tenants.verify', status: 'succeeded', connectionId: expect.any(String) as string });
    if (task.kind !== 'tenants.verify' || !task.result) throw new Error('no verify result kept');
    // The seed's tenants, seen by the verifier; the planted problems as violations.
    expect(task.result.tenants).toBe(scratch.seed!.tenants.length);
    expect(task.result.tenantStats.map((s) => s.name).sort()).toEqual([...scratch.seed!.tenants].sort());
    expect(task.result.violations.length).toBeGreaterThan(0);

    // The per-domain read is a view over the same store.
    const last = await call<{ result: VerifyResult | null; taskId: string | null }>('tenants.result', {});
    expect(last.taskId).toBe(taskId);
    expect(last.result).toEqual(task.result);

    // The list and the events carry the task without its result.
    const { tasks } = await call<{ tasks: Task[] }>('tasks.list', {});
    expect(tasks.find((t) => t.id === taskId)).not.toHaveProperty('result');
  });

  it('a newer verification of the connection wins; a failed one leaves no result to fix from', async () => {
    const { taskId } = await call<{ taskId: string }>('tenants.verify', { template: 'org_does_not_exist' });
    expect((await ended(taskId)).status).toBe('failed');
    const last = await call<{ result: VerifyResult | null; taskId: string | null }>('tenants.result', {});
    expect(last).toEqual({ result: null, taskId });
    const task = await call<TaskWithResult>('tasks.get', { id: taskId });
    expect(task.status).toBe('failed');
    expect(task).not.toHaveProperty('result');
    const fix = await invoke(app, 'tenants.fix', { tenant: scratch.seed!.tenants[0]!, kind: 'missing_table', object: 'x', confirmed: true });
    expect(fix).toMatchObject({ ok: false, error: { code: 'not_verified' } });
  });

  it('keeps the secrets audit report with its folder, and suppresses only what that audit found', async () => {
    const folder = makeLeakyProject();
    const { taskId } = await call<{ taskId: string }>('secrets.audit.start', { path: folder });
    expect((await ended(taskId)).status).toBe('succeeded');
    const task = await call<TaskWithResult>('tasks.get', { id: taskId });
    if (task.kind !== 'secrets.audit' || !task.result) throw new Error('no audit result kept');
    expect(task.result.path).toBe(folder);
    const finding = task.result.findings.find((f) => f.fingerprint);
    expect(finding).toBeDefined();
    const viaResult = await call<{ status: string; report?: { findings: unknown[] }; path?: string }>('secrets.audit.result', { taskId });
    expect(viaResult).toMatchObject({ status: 'succeeded', path: folder });
    expect(viaResult.report?.findings).toEqual(task.result.findings);

    const unknown = await invoke(app, 'secrets.suppress', { path: join(dir, 'elsewhere'), fingerprint: finding!.fingerprint! });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_finding' } });
    const done = await call<{ suppressed: number }>('secrets.suppress', { path: folder, fingerprint: finding!.fingerprint! });
    expect(done.suppressed).toBeGreaterThan(0);
    rmSync(folder, { recursive: true, force: true });
  });

  it('an unknown task id is not_found', async () => {
    expect(await invoke(app, 'tasks.get', { id: 'no-such-task' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
