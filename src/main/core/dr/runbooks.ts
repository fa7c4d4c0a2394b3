/**
 * The DR runbooks: resources/dr/<scenario>.json, one per scenario, validated against `Runbook` on every
 * load. A bad file is refused whole with a message naming the file and the field, never half used: a
 * runbook that reads wrong at 3 a.m. is worse than none.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { Runbook, Scenario, SCENARIOS, type ScenarioSummary } from '../../../shared/domain/dr';
import { OpsError } from '../util/errors';
import { resourcePath } from '../util/paths';

/** `steps[3].action (step "freeze")`: where in the file an issue is, with the step's id when there is one. */
function where(raw: unknown, path: PropertyKey[]): string {
  const at = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(the whole file)';
  const steps = (raw as { steps?: unknown } | null)?.steps;
  const stepId = path[0] === 'steps' && typeof path[1] === 'number' && Array.isArray(steps) ? (steps[path[1]] as { id?: unknown } | undefined)?.id : undefined;
  return typeof stepId === 'string' ? `${at} (step ${JSON.stringify(stepId)})` : at;
}

function refuse(file: string, message: string): OpsError {
  return new OpsError('invalid_runbook', `Runbook ${file}: ${message}`, 'Fix the file (see src/shared/domain/dr.ts for the format); the runbook is not used until it validates.');
}

/** Parse and validate one runbook file's text; `file` names it in the errors. */
export function parseRunbook(text: string, file: string, scenario?: Scenario): Runbook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw refuse(file, `not valid JSON: ${(err as Error).message}`);
  }
  const parsed = Runbook.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i: z.core.$ZodIssue) => `${where(raw, i.path)}: ${i.message}`);
    const more = parsed.error.issues.length > 5 ? `; and ${parsed.error.issues.length - 5} more` : '';
    throw refuse(file, issues.join('; ') + more);
  }
  if (scenario && parsed.data.scenario !== scenario) throw refuse(file, `scenario: says ${JSON.stringify(parsed.data.scenario)}, but the file is the runbook of ${JSON.stringify(scenario)}`);
  return parsed.data;
}

/** The runbook of one scenario. `dir` is resources/dr unless given (tests). */
export async function loadRunbook(scenario: string, dir = resourcePath('dr')): Promise<Runbook> {
  const name = Scenario.safeParse(scenario);
  if (!name.success) throw new OpsError('invalid_input', `There is no DR scenario ${JSON.stringify(scenario)}.`, `Scenarios: ${SCENARIOS.join(', ')}.`);
  const file = join(dir, `${name.data}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw refuse(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseRunbook(text, file, name.data);
}

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
}

/** Every scenario's runbook, in the order of SCENARIOS; refuses if any one is missing or bad. */
export async function listRunbooks(dir = resourcePath('dr')): Promise<LoadedRunbook[]> {
  return Promise.all(SCENARIOS.map(async (s) => ({ runbook: await loadRunbook(s, dir), file: join(dir, `${s}.json`) })));
}

/** One line of `dr scenarios`. */
export function summarise({ runbook, file }: LoadedRunbook): ScenarioSummary {
  return {
    scenario: runbook.scenario,
    title: runbook.title,
    version: runbook.version,
    rtoTargetSec: runbook.rto.targetSec,
    ...(runbook.rpo ? { rpoTargetSec: runbook.rpo.targetSec } : {}),
    steps: runbook.steps.length,
    expectedDurationSec: runbook.steps.reduce((a, s) => a + s.expectedDurationSec, 0),
    file,
  };
}
