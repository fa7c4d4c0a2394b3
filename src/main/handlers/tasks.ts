import type { tasksContract } from '../../shared/domain/tasks';
import type { Handlers } from './types';

export const tasksHandlers: Handlers<keyof typeof tasksContract> = {
  'tasks.list': async (_input, app) => ({ tasks: app.tasks.list() }),
  'tasks.get': async (input, app) => app.tasks.withResult(input.id),
  'tasks.cancel': async (input, app) => ({ cancelled: app.tasks.cancel(input.id) }),
};
