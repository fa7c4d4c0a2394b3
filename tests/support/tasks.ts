import type { TaskManager } from '../../src/main/core/tasks/tasks';
import type { Task } from '../../src/shared/domain/tasks';

/** The task once it has ended (any status), on its own events rather than by polling on a timer. */
export function taskEnded(tasks: TaskManager, taskId: string): Promise<Task> {
  return new Promise((resolve) => {
    const settle = (t: Task | undefined) => {
      if (!t || t.id !== taskId || t.status === 'running' || t.status === 'queued') return;
      tasks.off('updated', settle);
      resolve(t);
    };
    tasks.on('updated', settle);
    settle(tasks.get(taskId));
  });
}
