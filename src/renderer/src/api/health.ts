import { keepPreviousData } from '@tanstack/react-query';
import type { CheckId } from '../../../shared/domain/health';
import { useAction, useCall, usePagedCall } from './client';

/** History grows every minute: the charts are read again even when no event came. */
const HISTORY_REFRESH_MS = 60_000;

/** The latest health result (local state, never the database); health.updated makes it stale. */
export function useHealthSummary() {
  return useCall('health.summary', {}, { refetchInterval: HISTORY_REFRESH_MS });
}

export function useHealthHistory(hours: number) {
  return useCall('health.history', { hours, maxPoints: 600 }, { refetchInterval: HISTORY_REFRESH_MS, placeholderData: keepPreviousData });
}

export const useRunHealth = () => useAction('health.run');
export const useExactBloat = () => useAction('health.exactBloat');
export const useCheckSql = (checkId: CheckId) => useCall('health.sql', { checkId });
export const useThresholds = () => useCall('health.thresholds.get', {});
export const useSaveThresholds = () => useAction('health.thresholds.save', ['health']);

export type FindingSort = 'severity' | 'object' | 'tenant' | 'message' | 'value';
export interface FindingQuery {
  checkId: CheckId;
  tenant?: string;
  sort: FindingSort;
  dir: 'asc' | 'desc';
}

/** The first page (≤ 100) of a check's findings, server-sorted: for the top lists. */
export function useTopFindings(q: FindingQuery) {
  return useCall('health.findings', { ...q, limit: 100 });
}

/** A check's findings 100 a page (server cursor), sorted and filtered on the server; the next page on demand. */
export function useFindings(q: FindingQuery) {
  return usePagedCall('health.findings', q, 100);
}
