import { create } from 'zustand';
import type { Task } from '../../../shared/domain/tasks';
import { invoke, subscribe } from '../bridge';

interface TasksState {
  tasks: Record<string, Task>;
  start(): () => void;
  cancel(id: string): Promise<void>;
}

/** Running and recent tasks, kept current by task.updated events. */
export const useTasksStore = create<TasksState>((set) => ({
  tasks: {},
  start() {
    void invoke('tasks.list', {}).then(({ tasks }) => set((s) => ({ tasks: { ...Object.fromEntries(tasks.map((t) => [t.id, t])), ...s.tasks } })));
    return subscribe('task.updated', (task) => set((s) => ({ tasks: { ...s.tasks, [task.id]: task } })));
  },
  async cancel(id) {
    await invoke('tasks.cancel', { id });
  },
}));
