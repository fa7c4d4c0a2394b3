import { z } from 'zod';

export const OverviewFacts = z.object({
  connectionId: z.string(),
  database: z.string(),
  serverVersion: z.string(),
  serverVersionNum: z.number().int(),
  startedAt: z.string(),
  uptimeSec: z.number(),
  databaseBytes: z.number(),
  tenantCount: z.number().int(),
  tenantPattern: z.string(),
  maxConnections: z.number().int(),
  connectionsByState: z.record(z.string(), z.number()),
  sampledAt: z.string(),
});
export type OverviewFacts = z.infer<typeof OverviewFacts>;

export const overviewContract = {
  'overview.get': {
    input: z.object({ connectionId: z.string().optional() }).strict(),
    output: OverviewFacts,
  },
} as const;
