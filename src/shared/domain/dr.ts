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
] as const;
export const DrAction = z.enum(DR_ACTIONS);
export type DrAction = z.infer<typeof DrAction>;

export const StepKind = z.enum(['checklist', 'action', 'decision', 'evidence']);
export type StepKind = z.infer<typeof StepKind>;

/** What an action's input holds: the engine checks the value against it before the action runs. */
export const InputType = z.enum(['tenant', 'tenants', 'role', 'timestamp', 'backup', 'schema', 'database', 'destination', 'text']);

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
      seen.add(s.id);
    });
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
