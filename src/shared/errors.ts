import { z } from 'zod';

// What crosses a host boundary when a call fails: never a stack trace, never a secret.
export const WireError = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});
export type WireError = z.infer<typeof WireError>;
