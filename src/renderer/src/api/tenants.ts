import { useMemo } from 'react';
import { create } from 'zustand';
import type { VerifyResult, Violation } from '../../../shared/domain/tenants';
import { useActiveProfile } from './app';
import { useAction, useCall } from './client';
import { useTask } from './tasks';

/** Per tenant ('' for shared schemas): its violations, derived once per result. */
function index(result: VerifyResult | null | undefined): Map<string, Violation[]> {
  const m = new Map<string, Violation[]>();
  for (const v of result?.violations ?? []) {
    const key = v.tenant ?? '';
    let list = m.get(key);
    if (!list) m.set(key, (list = []));
    list.push(v);
  }
  return m;
}

/** The last tenant verification of the active connection (a verify task that succeeds makes it stale). */
export function useTenantResult(enabled = true) {
  const query = useCall('tenants.result', {}, { enabled });
  const result = query.data?.result ?? null;
  const byTenant = useMemo(() => index(result), [result]);
  return { ...query, result, byTenant, taskId: query.data?.taskId ?? undefined };
}

export const useTenantSettings = () => useCall('tenants.settings', {});
export const useSaveTenantSettings = () => useAction('tenants.saveSettings', ['tenants']);
export const useVerifyTenants = () => useAction('tenants.verify');
export const useFixViolation = () => useAction('tenants.fix');

/** The fix's input for one violation, confirmed (the dialog asked). */
export function fixInput(v: Violation, confirm?: string) {
  return { tenant: v.tenant, kind: v.kind, ...(v.object !== undefined ? { object: v.object } : {}), confirmed: true as const, ...(confirm ? { confirm } : {}) };
}

/** The verification this window started (UI state shared by the page and the fix dialog's re-verify). */
type Started = { connectionId?: string; taskId?: string; error?: unknown };
const useStarted = create<Started & { set(s: Started): void }>((set) => ({ set: (s) => set(s) }));

/** Start a verification of the active connection. */
export function useVerifyAgain(): () => void {
  const call = useVerifyTenants();
  const connectionId = useActiveProfile()?.id;
  return () => {
    useStarted.getState().set({ connectionId, taskId: undefined, error: undefined });
    call.mutateAsync({}).then(
      (r) => useStarted.getState().set({ connectionId, taskId: r.taskId }),
      (error: unknown) => useStarted.getState().set({ connectionId, error }),
    );
  };
}

/**
 * The verification in progress: the one started here, else the one the last result names. Running
 * from the click until its task ends; its failure (or cancel) is the page's error.
 */
export function useVerifyRun(loadedTaskId: string | undefined) {
  const verify = useVerifyAgain();
  const all = useStarted();
  // What was started for another connection is not this page's.
  const started: Started = all.connectionId === useActiveProfile()?.id ? all : {};
  const { task, running } = useTask(started.taskId ?? loadedTaskId);
  const ended = started.taskId && (task?.status === 'failed' || task?.status === 'cancelled');
  const error = started.error ?? (ended ? (task.error ?? { message: `Verification ${task.status}.` }) : undefined);
  return { verify, running: running || Boolean(started.taskId && !task), error };
}
