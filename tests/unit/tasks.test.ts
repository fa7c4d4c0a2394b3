import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/shared/domain/tasks';
import { TaskManager } from '../../src/main/core/tasks/tasks';

describe('TaskManager', () => {
  it('reports success with progress complete', async () => {
    const tm = new TaskManager();
    const { task, done } = tm.start({ kind: 't', title: 'count' }, async (ctx) => {
      for (let i = 1; i <= 3; i++) ctx.progress(i, 3, 'items');
      return 42;
    });
    expect(task.status).toBe('running');
    await expect(done).resolves.toBe(42);
    expect(tm.get(task.id)?.status).toBe('succeeded');
    expect(tm.get(task.id)?.progress).toMatchObject({ done: 3, total: 3, unit: 'items' });
  });

  it('a cancelled task ends cancelled, never succeeded, even if the work ignores the signal', async () => {
    const tm = new TaskManager();
    const { task, done } = tm.start({ kind: 't', title: 'slow' }, async () => {
      await new Promise((r) => setTimeout(r, 50));
      return 'finished anyway';
    });
    expect(tm.cancel(task.id)).toBe(true);
    await expect(done).rejects.toThrow(/Cancelled/);
    expect(tm.get(task.id)?.status).toBe('cancelled');
  });

  it('a failure is recorded as a wire error', async () => {
    const tm = new TaskManager();
    const { task, done } = tm.start({ kind: 't', title: 'boom' }, async () => {
      throw new Error('boom at postgres://u:pw123456@h/db');
    });
    await expect(done).rejects.toThrow();
    const t = tm.get(task.id)!;
    expect(t.status).toBe('failed');
    expect(t.error?.message).not.toContain('pw123456');
  });

  it('throttles progress events to about ten a second', async () => {
    const tm = new TaskManager();
    const seen: Task[] = [];
    tm.on('updated', (t) => seen.push(t));
    const { done } = tm.start({ kind: 't', title: 'busy' }, async (ctx) => {
      for (let i = 0; i < 10_000; i++) ctx.progress(i, 10_000);
      await new Promise((r) => setTimeout(r, 150));
    });
    await done;
    // start + at most two throttled updates in 150 ms + finish.
    expect(seen.length).toBeLessThanOrEqual(5);
    expect(seen.at(-1)?.status).toBe('succeeded');
  });
});
