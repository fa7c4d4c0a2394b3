import { create } from 'zustand';
import type { AppInfo } from '../../../shared/domain/app';
import type { ConnectionTestResult, ProfileInput, ProfileView } from '../../../shared/domain/connections';
import { errorText, invoke } from '../bridge';

interface AppState {
  info?: AppInfo;
  profiles: ProfileView[];
  activeId: string | null;
  error?: { message: string; hint?: string };
  /** Why the last switch of connection did not happen (its test failed). */
  switchError?: { name: string; message: string; hint?: string };
  load(): Promise<void>;
  /** Test, then make active: a connection that does not answer never becomes the active one. */
  activate(id: string): Promise<ConnectionTestResult>;
  dismissSwitchError(): void;
  save(input: ProfileInput): Promise<{ note?: string }>;
  remove(id: string, confirm?: string): Promise<void>;
}

/** App facts and connection profiles: the shell's store. */
export const useAppStore = create<AppState>((set, get) => ({
  profiles: [],
  activeId: null,
  async load() {
    try {
      const [info, list] = await Promise.all([invoke('app.info', {}), invoke('connections.list', {})]);
      set({ info, profiles: list.profiles, activeId: list.activeId });
      set({ error: undefined });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  async activate(id) {
    let r: ConnectionTestResult;
    try {
      r = await invoke('connections.test', { id });
    } catch (err) {
      r = { ok: false, error: { code: 'error', ...errorText(err) } };
    }
    const name = get().profiles.find((p) => p.id === id)?.name ?? id;
    if (!r.ok) {
      set({ switchError: { name, message: r.error?.message ?? 'The connection test failed.', ...(r.error?.hint ? { hint: r.error.hint } : {}) } });
      return r;
    }
    set({ switchError: undefined });
    await invoke('connections.activate', { id });
    await get().load();
    return r;
  },
  dismissSwitchError() {
    set({ switchError: undefined });
  },
  async save(input) {
    const r = await invoke('connections.save', input);
    await get().load();
    return r.note ? { note: r.note } : {};
  },
  async remove(id, confirm) {
    await invoke('connections.delete', confirm ? { id, confirm } : { id });
    await get().load();
  },
}));

export function useActiveProfile(): ProfileView | undefined {
  return useAppStore((s) => s.profiles.find((p) => p.id === s.activeId));
}
