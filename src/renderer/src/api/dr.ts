import type { Input } from '../../../shared/contract';
import type { Scenario } from '../../../shared/domain/dr';
import { useAction, useCall } from './client';

/**
 * Disaster recovery (issue 11): scenarios and their readiness, runs and their steps, drills. Every dr.*
 * query is read again on a `dr.run` event and when a dr.step/dr.drill task ends (see followEvents).
 */

export const useScenarios = () => useCall('dr.scenarios', {}, { staleTime: Infinity });

/** RPO and projected RTO per scenario and tenant, now; read again when a backup or a drill ends. */
export function useReadiness(connectionId: string) {
  const q = useCall('dr.readiness', { connectionId });
  return { ...q, readiness: q.data };
}

export const useRuns = (connectionId: string) => useCall('dr.runs', { connectionId });
export const useRun = (connectionId: string, runId: string | undefined) => useCall('dr.run', { connectionId, runId: runId ?? '' }, { enabled: Boolean(runId) });
export const useDrills = (connectionId: string, scenario?: Scenario) => useCall('dr.drills', { connectionId, ...(scenario ? { scenario } : {}) });

export const useStartRun = () => useAction('dr.start', ['dr']);
export const useNext = () => useAction('dr.next', ['dr']);
export const useCancelRun = () => useAction('dr.cancel', ['dr']);
export const useStartDrill = () => useAction('dr.drill', ['tasks']);
/** Records the connection's security baseline; the readiness (its age) is read again. */
export const useRecordBaseline = () => useAction('dr.baseline', ['dr']);

export type NextArgs = Omit<Input<'dr.next'>, 'connectionId' | 'runId'>;
