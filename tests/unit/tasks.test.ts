import { describe, expect, it, vi } from 'vitest';
import { contract } from '../../src/shared/contract';
import type { Task, TaskKind } from '../../src/shared/domain/tasks';
import { TaskManager } from '../../src/main/core/tasks/tasks';

/** A valid health.exactBloat result (the smallest result schema), `n` telling them apart. */
const bloat = (n = 1) => ({ table_len: n, tuple_count: 1, tuple_len: 1, dead_tuple_count: 0, dead_tuple_len: 0, free_space: 0, wasted_ratio: 0 });

describe('TaskManager', () => {
  it('reports success with progress complete', async () => {
    const tm = new TaskManager();
    const { task, done } = tm.start({ kind: 'health.exactBloat', title: 'count' }, async (ctx) => {
      for (let i = 1; i <= 3; i++) ctx.progress(i, 3, 'items');
      return bloat(42);
    });
    expect(task.status).toBe('running');
    await expect(done).resolves.toEqual(bloat(42));
    expect(tm.get(task.id)?.status).toBe('succeeded');
    expect(tm.get(task.id)?.progress).toMatchObject({ done: 3, total: 3, unit: 'items' });
  });

  it('extrapolates an ETA from the steps done, unless the task says its steps are too unequal for one', async () => {
    vi.useFakeTimers();
    try {
      const tm = new TaskManager();
      // One step of five done after 2 s: the ETA the task shows then.
      const etaAfterOneStep = async (eta: boolean | undefined) => {
        let seen: number | undefined;
        const { task, done } = tm.start({ kind: 'health.exactBloat', title: 'steps', ...(eta === undefined ? {} : { eta }) }, async (ctx) => {
          await new Promise((r) => setTimeout(r, 2000));
          ctx.progress(1, 5);
          seen = tm.get(task.id)!.progress.etaSec;
          return bloat();
        });
        await vi.advanceTimersByTimeAsync(2000);
        await done;
        return seen;
      };
      expect(await etaAfterOneStep(undefined)).toBe(8); // 2 s a step, 4 steps to go
      expect(await etaAfterOneStep(false)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a cancelled task ends cancelled, never succeeded, even if the work ignores the signal', async () => {
    const tm = new TaskManager();
    let finish!: (v: ReturnType<typeof bloat>) => void;
    const { task, done } = tm.start({ kind: 'health.exactBloat', title: 'slow' }, () => new Promise<ReturnType<typeof bloat>>((r) => (finish = r)));
    expect(tm.cancel(task.id)).toBe(true);
    finish(bloat());
    await expect(done).rejects.toThrow(/Cancelled/);
    expect(tm.get(task.id)?.status).toBe('cancelled');
    expect(tm.withResult(task.id)).not.toHaveProperty('result');
  });

  it('a failure is recorded as a wire error', async () => {
    const tm = new TaskManager();
    const { task, done } = tm.start({ kind: 'health.exactBloat', title: 'boom' }, async () => {
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
      const { done } = tm.start({ kind: 'health.exactBloat', title: 'busy' }, async (ctx) => {
        for (let i = 1; i <= 10_000; i++) ctx.progress(i, 10_000);
        await new Promise((r) => setTimeout(r, 150));
        return bloat();
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

describe('task results', () => {
  it('keeps the result with the task, as its kind reads it: keys the schema does not name are dropped', async () => {
    const tm = new TaskManager();
    const events: Task[] = [];
    tm.on('updated', (t) => events.push(t));
    // A demo start resolves with a handle that holds the superuser password; the task must not keep it.
    const handle = { url: 'postgres://postgres:s3cret-pw@127.0.0.1:5999/podcastflow', adminUrl: 'x', host: '127.0.0.1', port: 5999, user: 'postgres', password: 's3cret-pw', database: 'podcastflow', tenants: 3, seededNow: true, stop: async () => {} };
    const { task, done } = tm.start({ kind: 'demo.start', title: 'demo', connectionId: 'demo' }, async () => handle);
    await expect(done).resolves.toBe(handle);
    const kept = tm.withResult(task.id);
    expect(kept).toMatchObject({ kind: 'demo.start', status: 'succeeded', connectionId: 'demo' });
    expect(kept.result).toEqual({ host: '127.0.0.1', port: 5999, database: 'podcastflow', tenants: 3, seededNow: true });
    expect(JSON.stringify(kept)).not.toContain('s3cret-pw');
    expect(tm.result(task.id, 'demo.start')?.port).toBe(5999);
    // Asked as another kind, there is no result.
    expect(tm.result(task.id, 'tenants.verify')).toBeUndefined();
    // Events stay small: the result is read with tasks.get.
    expect(events.at(-1)?.status).toBe('succeeded');
    expect(events.some((e) => 'result' in e)).toBe(false);
    // What tasks.get gives out passes its output schema.
    expect(contract['tasks.get'].output.safeParse(kept).success).toBe(true);
  });

  it('a result that does not match its kind fails the task instead of passing as a success', async () => {
    const tm = new TaskManager();
    const { task, done } = tm.start({ kind: 'health.exactBloat', title: 'bad' }, async () => ({ ...bloat(), table_len: 'many' }) as unknown as ReturnType<typeof bloat>);
    await expect(done).rejects.toMatchObject({ code: 'internal' });
    expect(tm.get(task.id)).toMatchObject({ status: 'failed', error: { code: 'internal' } });
    expect(tm.withResult(task.id)).not.toHaveProperty('result');
  });

  it('the newest task of a kind and connection is found', async () => {
    const tm = new TaskManager();
    const a = tm.start({ kind: 'health.exactBloat', title: 'a', connectionId: 'c1' }, async () => bloat(1));
    const b = tm.start({ kind: 'health.exactBloat', title: 'b', connectionId: 'c2' }, async () => bloat(2));
    const c = tm.start({ kind: 'health.exactBloat', title: 'c', connectionId: 'c1' }, async () => bloat(3));
    await Promise.all([a.done, b.done, c.done]);
    expect(tm.latest('health.exactBloat', 'c1')?.id).toBe(c.task.id);
    expect(tm.latest('health.exactBloat', 'c2')?.id).toBe(b.task.id);
    expect(tm.latest('health.exactBloat')?.id).toBe(c.task.id);
    expect(tm.latest('tenants.verify', 'c1')).toBeUndefined();
  });

  it('keeps at most keepFinished finished tasks; a pruned task is not_found', async () => {
    const tm = new TaskManager({ keepFinished: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { task, done } = tm.start({ kind: 'health.exactBloat', title: `t${i}` }, async () => bloat(i));
      ids.push(task.id);
      await done;
    }
    // Pruning happens when a task starts: the 4th start saw three finished tasks and kept two.
    expect(tm.list().map((t) => t.title).sort()).toEqual(['t1', 't2', 't3']);
    expect(() => tm.withResult(ids[0]!)).toThrow(expect.objectContaining({ code: 'not_found' }) as Error);
    expect(tm.withResult(ids[3]!).result).toEqual(bloat(3));
  });

  it('drops the oldest results beyond the byte bound, keeping the tasks and always the newest result', async () => {
    const one = Buffer.byteLength(JSON.stringify(bloat(1)));
    const tm = new TaskManager({ maxResultBytes: 2 * one });
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const { task, done } = tm.start({ kind: 'health.exactBloat', title: `t${i}` }, async () => bloat(i));
      ids.push(task.id);
      await done;
    }
    expect(tm.result(ids[0]!, 'health.exactBloat')).toBeUndefined();
    expect(tm.get(ids[0]!)?.status).toBe('succeeded');
    expect(tm.result(ids[1]!, 'health.exactBloat')?.table_len).toBe(2);
    expect(tm.result(ids[2]!, 'health.exactBloat')?.table_len).toBe(3);

    // A result larger than the whole bound still stays while it is the newest.
    const tiny = new TaskManager({ maxResultBytes: 10 });
    const big = tiny.start({ kind: 'health.exactBloat', title: 'big' }, async () => bloat(7));
    await big.done;
    expect(tiny.result(big.task.id, 'health.exactBloat')?.table_len).toBe(7);
  });

  it('refuses a kind the contract does not know, at start and at the contract boundary', async () => {
    const tm = new TaskManager();
    expect(() => tm.start({ kind: 'backup' as TaskKind, title: 'old name' }, async () => bloat())).toThrow(/Unknown task kind "backup"/);
    const { task, done } = tm.start({ kind: 'health.exactBloat', title: 'ok' }, async () => bloat());
    await done;
    const good = tm.withResult(task.id);
    expect(contract['tasks.get'].output.safeParse(good).success).toBe(true);
    expect(contract['tasks.get'].output.safeParse({ ...good, kind: 'backup' }).success).toBe(false);
    expect(contract['tasks.list'].output.safeParse({ tasks: [{ ...tm.get(task.id), kind: 'test' }] }).success).toBe(false);
    // The result is checked against the schema of the task's kind, not any result schema.
    expect(contract['tasks.get'].output.safeParse({ ...good, kind: 'tenants.verify' }).success).toBe(false);
  });
});
