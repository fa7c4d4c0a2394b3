/// <reference types="vite/client" />
import { Runbook, type RunbookStep, type Scenario } from '../../shared/domain/dr';

/**
 * The runbooks' texts (why, what to look for, inputs, gates), bundled from resources/dr at build time: a
 * run carries only the state of its steps, and the texts are the same data the core loads. A run pinned to
 * another version than the bundled one gets no texts rather than the wrong ones.
 */
const files = import.meta.glob<unknown>('../../../resources/dr/*.json', { eager: true, import: 'default' });

const RUNBOOKS = new Map<Scenario, Runbook>();
for (const raw of Object.values(files)) {
  const parsed = Runbook.safeParse(raw);
  if (parsed.success) RUNBOOKS.set(parsed.data.scenario, parsed.data);
}

export function runbookOf(scenario: Scenario, version?: number): Runbook | undefined {
  const r = RUNBOOKS.get(scenario);
  return r && (version === undefined || r.version === version) ? r : undefined;
}

export function runbookStep(scenario: Scenario, version: number, stepId: string): RunbookStep | undefined {
  return runbookOf(scenario, version)?.steps.find((s) => s.id === stepId);
}
