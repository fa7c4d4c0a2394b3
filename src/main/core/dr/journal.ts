/**
 * A DR run's journal: <home>/dr/runs/<runId>/journal.jsonl, one event a line, appended and fsynced per
 * event (store/files.ts appendJournal). The run's state is nothing but `fold(runbook, events)`: what the
 * UI, the CLI and a restarted process see is rebuilt from the same lines, so a crash loses at most the
 * event being written. A line that does not parse (a torn last write) ends the journal there.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RunStatus, Scenario, type DrRun, type Runbook, type RunStep } from '../../../shared/domain/dr';
import { appendJournal } from '../store/files';
import { gdprClock } from './security/breach';

const at = z.string();
const step = z.string();
const WireErr = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });

export const JournalEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('opened'),
    at,
    runId: z.string(),
    scenario: Scenario,
    runbookVersion: z.number().int(),
    drill: z.boolean(),
    /** The connection's id (app) or its URL without a password (CLI). */
    connection: z.string(),
    database: z.string(),
    production: z.boolean(),
    tenants: z.array(z.string()).optional(),
    role: z.string().optional(),
    incidentAt: z.string(),
    detectedAt: z.string().optional(),
    rtoTargetSec: z.number().int(),
    rpoTargetSec: z.number().int().optional(),
    /** A drill's scratch database: the only database its actions act on. */
    scratchDatabase: z.string().optional(),
    /** Where the CLI's backups are (a later `dr next` in another process needs them); never a key. */
    destination: z.string().optional(),
    keyFiles: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('clock'), at, incidentAt: z.string().optional(), detectedAt: z.string().optional() }),
  z.object({ type: z.literal('pending'), at, step, preview: z.unknown().optional() }),
  z.object({
    type: z.literal('started'),
    at,
    step,
    taskId: z.string().optional(),
    inputs: z.record(z.string(), z.unknown()),
    /** What the step creates and a retry must drop first if the step was interrupted (a side schema). */
    partial: z.object({ schema: z.string() }).optional(),
    /** The process running it: a journal ending in `started` of a live process is running, not interrupted. */
    pid: z.number().int(),
  }),
  z.object({
    type: z.literal('succeeded'),
    at,
    step,
    output: z.unknown().optional(),
    note: z.string().optional(),
    chosen: z.string().optional(),
    /** The files the step wrote into the run's folder (relative to it), each with its SHA-256: the chain of custody. */
    evidence: z.array(z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).optional(),
  }),
  z.object({ type: z.literal('failed'), at, step, error: WireErr }),
  z.object({ type: z.literal('cancelled'), at, step }),
  z.object({ type: z.literal('interrupted'), at, step }),
  z.object({ type: z.literal('skipped'), at, step, reason: z.string() }),
  z.object({ type: z.literal('closed'), at, status: RunStatus.exclude(['open']) }),
]);
export type JournalEvent = z.infer<typeof JournalEvent>;
export type OpenedEvent = Extract<JournalEvent, { type: 'opened' }>;
export type StartedEvent = Extract<JournalEvent, { type: 'started' }>;

export async function appendEvent(file: string, event: JournalEvent): Promise<void> {
  await appendJournal(file, JournalEvent.parse(event));
}

/** The events of a journal, up to the first line that does not parse. */
export async function readEvents(file: string): Promise<JournalEvent[]> {
  const out: JournalEvent[] = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      break;
    }
    const parsed = JournalEvent.safeParse(raw);
    if (!parsed.success) break;
    out.push(parsed.data);
  }
  return out;
}

export interface FoldOptions {
  /** Epoch ms: the clocks' "now" for an open run. */
  now: number;
  /** Median measured seconds of an action in past drills, for the projection. */
  measured?: Partial<Record<string, number>>;
}

/** What the engine needs besides the public run: per step, its last `started` event. */
export interface Folded {
  run: DrRun;
  opened: OpenedEvent;
  lastStarted: Map<string, StartedEvent>;
}

const DONE = new Set<RunStep['status']>(['succeeded', 'skipped']);
const sec = (from: string, to: number) => Math.max(0, Math.round((to - Date.parse(from)) / 1000));

function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The median of each action's measured durations in past drills. */
export function measuredDurations(drills: { steps: { action?: string | undefined; status: string; durationSec?: number | undefined }[] }[]): Record<string, number> {
  const by = new Map<string, number[]>();
  for (const d of drills) for (const s of d.steps) if (s.action && s.status === 'succeeded' && s.durationSec !== undefined) by.set(s.action, [...(by.get(s.action) ?? []), s.durationSec]);
  return Object.fromEntries([...by].map(([a, xs]) => [a, median(xs)!]));
}

/**
 * The run as its journal says it is: pure, over the runbook the run is pinned to. Steps whose decision
 * ruled them out (`when`) show as skipped with the reason; the current step is the first not done.
 */
export function fold(runbook: Runbook, events: JournalEvent[], opts: FoldOptions): Folded {
  const opened = events[0];
  if (opened?.type !== 'opened') throw new Error('A run journal starts with its opened event.');
  let incidentAt = opened.incidentAt;
  let detectedAt = opened.detectedAt;
  let closed: Extract<JournalEvent, { type: 'closed' }> | undefined;
  const lastStarted = new Map<string, StartedEvent>();
  const steps = new Map<string, RunStep>(
    runbook.steps.map((s) => [
      s.id,
      {
        id: s.id,
        title: s.title,
        kind: s.kind,
        ...(s.action ? { action: s.action } : {}),
        status: 'notStarted',
        attempts: 0,
        ...(s.options ? { options: s.options } : {}),
        ...(s.required ? { required: true } : {}),
        expectedDurationSec: s.expectedDurationSec,
      },
    ]),
  );
  for (const e of events.slice(1)) {
    if (e.type === 'clock') {
      incidentAt = e.incidentAt ?? incidentAt;
      detectedAt = e.detectedAt ?? detectedAt;
      continue;
    }
    if (e.type === 'closed') {
      closed = e;
      continue;
    }
    if (e.type === 'opened') continue;
    const s = steps.get(e.step);
    if (!s) continue; // a step of no runbook version: ignored rather than fatal
    switch (e.type) {
      case 'pending':
        s.status = 'pendingApproval';
        if (e.preview !== undefined) s.preview = e.preview;
        break;
      case 'started':
        lastStarted.set(e.step, e);
        Object.assign(s, { status: 'running', startedAt: e.at, attempts: s.attempts + 1 });
        delete s.finishedAt;
        delete s.error;
        delete s.interrupted;
        if (e.taskId) s.taskId = e.taskId;
        break;
      case 'succeeded':
        // A checklist or decision is recorded in one event: it started when it was recorded.
        if (s.status !== 'running') Object.assign(s, { startedAt: e.at, attempts: s.attempts + 1 });
        Object.assign(s, { status: 'succeeded', finishedAt: e.at });
        if (e.output !== undefined) s.output = e.output;
        if (e.note !== undefined) s.note = e.note;
        if (e.chosen !== undefined) s.chosen = e.chosen;
        if (e.evidence !== undefined) s.evidence = e.evidence;
        break;
      case 'failed':
        Object.assign(s, { status: 'failed', finishedAt: e.at, error: e.error });
        break;
      case 'cancelled':
        Object.assign(s, { status: 'cancelled', finishedAt: e.at });
        break;
      case 'interrupted':
        Object.assign(s, { status: 'failed', finishedAt: e.at, interrupted: true, error: { code: 'interrupted', message: 'The process stopped while this step ran.', hint: 'Retry it (dr next) or skip it (dr next --skip).' } });
        break;
      case 'skipped':
        Object.assign(s, { status: 'skipped', finishedAt: e.at, skipReason: e.reason });
        break;
    }
  }
  // Decisions rule out the steps of the other options.
  for (const rs of runbook.steps) {
    const s = steps.get(rs.id)!;
    if (!rs.when || s.status !== 'notStarted') continue;
    const d = steps.get(rs.when.step)!;
    if (d.status === 'skipped') Object.assign(s, { status: 'skipped', skipReason: `decision "${d.title}" was skipped` });
    else if (d.status === 'succeeded' && d.chosen !== rs.when.option) Object.assign(s, { status: 'skipped', skipReason: `decision "${d.title}" chose ${d.chosen ?? 'another option'}, not ${rs.when.option}` });
  }

  const list = [...steps.values()];
  const end = closed ? Date.parse(closed.at) : opts.now;
  const current = closed ? undefined : list.find((s) => !DONE.has(s.status));
  // The RTO covers the steps up to the one that stops its clock (a breach: containment), else all of them.
  const stopAt = runbook.rtoEndsAfter ? list.findIndex((s) => s.id === runbook.rtoEndsAfter) : list.length - 1;
  const timed = list.slice(0, stopAt + 1);
  const ends = timed.flatMap((s) => (s.finishedAt ? [s.finishedAt] : [])).sort();
  const stopped = runbook.rtoEndsAfter && timed.every((s) => DONE.has(s.status)) ? (ends.at(-1) ?? opened.at) : undefined;
  const remaining = timed
    .filter((s) => !DONE.has(s.status))
    .reduce((sum, s) => {
      const expected = (s.action ? opts.measured?.[s.action] : undefined) ?? s.expectedDurationSec;
      return sum + (s.status === 'running' && s.startedAt ? Math.max(0, expected - sec(s.startedAt, opts.now)) : expected);
    }, 0);
  // RTO counts from when the incident was known (detection, else the run's start): a deletion found a
  // day later has not used up its recovery time before anyone knew of it.
  const awareAt = detectedAt ?? opened.at;
  const elapsedSec = sec(awareAt, stopped ? Date.parse(stopped) : end);
  const projectedSec = closed || stopped ? elapsedSec : elapsedSec + remaining;
  // Met: known once the clock stopped (the run succeeded, or its RTO step is done), or once it ran past the target.
  const known = stopped !== undefined || closed?.status === 'succeeded';
  const point = list.find((s) => s.action === 'choose_restore_point' && s.status === 'succeeded')?.output as { backup?: { finishedAt?: string }; target?: { value?: string } } | undefined;
  // A logical backup's end, or a point-in-time target (RPO achieved = T0 − the target).
  const restorePoint = point?.backup?.finishedAt ?? point?.target?.value;
  const achievedSec = restorePoint ? Math.max(0, Math.round((Date.parse(incidentAt) - Date.parse(restorePoint)) / 1000)) : undefined;
  const run: DrRun = {
    id: opened.runId,
    scenario: opened.scenario,
    runbookVersion: opened.runbookVersion,
    status: closed?.status ?? 'open',
    drill: opened.drill,
    connection: opened.connection,
    ...(opened.tenants ? { tenants: opened.tenants } : {}),
    ...(opened.role ? { role: opened.role } : {}),
    incidentAt,
    ...(detectedAt ? { detectedAt } : {}),
    startedAt: opened.at,
    ...(closed ? { finishedAt: closed.at } : {}),
    // Met: known once the run succeeded, or once the clock ran past the target.
    rto: { targetSec: opened.rtoTargetSec, elapsedSec, projectedSec, ...(runbook.rtoEndsAfter ? { endsAfter: runbook.rtoEndsAfter } : {}), ...(stopped ? { stoppedAt: stopped } : {}), ...(known ? { met: elapsedSec <= opened.rtoTargetSec } : elapsedSec > opened.rtoTargetSec ? { met: false } : {}) },
    rpo: {
      ...(opened.rpoTargetSec !== undefined ? { targetSec: opened.rpoTargetSec } : {}),
      ...(restorePoint ? { restorePoint } : {}),
      ...(achievedSec !== undefined ? { achievedSec } : {}),
      ...(achievedSec !== undefined && opened.rpoTargetSec !== undefined ? { met: achievedSec <= opened.rpoTargetSec } : {}),
    },
    ...(opened.scenario === 'breach' ? { regulatory: gdprClock(awareAt, new Date(opts.now)) } : {}),
    ...(current ? { currentStep: current.id } : {}),
    steps: list,
  };
  return { run, opened, lastStarted };
}
