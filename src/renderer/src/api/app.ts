import { create } from 'zustand';
import type { ConnectionTestResult, ProfileInput, ProfileView } from '../../../shared/domain/connections';
import { errorText, invoke } from '../bridge';
import { invalidateDomain, resetConnectionState, useAction, useCall } from './client';

/** App facts; polled while the demo database starts so the switcher and the pages follow it up. */
export function useAppInfo() {
  return useCall('app.info', {}, { refetchInterval: (q) => (q.state.data?.demo.state === 'starting' ? 1500 : false) });
}

export function useConnections() {
  return useCall('connections.list', {});
}

export function useActiveProfile(): ProfileView | undefined {
  const { data } = useConnections();
  return data?.profiles.find((p) => p.id === data.activeId);
}

/** True while the active connection is the demo database and it is still starting. */
export function useDemoStarting(): boolean {
  const profile = useActiveProfile();
  return useAppInfo().data?.demo.state === 'starting' && Boolean(profile?.isDemo);
}

/** Why the last switch of connection did not happen (its test failed): UI state of the shell. */
export const useSwitchError = create<{ error?: { name: string; message: string; hint?: string }; set(e?: { name: string; message: string; hint?: string }): void }>((set) => ({
  set: (error) => set({ error }),
}));

export async function testConnection(id: string): Promise<ConnectionTestResult> {
  try {
    return await invoke('connections.test', { id });
  } catch (err) {
    return { ok: false, error: { code: 'error', ...errorText(err) } };
  }
}

export async function testDraft(input: ProfileInput): Promise<ConnectionTestResult> {
  try {
    return await invoke('connections.testDraft', input);
  } catch (err) {
    return { ok: false, error: { code: 'error', ...errorText(err) } };
  }
}

/** Test, then make active: a connection that does not answer never becomes the active one. */
export function useActivate(): (id: string) => Promise<ConnectionTestResult> {
  const { data } = useConnections();
  return async (id) => {
    const r = await testConnection(id);
    const name = data?.profiles.find((p) => p.id === id)?.name ?? id;
    if (!r.ok) {
      useSwitchError.getState().set({ name, message: r.error?.message ?? 'The connection test failed.', ...(r.error?.hint ? { hint: r.error.hint } : {}) });
      return r;
    }
    useSwitchError.getState().set(undefined);
    await invoke('connections.activate', { id });
    resetConnectionState();
    return r;
  };
}

export function useSaveConnection() {
  const save = useAction('connections.save', ['connections', 'secrets']);
  return async (input: ProfileInput) => {
    const r = await save.mutateAsync(input);
    if (input.activate) resetConnectionState();
    return r.note ? { note: r.note } : {};
  };
}

export function useDeleteConnection() {
  const remove = useAction('connections.delete', ['connections', 'secrets']);
  return (id: string, confirm?: string) => remove.mutateAsync(confirm ? { id, confirm } : { id }).then(() => invalidateDomain('app'));
}
