/**
 * The DR run engine (issue 11): runs walk a runbook pinned at start (copied into the run's folder), every
 * change is one journal event (journal.ts), and the run is the fold of its journal. Actions run as
 * `dr.step` tasks through the adapters of actions.ts.
 *
 *   <home>/dr/runs/<runId>/runbook.json   the runbook as it was when the run started
 *   <home>/dr/runs/<runId>/journal.jsonl  the events, fsynced one by one
 *   <home>/dr/drills.jsonl                finished drills (DrillRecord)
 *   <home>/dr/targets.json                RTO targets overridden per connection
 *
 * Resume: a step whose last event is `started`, run by a process that is gone, is journalled as
 * interrupted when the run is next read (App start, or any read): the operator retries or skips it.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { DrillRecord, Scenario, type BaselineSummary, type Readiness, type ScenarioSummary, type DrRun, type NextInput, type Runbook, type RunbookStep, type RunSummary, type StartInput } from '../../../shared/domain/dr';
import type { SecretRef } from '../../../shared/domain/secrets';
import { checkIdentifier, isDrillDatabaseName, isSideSchemaName, sideSchemaName } from '../backup/naming';
import { Database } from '../db/database';
import { appendJournal, readJson, writeTextAtomic } from '../store/files';
import { readCatalog } from '../backup/catalog';
import type { TaskContext, TaskManager } from '../tasks/tasks';
import { OpsError, toWireError } from '../util/errors';
import { adapterOf, type BackupTools } from './registry';
import type { PitrHook } from './restore-point';
import { appendEvent, fold, measuredDurations, readEvents, type Folded, type JournalEvent, type OpenedEvent } from './journal';
import { fingerprintDatabase } from './actions/fingerprint';
import { runCorruptionDrillRecord, runDrill } from './drill';
import { readiness } from './readiness';
import { baselineAge, baselineId, recordBaseline, summariseBaseline } from './security';
import { listRunbooks, loadRunbook, parseRunbook, summarise } from './runbooks';

export interface DrConnection {
  /** The id the run records: a profile id (app) or the URL without its password (CLI). */
  id: string;
  db: Database;
  database: string;
  production: boolean;
  /** The Secrets Manager secret the connection's credential comes from (rotate_credentials updates it). */
  secret?: SecretRef;
}

export interface DrHost {
  home: string;
  tasks: TaskManager;
  /** The connection of an id (absent: the active one). */
  connection(id?: string): Promise<DrConnection>;
  /** The backups of a run: the app's settings, or what the CLI's run was started with. */
  backups(where: { destination?: string; keyFiles?: string[] }): Promise<BackupTools>;
  now?: () => number;
  runbookDir?: string;
  onRun?(e: { runId: string; status: DrRun['status']; currentStep?: string }): void;
  /** The connection's point-in-time recovery (pgBackRest), when it is set up: restore points and tenant restore. */
  pitr?(connectionId: string): Promise<PitrHook | undefined>;
  /** The live database's fingerprint before and after a drill (default: actions/fingerprint.ts). */
  fingerprint?: (db: Database, tenants?: string[]) => Promise<string>;
}

export interface StartOptions {
  drill?: boolean;
  /** A drill's scratch database: the only database its actions may touch. */
  scratchDatabase?: string;
  destination?: string;
  keyFiles?: string[];
}

const Targets = z.record(z.string(), z.record(Scenario, z.number().int().min(60)));

const DONE = new Set(['succeeded', 'skipped']);
const SKIPPABLE = new Set(['notStarted', 'pendingApproval', 'failed', 'cancelled']);

/** Whether a process id is alive on this machine (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An output as the journal stores it: plain JSON. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** A field path into a step's output; `$` is the whole output (unlock_role takes lock_role's record). */
function getPath(v: unknown, path: string): unknown {
  if (path === '$') return v;
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v);
}

function isoTime(v: string, what: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))) throw new OpsError('invalid_input', `${what} ${JSON.stringify(v.slice(0, 60))} is not an ISO 8601 timestamp.`, 'e.g. 2026-11-25T09:41:00Z');
  return new Date(Date.parse(v)).toISOString();
}

const Evidence = z.array(z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1);

/** The files an action wrote into the run's folder (its output's `evidence`), for the journal's chain of custody. */
function evidenceOf(output: unknown): { evidence?: z.infer<typeof Evidence> } {
  const e = Evidence.safeParse((output as { evidence?: unknown } | undefined)?.evidence);
  return e.success ? { evidence: e.data } : {};
}

interface Loaded extends Folded {
  runbook: Runbook;
  journal: string;
}

/** The drill history of an app data directory, oldest first; a torn line is left out. */
export async function readDrills(home: string): Promise<DrillRecord[]> {
  let text: string;
  try {
    text = await readFile(join(home, 'dr', 'drills.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const out: DrillRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const d = DrillRecord.safeParse(JSON.parse(line));
      if (d.success) out.push(d.data);
    } catch {
      // a torn last line
    }
  }
  return out;
}

export class DrService {
  private readonly now: () => number;
  /** One change at a time per run (and one start at a time): journal appends never interleave. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Steps this process is running: runId -> the task's settled promise. */
  private readonly active = new Map<string, { stepId: string; taskId: string; done: Promise<void> }>();

  constructor(private readonly host: DrHost) {
    this.now = host.now ?? Date.now;
  }

  private get dir(): string {
    return join(this.host.home, 'dr');
  }
  private runDir(runId: string): string {
    return join(this.dir, 'runs', runId);
  }
  get drillsFile(): string {
    return join(this.dir, 'drills.jsonl');
  }

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    this.queues.set(key, next);
    void next.finally(() => this.queues.get(key) === next && this.queues.delete(key)).catch(() => {});
    return next;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Median measured durations of each action in past drills (the projection's input). */
  private async measured(): Promise<Record<string, number>> {
    return measuredDurations(await this.drills());
  }

  private async load(runId: string, measured?: Record<string, number>): Promise<Loaded> {
    const dir = this.runDir(runId);
    const journal = join(dir, 'journal.jsonl');
    let runbook: Runbook;
    let events: JournalEvent[];
    try {
      runbook = parseRunbook(await readFile(join(dir, 'runbook.json'), 'utf8'), join(dir, 'runbook.json'));
      events = await readEvents(journal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new OpsError('not_found', `There is no DR run ${runId}.`, 'dr status lists the runs.');
      throw err;
    }
    const m = measured ?? (await this.measured());
    let folded = fold(runbook, events, { now: this.now(), measured: m });
    // Steps left running by a process that is gone (or by this one before it lost track): interrupted.
    // A step another live process runs (the app while the CLI reads) is left running.
    const lost = folded.run.steps.filter((s) => {
      if (s.status !== 'running' || this.active.has(runId)) return false;
      const pid = folded.lastStarted.get(s.id)?.pid;
      return pid === undefined || pid === process.pid || !alive(pid);
    });
    if (lost.length) {
      for (const s of lost) events.push(await this.append(journal, { type: 'interrupted', at: this.iso(), step: s.id }));
      folded = fold(runbook, events, { now: this.now(), measured: m });
    }
    return { ...folded, runbook, journal };
  }

  private async append<E extends JournalEvent>(journal: string, e: E): Promise<E> {
    await appendEvent(journal, e);
    return e;
  }

  private emit(run: DrRun): void {
    this.host.onRun?.({ runId: run.id, status: run.status, ...(run.currentStep ? { currentStep: run.currentStep } : {}) });
  }

  /** Every run, newest first (reading them marks what a dead process left running as interrupted). */
  async runs(filter: { connection?: string; scenario?: Scenario; drill?: boolean } = {}): Promise<DrRun[]> {
    let ids: string[];
    try {
      ids = await readdir(join(this.dir, 'runs'));
    } catch {
      return [];
    }
    const measured = await this.measured();
    const out: DrRun[] = [];
    for (const id of ids.sort().reverse()) {
      const run = await this.serial(id, () => this.load(id, measured))
        .then((l) => l.run)
        .catch(() => undefined); // a folder that is not a run (or a broken one) is left out of the list
      if (!run) continue;
      if (filter.connection !== undefined && run.connection !== filter.connection) continue;
      if (filter.scenario && run.scenario !== filter.scenario) continue;
      if (filter.drill !== undefined && run.drill !== filter.drill) continue;
      out.push(run);
    }
    return out;
  }

  /** App start: bring back every run, marking interrupted steps. */
  async resume(): Promise<number> {
    return (await this.runs()).filter((r) => r.status === 'open').length;
  }

  async list(input: { connectionId?: string; scenario?: Scenario; drill?: boolean }): Promise<{ runs: RunSummary[] }> {
    const conn = input.connectionId !== undefined ? input.connectionId : await this.host.connection().then((c) => c.id).catch(() => undefined);
    const runs = await this.runs({ ...(conn !== undefined ? { connection: conn } : {}), ...(input.scenario ? { scenario: input.scenario } : {}), ...(input.drill !== undefined ? { drill: input.drill } : {}) });
    return {
      runs: runs.map((r) => ({ id: r.id, scenario: r.scenario, status: r.status, drill: r.drill, connection: r.connection, ...(r.tenants ? { tenants: r.tenants } : {}), incidentAt: r.incidentAt, startedAt: r.startedAt, ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}), ...(r.currentStep ? { currentStep: r.currentStep } : {}), rto: r.rto, rpo: r.rpo, ...(r.regulatory ? { regulatory: r.regulatory } : {}) })),
    };
  }

  async run(runId: string): Promise<DrRun> {
    return (await this.serial(runId, () => this.load(runId))).run;
  }

  /** The RTO target of a scenario on a connection: the override in targets.json, else the runbook's. */
  async rtoTarget(connection: string, runbook: Runbook): Promise<number> {
    const t = await readJson(join(this.dir, 'targets.json'), Targets, {});
    return t[connection]?.[runbook.scenario] ?? runbook.rto.targetSec;
  }

  async start(input: StartInput, opts: StartOptions = {}): Promise<DrRun> {
    const conn = await this.host.connection(input.connectionId);
    const runbook = await loadRunbook(input.scenario, this.host.runbookDir);
    for (const t of input.tenants ?? []) checkIdentifier(t, 'tenant');
    if (input.role) checkIdentifier(input.role, 'role');
    const drill = opts.drill ?? false;
    return this.serial('start', async () => {
      const open = (await this.runs({ connection: conn.id, scenario: input.scenario, drill })).find((r) => r.status === 'open');
      if (open) {
        throw new OpsError('run_open', `Run ${open.id} of ${input.scenario}${drill ? ' (a drill)' : ''} is already open on this connection (started ${open.startedAt}${open.currentStep ? `, at step ${open.currentStep}` : ''}).`, `Continue it (dr next ${open.id}) or cancel it; one run per scenario and connection.`);
      }
      const at = this.iso();
      const runId = `${at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${input.scenario}-${randomBytes(3).toString('hex')}`;
      const dir = this.runDir(runId);
      await writeTextAtomic(join(dir, 'runbook.json'), JSON.stringify(runbook, null, 2) + '\n');
      const opened: OpenedEvent = {
        type: 'opened',
        at,
        runId,
        scenario: input.scenario,
        runbookVersion: runbook.version,
        drill,
        connection: conn.id,
        database: conn.database,
        production: conn.production,
        ...(input.tenants?.length ? { tenants: input.tenants } : {}),
        ...(input.role ? { role: input.role } : {}),
        incidentAt: input.incidentAt ? isoTime(input.incidentAt, 'The incident time') : at,
        ...(input.detectedAt ? { detectedAt: isoTime(input.detectedAt, 'The detection time') } : {}),
        rtoTargetSec: await this.rtoTarget(conn.id, runbook),
        ...(runbook.rpo ? { rpoTargetSec: runbook.rpo.targetSec } : {}),
        ...(opts.scratchDatabase ? { scratchDatabase: opts.scratchDatabase } : {}),
        ...(opts.destination ? { destination: opts.destination } : {}),
        ...(opts.keyFiles?.length ? { keyFiles: opts.keyFiles } : {}),
      };
      await this.append(join(dir, 'journal.jsonl'), opened);
      const run = (await this.load(runId)).run;
      this.emit(run);
      return run;
    });
  }

  /**
   * Advance the run: skip the current step, record a checklist or decision, or start the current action
   * (as a task; `wait` settles once it ended, for the CLI and drills).
   */
  async next(input: NextInput, opts: { wait?: boolean } = {}): Promise<DrRun> {
    const started = await this.serial(input.runId, () => this.advance(input));
    if (opts.wait) await this.active.get(input.runId)?.done;
    return opts.wait || !started ? this.run(input.runId) : started;
  }

  private async advance(input: NextInput): Promise<DrRun> {
    const l = await this.load(input.runId);
    const { run, runbook, journal, opened } = l;
    if (run.status !== 'open') throw new OpsError('run_closed', `Run ${run.id} is ${run.status}; it takes no more steps.`, 'Start a new run if needed.');
    const step = run.steps.find((s) => s.id === run.currentStep);
    if (!step) return this.closeIfDone(input.runId);
    const rs = runbook.steps.find((s) => s.id === step.id)!;
    if (step.status === 'running') throw new OpsError('step_running', `Step ${step.id} of run ${run.id} is running (task ${step.taskId ?? '?'}).`, 'Wait for it, or cancel it and then retry or skip it.');
    const note = input.note?.trim() || undefined;

    if (input.skip) {
      if (!SKIPPABLE.has(step.status)) throw new OpsError('skip_refused', `Step ${step.id} is ${step.status}; a step is skipped only before it starts, after it failed or was cancelled, or when it was interrupted.`);
      if (rs.required && !opened.drill) throw new OpsError('skip_refused', `Step ${step.id} (${step.title}) is required: the run cannot close without it.`, 'Run it (dr next); retry it if it failed.');
      await this.append(journal, { type: 'skipped', at: this.iso(), step: step.id, reason: note ?? 'skipped by the operator' });
      return this.closeIfDone(input.runId);
    }
    const given = Object.keys(input.inputs ?? {});
    if (given.length && !rs.action) throw new OpsError('invalid_input', `Step ${step.id} is a ${rs.kind} step: it takes no input ${given.map((k) => JSON.stringify(k)).join(', ')}.`, 'Inputs go with the action steps that name them.');
    if (input.choose !== undefined && rs.kind !== 'decision') throw new OpsError('invalid_input', `Step ${step.id} is ${rs.kind === 'action' ? 'an' : 'a'} ${rs.kind} step, not a decision; --choose does not apply.`);
    const conn = await this.host.connection(opened.connection);

    if (rs.kind === 'decision') {
      const options = rs.options ?? [];
      const choice = input.choose === 'recommended' ? options.find((o) => o.recommended) : options.find((o) => o.id === input.choose);
      if (!choice) {
        const list = options.map((o) => `${o.id}${o.recommended ? ' (recommended)' : ''}`).join(', ');
        throw new OpsError('invalid_input', input.choose === undefined ? `Step ${step.id} is a decision: choose one of ${list}.` : `Step ${step.id} has no option ${JSON.stringify(input.choose)}${input.choose === 'recommended' ? ' recommended' : ''}; its options: ${list}.`, 'Pass --choose OPTION (or --choose recommended).');
      }
      await this.gate(l, rs, conn, input.confirm);
      await this.append(journal, { type: 'succeeded', at: this.iso(), step: step.id, chosen: choice.id, ...(note ? { note } : {}) });
      return this.closeIfDone(input.runId);
    }
    if (!rs.action) {
      // A checklist (or an evidence step captured by hand): the operator confirms it, with a note.
      await this.gate(l, rs, conn, input.confirm);
      await this.append(journal, { type: 'succeeded', at: this.iso(), step: step.id, ...(note ? { note } : {}) });
      return this.closeIfDone(input.runId);
    }
    return this.startAction(l, rs, conn, input);
  }

  /** Gates: a confirmation, and on production the database's name typed back; a drill passes unattended. */
  private async gate(l: Loaded, rs: RunbookStep, conn: DrConnection, confirm: string | undefined, preview?: () => Promise<unknown>): Promise<void> {
    const g = rs.gates;
    if (!g || l.opened.drill) return;
    const typed = g.typedDatabaseNameOnProduction && l.opened.production;
    const ok = typed ? confirm === l.opened.database : !g.confirm || Boolean(confirm?.trim());
    if (ok) return;
    const step = l.run.steps.find((s) => s.id === rs.id)!;
    if (step.status !== 'pendingApproval' || (preview && step.preview === undefined)) {
      // The preview is best effort: a plan that cannot be made now is made (and fails clearly) when the step runs.
      const shown = preview ? await preview().catch(() => undefined) : undefined;
      await this.append(l.journal, { type: 'pending', at: this.iso(), step: rs.id, ...(shown !== undefined ? { preview: plain(shown) } : {}) });
    }
    this.emit((await this.load(l.run.id)).run);
    throw new OpsError(
      'confirmation_required',
      typed ? `Step ${rs.id} (${rs.title}) acts on production: type the database name "${conn.database}" to confirm${confirm ? ` (${JSON.stringify(confirm.slice(0, 63))} is not it)` : ''}.` : `Step ${rs.id} (${rs.title}) needs a confirmation.`,
      typed ? `dr next ${l.run.id} --confirm ${conn.database}; nothing was changed.` : `dr next ${l.run.id} --confirm yes; nothing was changed.`,
    );
  }

  /** The action's inputs: from the operator (or the run's own tenant, role, incident time), or from earlier steps' outputs. */
  private inputs(l: Loaded, rs: RunbookStep, given: Record<string, string> = {}): Record<string, unknown> {
    const { run } = l;
    const known = new Set((rs.inputs ?? []).filter((i) => i.from === 'operator').map((i) => i.name));
    const unknown = Object.keys(given).filter((k) => !known.has(k));
    if (unknown.length) throw new OpsError('invalid_input', `Step ${rs.id} takes no input ${unknown.map((k) => JSON.stringify(k)).join(', ')}.`, known.size ? `Its inputs: ${[...known].join(', ')}.` : 'It takes no operator inputs.');
    const runDefault = (type: string, name: string): unknown => (type === 'tenant' ? run.tenants?.[0] : type === 'tenants' ? run.tenants : type === 'role' ? run.role : type === 'timestamp' && name === 'incidentAt' ? run.incidentAt : undefined);
    const out: Record<string, unknown> = {};
    for (const i of rs.inputs ?? []) {
      let v: unknown;
      if (i.from === 'operator') {
        v = given[i.name]?.trim() || runDefault(i.type, i.name);
        if (v === undefined && !i.optional) throw new OpsError('invalid_input', `Step ${rs.id} needs its input ${i.name}: ${i.prompt}.`, `dr next ${run.id} --input ${i.name}=VALUE`);
      } else {
        const src = run.steps.find((s) => s.id === i.step);
        v = src?.status === 'succeeded' ? getPath(src.output, i.field) : undefined;
        // A point-in-time restore point has no backup: the restore point itself is the step's backup input.
        if (v === undefined && i.type === 'backup' && (src?.output as { source?: string } | undefined)?.source === 'pitr') v = src!.output;
        // The run's own tenant stands in where the step that names it was skipped or not built.
        v ??= runDefault(i.type, i.name);
        if (v === undefined && src?.status !== 'skipped') throw new OpsError('invalid_input', `Step ${rs.id} needs ${i.name} from step ${i.step}, which has not given it.`, `Run step ${i.step} first.`);
      }
      if (v === undefined) continue;
      if (['tenant', 'schema', 'database', 'role'].includes(i.type)) {
        if (typeof v !== 'string') throw new OpsError('invalid_input', `Input ${i.name} of step ${rs.id} is not a name.`);
        checkIdentifier(v, i.type);
      }
      if (i.type === 'timestamp') v = isoTime(String(v), `Input ${i.name}`);
      out[i.name] = v;
    }
    return out;
  }

  private async startAction(l: Loaded, rs: RunbookStep, conn: DrConnection, input: NextInput): Promise<DrRun> {
    const { run, opened, journal } = l;
    const adapter = adapterOf(rs.action!); // refuses an action not built, before anything changes
    const inputs = this.inputs(l, rs, input.inputs);
    const scratch = opened.scratchDatabase;
    const db = scratch ? new Database({ ...conn.db.target, database: scratch }, conn.db.toolCredential()) : conn.db;
    const closeDb = () => (db !== conn.db ? db.close().catch(() => {}) : Promise.resolve());
    try {
      if (opened.drill) {
        const live = adapter.targets({ db, inputs }).filter((t) => !isDrillDatabaseName(t));
        if (live.length) throw new OpsError('drill_live_target', `A drill may act only on its scratch database; step ${rs.id} would act on ${live.join(', ')}.`, 'Nothing was changed.');
        if (adapter.clusterWide) throw new OpsError('drill_live_target', `A drill may act only on its scratch database; step ${rs.id} (${rs.action}) acts on the whole server: ${adapter.clusterWide}.`, 'Nothing was changed.');
      }
      const preview = adapter.preview;
      await this.gate(l, rs, conn, input.confirm, preview ? () => preview({ db, inputs, signal: AbortSignal.timeout(60_000) }) : undefined);
      const backups = await this.host.backups({ ...(opened.destination ? { destination: opened.destination } : {}), ...(opened.keyFiles ? { keyFiles: opened.keyFiles } : {}) });
      // After a crash mid-way: the partial side schema the interrupted attempt named is dropped first.
      const prev = l.lastStarted.get(rs.id);
      const step = run.steps.find((s) => s.id === rs.id)!;
      if (step.interrupted && prev?.partial && isSideSchemaName(prev.partial.schema)) {
        await db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(prev.partial.schema)} CASCADE`, [], { purpose: 'admin' });
      }
      const partial = adapter.partial?.({ inputs, now: this.now }, sideSchemaName);
      if (typeof inputs.incidentAt === 'string' && inputs.incidentAt !== run.incidentAt) await this.append(journal, { type: 'clock', at: this.iso(), incidentAt: inputs.incidentAt });
      const incidentAt = typeof inputs.incidentAt === 'string' ? inputs.incidentAt : run.incidentAt;

      let release!: (go: boolean) => void;
      const ready = new Promise<boolean>((r) => (release = r));
      const { task, done } = this.host.tasks.start({ kind: 'dr.step', title: `${run.scenario}: ${rs.title}`, connectionId: conn.id, unit: 'steps', cancellable: true }, async (ctx) => {
        if (!(await ready)) throw new OpsError('error', 'The step could not be journalled; it did not run.');
        // Drills stay on logical backups: their restore must come from the catalog they prove.
        const pitr = opened.drill || !this.host.pitr ? undefined : () => this.host.pitr!(conn.id);
        return plain(
          await adapter.run({
            db,
            sourceDatabase: opened.database,
            backups,
            inputs,
            ...(partial ? { partial } : {}),
            ...(pitr ? { pitr } : {}),
            incidentAt,
            runDir: this.runDir(run.id),
            home: this.host.home,
            ...(conn.secret ? { secret: conn.secret } : {}),
            stepId: rs.id,
            attempt: step.attempts + 1,
            signal: ctx.signal,
            log: ctx.log,
            progress: ctx.progress,
            now: this.now,
          }),
        );
      });
      try {
        await this.append(journal, { type: 'started', at: this.iso(), step: rs.id, taskId: task.id, inputs: plain(inputs) as Record<string, unknown>, ...(partial ? { partial } : {}), pid: process.pid });
      } catch (err) {
        release(false);
        throw err;
      }
      const settled = done.then(
        (output) => this.end(run.id, journal, { type: 'succeeded', at: this.iso(), step: rs.id, ...(output !== undefined ? { output } : {}), ...evidenceOf(output) }),
        (err: unknown) => {
          const w = toWireError(err);
          return this.end(run.id, journal, w.code === 'cancelled' ? { type: 'cancelled', at: this.iso(), step: rs.id } : { type: 'failed', at: this.iso(), step: rs.id, error: { code: w.code, message: w.message, ...(w.hint ? { hint: w.hint } : {}) } });
        },
      );
      const finished = settled.finally(closeDb).catch(() => {});
      this.active.set(run.id, { stepId: rs.id, taskId: task.id, done: finished });
      release(true);
      const now = (await this.load(run.id)).run;
      this.emit(now);
      return now;
    } catch (err) {
      await closeDb();
      throw err;
    }
  }

  /** A step's end, journalled in its run's turn; the run closes when nothing is left. */
  private async end(runId: string, journal: string, e: JournalEvent): Promise<void> {
    await this.serial(runId, async () => {
      await this.append(journal, e);
      this.active.delete(runId);
      await this.closeIfDone(runId);
    });
  }

  private async closeIfDone(runId: string): Promise<DrRun> {
    const l = await this.load(runId);
    if (l.run.status === 'open' && l.run.steps.every((s) => DONE.has(s.status))) {
      await this.append(l.journal, { type: 'closed', at: this.iso(), status: 'succeeded' });
    }
    const run = (await this.load(runId)).run;
    this.emit(run);
    return run;
  }

  /** Cancel the running step's task, or (run: true) the whole run. */
  async cancel(input: { runId: string; run?: boolean }): Promise<DrRun> {
    const active = this.active.get(input.runId);
    if (active) {
      this.host.tasks.cancel(active.taskId);
      await active.done;
    } else if (!input.run) {
      const run = await this.run(input.runId);
      const step = run.steps.find((s) => s.id === run.currentStep);
      throw new OpsError('invalid_input', step?.status === 'running' ? `Step ${step.id} runs in another process; cancel it there.` : `No step of run ${input.runId} is running.`);
    }
    if (input.run) {
      await this.serial(input.runId, async () => {
        const l = await this.load(input.runId);
        if (l.run.status !== 'open') throw new OpsError('run_closed', `Run ${input.runId} is already ${l.run.status}.`);
        await this.append(l.journal, { type: 'closed', at: this.iso(), status: 'cancelled' });
      });
    }
    const run = await this.run(input.runId);
    this.emit(run);
    return run;
  }

  /** Close an open run as failed (a drill that could not finish). */
  async fail(runId: string): Promise<DrRun> {
    await this.serial(runId, async () => {
      const l = await this.load(runId);
      if (l.run.status === 'open') await this.append(l.journal, { type: 'closed', at: this.iso(), status: 'failed' });
    });
    return this.run(runId);
  }

  async scenarios(): Promise<{ scenarios: ScenarioSummary[] }> {
    return { scenarios: (await listRunbooks(this.host.runbookDir)).map(summarise) };
  }

  /** Readiness now for a connection: RPO from its backup destination, projected RTO from the drills. */
  async readiness(connectionId?: string, where: { destination?: string; keyFiles?: string[] } = {}): Promise<Readiness> {
    const conn = await this.host.connection(connectionId);
    const tools = await this.host.backups(where);
    const [entries, runbooks, drills] = await Promise.all([tools.catalog ? tools.catalog() : readCatalog(tools.dest), listRunbooks(this.host.runbookDir), this.drills()]);
    const targets = await readJson(join(this.dir, 'targets.json'), Targets, {});
    const baseline = await baselineAge(this.host.home, baselineId(conn.db.target), this.now());
    return { ...readiness(entries.filter((e) => e.database === conn.database), runbooks.map((l) => l.runbook), this.now(), { drills, rtoTargets: targets[conn.id] ?? {} }), ...(baseline ? { baseline } : {}) };
  }

  /** Records the security baseline of the connection's database now (replacing the one before): what persistence hunts compare against. */
  async recordBaseline(connectionId?: string): Promise<BaselineSummary> {
    const conn = await this.host.connection(connectionId);
    const b = await recordBaseline(await conn.db.pool('admin'), { home: this.host.home, connectionId: baselineId(conn.db.target), now: () => new Date(this.now()) });
    return summariseBaseline(b);
  }

  /** A drill, start to end (the CLI); its record is in the drill history whatever the outcome. */
  async drill(input: { connectionId?: string; scenario: Scenario; tenant?: string }, ctx: Pick<TaskContext, 'signal' | 'log'>, where: { destination?: string; keyFiles?: string[] } = {}): Promise<DrillRecord> {
    const conn = await this.host.connection(input.connectionId);
    const deps = { service: this, conn, now: this.now, fingerprint: this.host.fingerprint ?? (async (db: Database, tenants?: string[]) => (await fingerprintDatabase(db, tenants ? { tenants } : {})).sha256), where, ...(this.host.runbookDir ? { runbookDir: this.host.runbookDir } : {}) };
    // A corruption drill makes its own throwaway cluster and backup: it needs no destination or key.
    if (input.scenario === 'corruption') return runCorruptionDrillRecord(deps, ctx);
    return runDrill({ ...deps, backups: await this.host.backups(where) }, { scenario: input.scenario, ...(input.tenant ? { tenant: input.tenant } : {}) }, ctx);
  }

  /** A drill as a task (dr.drill; its result is the DrillRecord). */
  async startDrill(input: { connectionId?: string; scenario: Scenario; tenant?: string }): Promise<{ taskId: string }> {
    const conn = await this.host.connection(input.connectionId);
    const { task } = this.host.tasks.start({ kind: 'dr.drill', title: `Drill: ${input.scenario}`, connectionId: conn.id, cancellable: true }, (ctx) => this.drill({ ...input, connectionId: conn.id }, ctx));
    return { taskId: task.id };
  }

  async drills(scenario?: Scenario): Promise<DrillRecord[]> {
    return (await readDrills(this.host.home)).filter((d) => !scenario || d.scenario === scenario);
  }

  async recordDrill(d: DrillRecord): Promise<void> {
    await appendJournal(this.drillsFile, DrillRecord.parse(d));
  }
}
