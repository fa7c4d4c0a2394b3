import { z } from 'zod';
import { WireError } from '../errors';

export const TaskStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export const Task = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  status: TaskStatus,
  progress: z.object({
    done: z.number(),
    total: z.number().optional(),
    unit: z.string(),
    etaSec: z.number().optional(),
  }),
  log: z.array(z.string()),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  error: WireError.optional(),
  cancellable: z.boolean(),
});
export type Task = z.infer<typeof Task>;

export const tasksContract = {
  'tasks.list': { input: z.object({}).strict(), output: z.object({ tasks: z.array(Task) }) },
  'tasks.cancel': {
    input: z.object({ id: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;

export const tasksEvents = {
  'task.updated': Task,
} as const;
