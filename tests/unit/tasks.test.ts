import { describe, expect, it, vi } from 'vitest';
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
    let finish!: (v: string) => void;
    const { task, done } = tm.start({ kind: 't', title: 'slow' }, () => new Promise<string>((r) => (finish = r)));
    expect(tm.cancel(task.id)).toBe(true);
    finish('finished anyway');
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

  it('throttles progress events to one per 100 ms', async () => {
    // A fake clock (Date and timers): the count depends on the code, not on how busy the machine is.
    vi.useFakeTimers();
    try {
      const tm = new TaskManager();
      const seen: Task[] = [];
      tm.on('updated', (t) => seen.push(t));
      const { done } = tm.start({ kind: 't', title: 'busy' }, async (ctx) => {
        for (let i = 1; i <= 10_000; i++) ctx.progress(i, 10_000);
        await new Promise((r) => setTimeout(r, 150));
      });
      await vi.advanceTimersByTimeAsync(150);
      await done;
      // The start, one coalesced update at 100 ms with the latest progress, the finish.
      expect(seen.map((t) => [t.status, t.progress.done])).toEqual([
        ['running', 0],
        ['running', 10_000],
        ['succeeded', 10_000],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
