import { z } from 'zod';

/**
 * Disaster recovery runbooks as data (issue 11): one JSON file per scenario in resources/dr/, validated by
 * `Runbook` when loaded. The run engine walks a run through a runbook's steps; the runbook says what each
 * step is, why it is there, what to look for, and which action of the console it runs.
 */

export const SCENARIOS = ['corruption', 'deletion', 'system-failure', 'ransomware', 'breach'] as const;
export const Scenario = z.enum(SCENARIOS);
export type Scenario = z.infer<typeof Scenario>;

/**
 * The actions a runbook may name (issues 11 and 12). A closed list, so that a typo in a runbook fails its
 * validation instead of a step that does nothing at 3 a.m. Not every action is built yet; the engine
 * refuses to run one that is not.
 */
export const DR_ACTIONS = [
  // Containment
  'freeze', // revoke the application roles' write privileges on one tenant schema
  'thaw', // restore them
  'terminate_role_sessions',
  'lock_role', // NOLOGIN, sessions ended, grants revoked; reversible from the journal
  'rotate_credentials',
  // Restore points and restores
  'choose_restore_point',
  'check_tools', // pg_dump/pg_restore against the server's major version (the GitLab 2017 trap)
  'verify_backup', // checksum, manifest HMAC, decrypt test, pg_restore --list
  'backup_integrity_sweep', // every manifest and object of a destination
  'restore_beside',
  'diff',
  'merge_back',
  'swap',
  'drop_copy',
  'salvage_dump', // dump the healthy relations of a damaged tenant
  'restore_globals',
  'full_restore',
  'verify', // counts of a restored copy or database against its manifest
  'analyze',
  'fresh_backup', // re-establish protection: a new backup, verified, before the run can close
  // Evidence and scope
  'capture_evidence',
  'integrity_check', // pg_amcheck / amcheck, data-checksum status
  'persistence_hunt', // against the recorded security baseline
  'breach_scope', // which tenants a role could read
  'unlock_role', // undo a lock_role step from its record in the journal
] as const;
export const DrAction = z.enum(DR_ACTIONS);
export type DrAction = z.infer<typeof DrAction>;

export const StepKind = z.enum(['checklist', 'action', 'decision', 'evidence']);
export type StepKind = z.infer<typeof StepKind>;

/** What an action's input holds: the engine checks the value against it before the action runs. */
export const InputType = z.enum(['tenant', 'tenants', 'role', 'timestamp', 'backup', 'schema', 'database', 'destination', 'text', 'privileges']);

const id = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'an id of lower-case letters, digits and dashes, starting with a letter, at most 63 characters');
/** An input's name, as the action takes it: camelCase. */
const inputName = z.string().regex(/^[a-z][A-Za-z0-9]{0,62}$/, 'a camelCase name of letters and digits, at most 63 characters');
const text = z.string().trim().min(1).max(2000);

/** An action's input: asked of the operator (when the run starts or at the step), or taken from an earlier step's output. */
export const StepInput = z.discriminatedUnion('from', [
  z.object({ name: inputName, type: InputType, from: z.literal('operator'), prompt: text, optional: z.boolean().optional() }).strict(),
  z.object({ name: inputName, type: InputType, from: z.literal('step'), step: id, field: z.string().min(1).max(100) }).strict(),
]);
export type StepInput = z.infer<typeof StepInput>;

export const DecisionOption = z.object({ id, title: text, recommended: z.boolean().optional() }).strict();
export type DecisionOption = z.infer<typeof DecisionOption>;

export const StepGates = z
  .object({
    /** The operator confirms before the step runs (or is recorded, for a checklist). */
    confirm: z.boolean().optional(),
    /** On a production connection the operator types the database's name, as for a destructive restore. */
    typedDatabaseNameOnProduction: z.boolean().optional(),
  })
  .strict();

export const RunbookStep = z
  .object({
    id,
    title: text,
    why: text,
    lookFor: text,
    kind: StepKind,
    /** Required for an action step; optional for an evidence step (what captures it); absent otherwise. */
    action: DrAction.optional(),
    inputs: z.array(StepInput).max(20).optional(),
    options: z.array(DecisionOption).max(10).optional(),
    gates: StepGates.optional(),
    expectedDurationSec: z.number().int().min(1).max(7 * 86_400),
    /** Runs only after an earlier decision chose this option; otherwise the engine skips it, saying why. */
    when: z.object({ step: id, option: id }).strict().optional(),
    /** The run cannot close without it: the operator may not skip it (re-establishing protection). */
    required: z.boolean().optional(),
    /** Why this step differs from the reference list (DR-REFERENCE.md), where it does. */
    $comment: z.string().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'action' && !s.action) ctx.addIssue({ code: 'custom', path: ['action'], message: 'an action step names its action' });
    if ((s.kind === 'checklist' || s.kind === 'decision') && s.action) ctx.addIssue({ code: 'custom', path: ['action'], message: `a ${s.kind} step runs no action` });
    if (s.inputs?.length && !s.action) ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'inputs belong to a step that runs an action' });
    if (s.kind === 'decision') {
      if (!s.options || s.options.length < 2) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a decision offers at least two options' });
      else {
        if (s.options.filter((o) => o.recommended).length > 1) ctx.addIssue({ code: 'custom', path: ['options'], message: 'at most one option is recommended' });
        const dup = s.options.find((o, i) => s.options!.findIndex((p) => p.id === o.id) !== i);
        if (dup) ctx.addIssue({ code: 'custom', path: ['options'], message: `option id ${dup.id} is used twice` });
      }
    } else if (s.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a decision step has options' });
  });
export type RunbookStep = z.infer<typeof RunbookStep>;

export const Runbook = z
  .object({
    scenario: Scenario,
    /** Bumped on every change of the steps; a run is pinned to the version it started with. */
    version: z.number().int().min(1),
    title: text,
    summary: text,
    rto: z.object({ targetSec: z.number().int().min(60), source: text }).strict(),
    /** Absent where the scenario loses no data (a breach). */
    rpo: z.object({ targetSec: z.number().int().min(0), source: text }).strict().optional(),
    $comment: z.string().optional(),
    /** The step whose end stops the RTO clock (a breach: containment); absent: the run's last step. */
    rtoEndsAfter: id.optional(),
    steps: z.array(RunbookStep).min(1).max(100),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step id ${s.id} is used twice` });
      s.inputs?.forEach((input, k) => {
        // An input can only come from a step that ran before this one.
        if (input.from === 'step' && !seen.has(input.step)) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'inputs', k, 'step'], message: `input ${input.name} comes from step ${input.step}, which is not an earlier step` });
        }
      });
      if (s.when) {
        // A condition names an earlier decision and one of its options.
        const decision = r.steps.slice(0, i).find((d) => d.id === s.when!.step);
        if (!decision || decision.kind !== 'decision') ctx.addIssue({ code: 'custom', path: ['steps', i, 'when', 'step'], message: `step ${s.when.step} is not an earlier decision` });
        else if (!decision.options?.some((o) => o.id === s.when!.option)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'when', 'option'], message: `decision ${s.when.step} has no option ${s.when.option}` });
      }
      seen.add(s.id);
    });
    if (r.rtoEndsAfter && !seen.has(r.rtoEndsAfter)) ctx.addIssue({ code: 'custom', path: ['rtoEndsAfter'], message: `there is no step ${r.rtoEndsAfter}` });
  });
export type Runbook = z.infer<typeof Runbook>;

/** One line of `dr scenarios`. */
export const ScenarioSummary = z.object({
  scenario: Scenario,
  title: z.string(),
  version: z.number().int(),
  rtoTargetSec: z.number().int(),
  rpoTargetSec: z.number().int().optional(),
  steps: z.number().int(),
  expectedDurationSec: z.number().int(),
  file: z.string(),
});
export type ScenarioSummary = z.infer<typeof ScenarioSummary>;

// ---------------------------------------------------------------------------------------------------------
// Runs (DESIGN §3 "DR run"): the engine's state of one walk through a runbook, rebuilt from its journal.
// ---------------------------------------------------------------------------------------------------------

export const RunStatus = z.enum(['open', 'succeeded', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

export const StepStatus = z.enum(['notStarted', 'running', 'succeeded', 'failed', 'skipped', 'pendingApproval', 'cancelled']);
export type StepStatus = z.infer<typeof StepStatus>;

export const RunStep = z.object({
  id: z.string(),
  title: z.string(),
  kind: StepKind,
  action: DrAction.optional(),
  status: StepStatus,
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  /** The process stopped while the step ran (found on resume): the operator retries or skips it. */
  interrupted: z.boolean().optional(),
  note: z.string().optional(),
  /** Why the step was skipped (by the operator, or a decision that ruled it out). */
  skipReason: z.string().optional(),
  /** The operator may not skip it. */
  required: z.boolean().optional(),
  options: z.array(DecisionOption).optional(),
  /** A decision's chosen option. */
  chosen: z.string().optional(),
  /** The task running (or last run) for an action step; its progress comes through tasks.get. */
  taskId: z.string().optional(),
  /** What the action returned (typed per action; JSON). A refused or failed action has `error` instead. */
  output: z.unknown().optional(),
  /** What the action would do, shown while it waits for its confirmation (merge back: the SQL it would run). */
  preview: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  evidence: z.array(z.object({ file: z.string(), sha256: z.string() })).optional(),
  expectedDurationSec: z.number().int(),
});
export type RunStep = z.infer<typeof RunStep>;

export const DrRun = z.object({
  id: z.string(),
  scenario: Scenario,
  runbookVersion: z.number().int(),
  status: RunStatus,
  drill: z.boolean(),
  connection: z.string(),
  tenants: z.array(z.string()).optional(),
  role: z.string().optional(),
  incidentAt: z.string(),
  detectedAt: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  rto: z.object({
    targetSec: z.number().int(),
    elapsedSec: z.number(),
    projectedSec: z.number().optional(),
    met: z.boolean().optional(),
    /** The step whose end stops the clock (the runbook's rtoEndsAfter), and when it stopped. */
    endsAfter: z.string().optional(),
    stoppedAt: z.string().optional(),
  }),
  rpo: z.object({ targetSec: z.number().int().optional(), restorePoint: z.string().optional(), achievedSec: z.number().optional(), met: z.boolean().optional() }),
  /** A breach: the GDPR Art. 33 clock, 72 h from awareness (detection, else the run's start). */
  regulatory: z.object({ awareAt: z.string(), deadline: z.string(), remainingSec: z.number(), overdue: z.boolean() }).optional(),
  currentStep: z.string().optional(),
  steps: z.array(RunStep),
});
export type DrRun = z.infer<typeof DrRun>;

/** One line of the run list (the UI's and `dr status` without a run). */
export const RunSummary = DrRun.pick({ id: true, scenario: true, status: true, drill: true, connection: true, tenants: true, incidentAt: true, startedAt: true, finishedAt: true, currentStep: true, rto: true, rpo: true, regulatory: true });
export type RunSummary = z.infer<typeof RunSummary>;

/** One finished drill, for the history and its chart of measured RTO against the target. */
export const DrillRecord = z.object({
  runId: z.string(),
  scenario: Scenario,
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['succeeded', 'failed', 'cancelled']),
  rtoTargetSec: z.number().int(),
  rtoMeasuredSec: z.number(),
  rpoTargetSec: z.number().int().optional(),
  rpoAchievedSec: z.number().optional(),
  steps: z.array(z.object({ id: z.string(), action: DrAction.optional(), status: StepStatus, durationSec: z.number().optional() })),
  /** The live database's catalog and row-count fingerprint before and after: a drill must not change it. */
  fingerprint: z.object({ before: z.string(), after: z.string(), unchanged: z.boolean() }).optional(),
  error: z.string().optional(),
  /** The size of the backup restored (encrypted bytes): the projection scales measured durations by it. */
  bytes: z.number().optional(),
  /** The tenant a deletion drill copied, and the scratch database it worked in (dropped at its end). */
  tenant: z.string().optional(),
  scratch: z.string().optional(),
  /** A corruption drill (on a throwaway cluster): what was damaged, whether the check found it, the salvage and the restore. */
  corruption: z
    .object({
      damaged: z.string(),
      detected: z.boolean(),
      cleanBefore: z.boolean(),
      tool: z.string(),
      salvage: z.object({ bytes: z.number(), sha256: z.string(), excluded: z.array(z.string()) }),
      restored: z.object({ schema: z.string(), rows: z.number(), expectedRows: z.number() }),
    })
    .optional(),
});
export type DrillRecord = z.infer<typeof DrillRecord>;

/** How well one tenant (or one database) is protected now (readiness). */
export const Protection = z.object({
  database: z.string(),
  tenant: z.string().optional(),
  /** Age in seconds of the newest verified (restorable) backup holding it; absent: none verified. */
  verifiedAgeSec: z.number().optional(),
  /** Absent: no backup of that kind at all (a database without a full backup). */
  newestAgeSec: z.number().optional(),
  newestVerified: z.string().optional(),
  newest: z.string().optional(),
});
export type Protection = z.infer<typeof Protection>;

/** The RTO a scenario would take now: each step's expected duration, or what drills measured. */
export const ProjectedRto = z.object({
  targetSec: z.number().int(),
  /** The worst tenant's (or database's) projection: the sum over the default path's steps. */
  projectedSec: z.number(),
  meets: z.boolean(),
  /** 'drills': restore steps from durations drills measured, scaled by the backup's size. */
  basis: z.enum(['drills', 'expected']),
  drills: z.number().int(),
  /** Tenants (or databases) whose projection misses the target, slowest first (at most 100). */
  wouldMiss: z.array(z.object({ database: z.string(), tenant: z.string().optional(), projectedSec: z.number() })),
});
export type ProjectedRto = z.infer<typeof ProjectedRto>;

export const ScenarioReadiness = z.object({
  scenario: Scenario,
  title: z.string(),
  rpoTargetSec: z.number().int().optional(),
  /** What is judged: each tenant, or each database (system failure: full backups). */
  basis: z.enum(['tenant', 'database', 'none']),
  /** null: no RPO target (a breach loses no data). */
  meets: z.boolean().nullable(),
  judged: z.number().int(),
  missing: z.array(Protection),
  rto: ProjectedRto,
});
export type ScenarioReadiness = z.infer<typeof ScenarioReadiness>;

/**
 * The security baseline of a connection's database (issue 12): what a persistence hunt compares against.
 * Counts and names only (role and extension names are not secrets; no hba rule text, no definition).
 */
export const BaselineSummary = z.object({
  recordedAt: z.string(),
  database: z.string(),
  roles: z.number().int(),
  superusers: z.array(z.string()),
  securityDefinerFunctions: z.number().int(),
  eventTriggers: z.number().int(),
  extensions: z.array(z.string()),
  untrustedLanguages: z.array(z.string()),
  /** null: pg_hba_file_rules was not readable with the connection's role. */
  hbaRules: z.number().int().nullable(),
  tenantFunctions: z.number().int(),
});
export type BaselineSummary = z.infer<typeof BaselineSummary>;

export const Readiness = z.object({
  generatedAt: z.string(),
  scenarios: z.array(ScenarioReadiness),
  tenants: z.array(Protection),
  databases: z.array(Protection),
  /** The connection's security baseline and its age; absent: none recorded (a persistence hunt fails no_baseline). */
  baseline: z.object({ recordedAt: z.string(), ageSec: z.number().int() }).optional(),
});
export type Readiness = z.infer<typeof Readiness>;

const connectionId = z.string().optional();
const runId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'a run id as printed by dr start');
const tenantName = z.string().min(1).max(63);
const roleName = z.string().min(1).max(63);
const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/, 'an ISO 8601 timestamp with a zone, e.g. 2026-11-25T09:41:00Z');

/** What the operator gives the current step when advancing the run (`dr next`). */
export const NextInput = z
  .object({
    connectionId,
    runId,
    /** The typed database name, where the step's gate asks for it on production; `true`-like confirmation otherwise. */
    confirm: z.string().max(200).optional(),
    /** A decision's option id, or 'recommended'. */
    choose: z.string().max(63).optional(),
    note: z.string().max(2000).optional(),
    /** Skip the current step: allowed before it starts, after it failed, or when it was interrupted. */
    skip: z.boolean().optional(),
    /** Values for the step's operator inputs, by input name. */
    inputs: z.record(z.string().max(63), z.string().max(2000)).optional(),
  })
  .strict();
export type NextInput = z.infer<typeof NextInput>;

export const StartInput = z
  .object({
    connectionId,
    scenario: Scenario,
    tenants: z.array(tenantName).max(100).optional(),
    role: roleName.optional(),
    incidentAt: iso.optional(),
    detectedAt: iso.optional(),
  })
  .strict();
export type StartInput = z.infer<typeof StartInput>;

const TaskRef = z.object({ taskId: z.string() });

export const drContract = {
  'dr.scenarios': { input: z.object({}).strict(), output: z.object({ scenarios: z.array(ScenarioSummary) }) },
  /** Readiness now from the connection's backup destination and tenant list (RPO now, projected RTO). */
  'dr.readiness': { input: z.object({ connectionId }).strict(), output: Readiness },
  'dr.runs': { input: z.object({ connectionId, scenario: Scenario.optional(), drill: z.boolean().optional() }).strict(), output: z.object({ runs: z.array(RunSummary) }) },
  'dr.run': { input: z.object({ connectionId, runId }).strict(), output: DrRun },
  'dr.start': { input: StartInput, output: DrRun },
  /** Records a checklist/decision or starts the current action (its task id on the step); returns the run. */
  'dr.next': { input: NextInput, output: DrRun },
  /** Cancels the running step's task (the step ends cancelled; retry or skip it) or, with `run: true`, the whole run. */
  'dr.cancel': { input: z.object({ connectionId, runId, run: z.boolean().optional() }).strict(), output: DrRun },
  /** Starts an unattended drill on scratch objects as a task (result: DrillRecord). */
  'dr.drill': { input: z.object({ connectionId, scenario: Scenario, tenant: tenantName.optional() }).strict(), output: TaskRef },
  'dr.drills': { input: z.object({ connectionId, scenario: Scenario.optional() }).strict(), output: z.object({ drills: z.array(DrillRecord) }) },
  /** Records the security baseline of the connection's database now, replacing the one before (record it only when the database is known good). */
  'dr.baseline': { input: z.object({ connectionId }).strict(), output: BaselineSummary },
} as const;

/** Pushed whenever a run's state changes (a step starts, ends, the clocks' inputs change). */
export const drEvents = {
  'dr.run': z.object({ runId: z.string(), status: RunStatus, currentStep: z.string().optional() }),
} as const;
