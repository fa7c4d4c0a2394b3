import { z } from 'zod';

/**
 * Fleet (issue 16): notifications for the team beyond this console. A webhook is shown by id, kind and
 * host only: its URL is a secret (a Slack webhook's path is its key) and never reaches the renderer.
 */
export const WebhookView = z.object({
  id: z.string(),
  kind: z.enum(['json', 'slack']),
  host: z.string(),
  events: z.array(z.string()).optional(),
});
export type WebhookView = z.infer<typeof WebhookView>;

export const DeliveryResult = z.object({
  webhook: z.string(),
  ok: z.boolean(),
  attempts: z.number().int(),
  status: z.number().int().optional(),
  /** A fixed word: timeout, network, http_<status>. */
  error: z.string().optional(),
});
export type DeliveryResult = z.infer<typeof DeliveryResult>;

export const fleetContract = {
  /** The configured webhooks (<data dir>/fleet.json). */
  'fleet.webhooks': { input: z.object({}).strict(), output: z.object({ webhooks: z.array(WebhookView) }) },
  /** Send a test notification to every webhook now; each one's outcome. */
  'fleet.testWebhooks': { input: z.object({}).strict(), output: z.object({ results: z.array(DeliveryResult) }) },
} as const;
