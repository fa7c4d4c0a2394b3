import { create } from 'zustand';
import type { TenantSettings, VerifyResult, Violation } from '../../../shared/domain/tenants';
import { errorText, invoke, subscribe } from '../bridge';

type Err = { message: string; hint?: string };

interface TenantsState {
  result: VerifyResult | null;
  taskId: string | null;
  running: boolean;
  error?: Err;
  /** Per tenant: violations by kind, and the worst severity (derived once per result). */
  byTenant: Map<string, Violation[]>;
  settings: TenantSettings;
  load(): Promise<void>;
  saveSettings(s: TenantSettings): Promise<boolean>;
  verify(): Promise<void>;
  fix(v: Violation, confirm?: string): Promise<{ ok: true; sql: string } | { ok: false; error: Err }>;
  watch(): () => void;
  reset(): void;
}

function index(result: VerifyResult | null): Map<string, Violation[]> {
  const m = new Map<string, Violation[]>();
  for (const v of result?.violations ?? []) {
    const key = v.tenant ?? '';
    let list = m.get(key);
    if (!list) m.set(key, (list = []));
    list.push(v);
  }
  return m;
}

/** The last tenant verification of the active connection; a run is a task, followed through its events. */
export const useTenantsStore = create<TenantsState>((set, get) => ({
  result: null,
  taskId: null,
  running: false,
  byTenant: new Map(),
  settings: { template: '', platformRoles: [] },
  async load() {
    try {
      const [{ result, taskId }, settings] = await Promise.all([invoke('tenants.result', {}), invoke('tenants.settings', {})]);
      set({ result, taskId, settings, byTenant: index(result), error: undefined });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  async saveSettings(settings) {
    try {
      set({ settings: await invoke('tenants.saveSettings', { settings }), error: undefined });
      return true;
    } catch (err) {
      set({ error: errorText(err) });
      return false;
    }
  },
  async verify() {
    set({ running: true, error: undefined });
    try {
      const { taskId } = await invoke('tenants.verify', {});
      set({ taskId });
    } catch (err) {
      set({ running: false, error: errorText(err) });
    }
  },
  async fix(v, confirm) {
    try {
      const r = await invoke('tenants.fix', { tenant: v.tenant, kind: v.kind, ...(v.object !== undefined ? { object: v.object } : {}), confirmed: true, ...(confirm ? { confirm } : {}) });
      return { ok: true, sql: r.sql };
    } catch (err) {
      return { ok: false, error: errorText(err) };
    }
  },
  watch() {
    return subscribe('task.updated', (task) => {
      if (task.id !== get().taskId) return;
      if (task.status === 'succeeded') {
        set({ running: false });
        void get().load();
      } else if (task.status === 'failed' || task.status === 'cancelled') {
        set({ running: false, error: task.error ?? { message: `Verification ${task.status}.` } });
      } else set({ running: true });
    });
  },
  reset() {
    set({ result: null, taskId: null, running: false, error: undefined, byTenant: new Map() });
  },
}));
