import { z } from 'zod';
import { WireError } from '../errors';
import { BackupResult, RestoreResult, VerifyRecord } from './backups';
import { DrillRecord } from './dr';
import { SavedReport } from './reports';
import { HealthReport } from './health';
import { PitrRestoreResult } from './pitr';
import { AuditReport } from './secrets';
import { VerifyResult } from './tenants';

export const TaskStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

/** Every kind of long work the core runs as a task; a kind the core does not know is refused. */
export const TaskKind = z.enum([
  'health.run',
  'health.exactBloat',
  'tenants.verify',
  'backups.run',
  'backups.restore',
  'backups.verify',
  'secrets.audit',
  'demo.start',
  'dr.step',
  'dr.drill',
  'reports.generate',
  'pitr.restore',
]);
export type TaskKind = z.infer<typeof TaskKind>;

/** pgstattuple's figures for one table (health.exactBloat). */
export const ExactBloatResult = z.object({
  table_len: z.number(),
  tuple_count: z.number(),
  tuple_len: z.number(),
  dead_tuple_count: z.number(),
  dead_tuple_len: z.number(),
  free_space: z.number(),
  wasted_ratio: z.number().nullable(),
});

/** The audit report and the folder it scanned (suppressing a finding needs both). */
export const AuditRun = AuditReport.extend({ path: z.string().optional() });

/** What the demo start reports; the handle's URL and password are not part of it (zod drops them). */
export const DemoStartResult = z.object({ host: z.string(), port: z.number().int(), database: z.string(), tenants: z.number().int(), seededNow: z.boolean() });

/**
 * Each kind's result. The task manager parses a finished task's result with its kind's schema and keeps
 * the parsed value: keys the schema does not name are dropped, so a result never carries more than this.
 */
export const TaskResults = {
  'health.run': HealthReport,
  'health.exactBloat': ExactBloatResult,
  'tenants.verify': VerifyResult,
  'backups.run': BackupResult,
  'backups.restore': RestoreResult,
  'backups.verify': VerifyRecord,
  'secrets.audit': AuditRun,
  'demo.start': DemoStartResult,
  /** A DR step's action: its output is typed per action (the run keeps it on the step). */
  'dr.step': z.unknown(),
  'dr.drill': DrillRecord,
  /** The saved report's list entry (the report itself: reports.get). */
  'reports.generate': SavedReport,
  'pitr.restore': PitrRestoreResult,
} as const satisfies Record<TaskKind, z.ZodType>;
export type TaskResult<K extends TaskKind> = z.output<(typeof TaskResults)[K]>;

export const Task = z.object({
  id: z.string(),
  kind: TaskKind,
  title: z.string(),
  /** The connection the work is about, when it is about one ("the last verification of this connection"). */
  connectionId: z.string().optional(),
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

function withResult<K extends TaskKind, S extends z.ZodType>(kind: K, result: S) {
  return Task.extend({ kind: z.literal(kind), result: z.optional(result) });
}

/**
 * A task with its result (present once it succeeded, while the task manager keeps it), checked against
 * the schema of its kind. Events and tasks.list carry the task without its result, to stay small.
 */
export const TaskWithResult = z.discriminatedUnion('kind', [
  withResult('health.run', TaskResults['health.run']),
  withResult('health.exactBloat', TaskResults['health.exactBloat']),
  withResult('tenants.verify', TaskResults['tenants.verify']),
  withResult('backups.run', TaskResults['backups.run']),
  withResult('backups.restore', TaskResults['backups.restore']),
  withResult('backups.verify', TaskResults['backups.verify']),
  withResult('secrets.audit', TaskResults['secrets.audit']),
  withResult('demo.start', TaskResults['demo.start']),
  withResult('dr.step', TaskResults['dr.step']),
  withResult('dr.drill', TaskResults['dr.drill']),
  withResult('reports.generate', TaskResults['reports.generate']),
  withResult('pitr.restore', TaskResults['pitr.restore']),
]);
export type TaskWithResult = z.infer<typeof TaskWithResult>;

export const tasksContract = {
  'tasks.list': { input: z.object({}).strict(), output: z.object({ tasks: z.array(Task) }) },
  /** One task with its typed result; not_found once the task manager no longer keeps it. */
  'tasks.get': { input: z.object({ id: z.string().max(100) }).strict(), output: TaskWithResult },
  'tasks.cancel': {
    input: z.object({ id: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;

export const tasksEvents = {
  'task.updated': Task,
} as const;
