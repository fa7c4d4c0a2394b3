/**
 * Fleet settings: <home>/fleet.json (webhooks, the top-N bound of per-tenant series, the verify/report/drill
 * schedules of the headless service), validated when read; PODCASTFLOW_OPS_METRICS_TOP_N overrides the bound.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readJson } from '../store/files';
import { OpsError } from '../util/errors';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A webhook URL: http(s) only, https unless it is on loopback (a local relay), and no user:password in it
 * (a credentialed URL would end up in a log or a payload sooner or later). The URL itself is a secret
 * (a Slack webhook's path is its key): it is never logged, shown or sent; the app names a webhook by id.
 */
export const WebhookUrl = z.string().max(2000).superRefine((raw, ctx) => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a URL (e.g. https://hooks.example.com/T000/B000/XXXX)' });
    return;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'a webhook URL is http(s)' });
  else if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) ctx.addIssue({ code: 'custom', message: 'use https (plain http only to a relay on loopback)' });
  if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'a webhook URL must not hold a user or password' });
});

export const NOTIFY_EVENTS = ['health.status', 'backup.failed', 'backup.recovered', 'verify.failed', 'verify.recovered', 'rpo.breached', 'rpo.recovered', 'dr.run.started', 'dr.run.finished', 'test'] as const;
export const NotifyEventName = z.enum(NOTIFY_EVENTS);
export type NotifyEventName = z.infer<typeof NotifyEventName>;

export const Webhook = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'an id of lower-case letters, digits, _ and -'),
    /** `json`: the generic event document; `slack`: `{ text }` for a Slack-compatible incoming webhook. */
    kind: z.enum(['json', 'slack']),
    url: WebhookUrl,
    /** Only these events (default: all). */
    events: z.array(NotifyEventName).min(1).optional(),
    /** Deadline of one attempt. */
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    retries: z.number().int().min(0).max(10).default(4),
  })
  .strict();
export type Webhook = z.infer<typeof Webhook>;

const everyHours = z.object({ everyHours: z.number().int().min(1).max(24 * 31) }).strict();

export const FleetSettings = z
  .object({
    webhooks: z.array(Webhook).max(20).default([]),
    metrics: z.object({ topN: z.number().int().min(0).max(1000).default(20) }).strict().default({ topN: 20 }),
    /** Headless schedules beyond the backup one (Backups settings): verify the newest backups, reports, drills. */
    schedules: z.object({ verify: everyHours.optional(), report: everyHours.optional(), drill: everyHours.optional() }).strict().default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    const dup = s.webhooks.find((w, i) => s.webhooks.findIndex((x) => x.id === w.id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['webhooks'], message: `webhook id ${dup.id} is used twice` });
  });
export type FleetSettings = z.infer<typeof FleetSettings>;

export const fleetSettingsFile = (home: string) => join(home, 'fleet.json');

export async function readFleetSettings(home: string, env: NodeJS.ProcessEnv = process.env): Promise<FleetSettings> {
  const s = await readJson(fleetSettingsFile(home), FleetSettings, FleetSettings.parse({}));
  const raw = env.PODCASTFLOW_OPS_METRICS_TOP_N;
  if (raw === undefined || raw === '') return s;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new OpsError('invalid_setting', `PODCASTFLOW_OPS_METRICS_TOP_N is "${raw.slice(0, 20)}", not a whole number from 0 to 1000.`, 'It bounds the per-tenant series of /metrics; unset it for the default 20.');
  return { ...s, metrics: { topN: n } };
}

/** How a webhook is shown and logged: its id and host, never the path or query (they hold its key). */
export function describeWebhook(w: Webhook): { id: string; kind: Webhook['kind']; host: string; events?: NotifyEventName[] } {
  return { id: w.id, kind: w.kind, host: new URL(w.url).host, ...(w.events ? { events: w.events } : {}) };
}
