import { create } from 'zustand';
import type { CheckId, Finding, HealthSummary, HistorySample, Thresholds } from '../../../shared/domain/health';
import { errorText, invoke, subscribe } from '../bridge';

type Err = { message: string; hint?: string };

interface HealthState {
  summary: HealthSummary | null;
  history: HistorySample[];
  hours: number;
  loading: boolean;
  error?: Err;
  runningTaskId?: string;
  load(): Promise<void>;
  setHours(hours: number): Promise<void>;
  runNow(): Promise<void>;
  /** Keep the page current: reload on health.updated events. Returns the unsubscribe. */
  follow(): () => void;
}

/** The Health page's data: the latest summary and history (both read from local state, never the database). */
export const useHealthStore = create<HealthState>((set, get) => ({
  summary: null,
  history: [],
  hours: 24,
  loading: false,
  async load() {
    set({ loading: true });
    try {
      const [{ summary }, { samples }] = await Promise.all([invoke('health.summary', {}), invoke('health.history', { hours: get().hours, maxPoints: 600 })]);
      set({ summary, history: samples, error: undefined, loading: false });
    } catch (err) {
      set({ error: errorText(err), loading: false });
    }
  },
  async setHours(hours) {
    set({ hours });
    await get().load();
  },
  async runNow() {
    try {
      const { taskId } = await invoke('health.run', {});
      set({ runningTaskId: taskId, error: undefined });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  follow() {
    const off = subscribe('health.updated', () => void get().load());
    const offTask = subscribe('task.updated', (t) => {
      if (t.id === get().runningTaskId && t.status !== 'running' && t.status !== 'queued') set({ runningTaskId: undefined });
    });
    return () => {
      off();
      offTask();
    };
  },
}));

export type FindingSort = 'severity' | 'object' | 'tenant' | 'message' | 'value';

/** Load one page of findings (≤ 100), server-sorted and filtered. */
export async function fetchFindings(q: { checkId: CheckId; tenant?: string; sort: FindingSort; dir: 'asc' | 'desc'; cursor?: string }): Promise<{ findings: Finding[]; total: number; nextCursor: string | null }> {
  return invoke('health.findings', { ...q, limit: 100 });
}

export async function fetchSql(checkId: CheckId) {
  return invoke('health.sql', { checkId });
}

export async function fetchThresholds() {
  return invoke('health.thresholds.get', {});
}

export async function saveThresholds(thresholds: Partial<Thresholds>) {
  return invoke('health.thresholds.save', { thresholds });
}

export async function exactBloat(object: string) {
  return invoke('health.exactBloat', { object });
}
