import { z } from 'zod';

export const AppInfo = z.object({
  version: z.string(),
  host: z.enum(['electron', 'browser']),
  dataDir: z.string(),
  demo: z.object({
    state: z.enum(['off', 'starting', 'running', 'failed']),
    tenants: z.number().int().optional(),
    message: z.string().optional(),
  }),
  passwordStorage: z.object({ canPersist: z.boolean(), reason: z.string() }),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appContract = {
  'app.info': { input: z.object({}).strict(), output: AppInfo },
} as const;
