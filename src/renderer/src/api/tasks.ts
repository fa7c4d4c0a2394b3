import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Output } from '../../../shared/contract';
import type { Task } from '../../../shared/domain/tasks';
import { BridgeError, invoke } from '../bridge';
import { useCall } from './client';

/** Running and recent tasks by id: tasks.list once, then kept current by task.updated (see followEvents). */
export function useTasks(): Record<string, Task> {
  // Read once; events keep it current (every row's button follows a task: no refetch per mount).
  const { data } = useCall('tasks.list', {}, { staleTime: Infinity });
  return useMemo(() => Object.fromEntries((data?.tasks ?? []).map((t) => [t.id, t])), [data]);
}

export function useCancelTask() {
  return useMutation<Output<'tasks.cancel'>, BridgeError, string>({ mutationFn: (id) => invoke('tasks.cancel', { id }) });
}

export const isActive = (t: Task | undefined): boolean => t?.status === 'running' || t?.status === 'queued';

/**
 * A finished task's result, typed per kind by the contract and kept with the task by the core (`tasks.get`).
 * The Tenants page reads its last verification through `tenants.result` instead, as it needs it before any
 * task of this window ran.
 */
async function readTaskResult(task: Task): Promise<unknown> {
  return (await invoke('tasks.get', { id: task.id })).result ?? null;
}

/**
 * Follow one task: its status, progress and error from task.updated, its result once it succeeded
 * (read only when `withResult`), and cancel. `taskId` undefined follows nothing.
 */
export function useTask<R = unknown>(taskId: string | undefined, { withResult = false } = {}) {
  const task = useTasks()[taskId ?? ''];
  const cancel = useCancelTask();
  const succeeded = task?.status === 'succeeded';
  const result = useQuery<unknown, BridgeError>({ queryKey: ['task.result', taskId], queryFn: () => readTaskResult(task!), staleTime: Infinity, enabled: Boolean(withResult && task && succeeded) });
  return {
    task,
    status: task?.status,
    running: isActive(task),
    progress: task?.progress,
    result: result.data as R | null | undefined,
    /** The task's own failure, or the failure to read its result. */
    error: task?.error ?? result.error ?? undefined,
    cancel: () => (taskId ? cancel.mutateAsync(taskId) : Promise.resolve(undefined)),
  };
}
