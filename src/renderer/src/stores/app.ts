import { create } from 'zustand';
import type { AppInfo } from '../../../shared/domain/app';
import type { ProfileInput, ProfileView } from '../../../shared/domain/connections';
import { errorText, invoke } from '../bridge';

interface AppState {
  info?: AppInfo;
  profiles: ProfileView[];
  activeId: string | null;
  error?: { message: string; hint?: string };
  load(): Promise<void>;
  activate(id: string): Promise<void>;
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
    await invoke('connections.activate', { id });
    await get().load();
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
