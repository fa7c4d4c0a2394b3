import { create } from 'zustand';
import type { Input } from '../../../shared/contract';
import type { BackupSettingsView, CatalogEntry, RestoredCopy, RetentionPlan } from '../../../shared/domain/backups';
import type { BackupKind } from '../../../shared/vocabulary';
import { errorText, invoke } from '../bridge';

type Err = { message: string; hint?: string; code?: string };
export interface CatalogFilter {
  tenant?: string;
  kind?: CatalogEntry['kind'];
  since?: string;
}

interface BackupsState {
  settings?: BackupSettingsView;
  entries: CatalogEntry[];
  total: number;
  nextCursor?: string;
  filter: CatalogFilter;
  loading: boolean;
  error?: Err;
  notice?: string;
  plan?: RetentionPlan;
  /** Restored copies (side schemas) in the active connection's database; undefined until loaded. */
  copies?: RestoredCopy[];
  copiesError?: Err;
  load(): Promise<void>;
  loadCopies(): Promise<void>;
  /** Drop one restored copy; `confirm` is the database name on production. The error, or undefined. */
  dropCopy(schema: string, confirm?: string): Promise<Err | undefined>;
  loadMore(): Promise<void>;
  setFilter(f: CatalogFilter): void;
  configure(input: Input<'backups.configure'>): Promise<boolean>;
  generateKey(): Promise<{ keyId: string; path: string; warning: string } | undefined>;
  run(scope: BackupKind, tenant?: string): Promise<string | undefined>;
  verify(manifest: string): Promise<void>;
  restore(input: Input<'backups.restore'>): Promise<boolean>;
  previewRetention(): Promise<void>;
  applyRetention(): Promise<void>;
  dismiss(): void;
}

/** The Backups page: settings (never a key, only its id), the catalog read from the destination, actions as tasks. */
export const useBackupsStore = create<BackupsState>((set, get) => ({
  entries: [],
  total: 0,
  filter: {},
  loading: false,
  async load() {
    set({ loading: true });
    try {
      const f = get().filter;
      const [settings, page] = await Promise.all([invoke('backups.settings', {}), invoke('backups.list', { ...clean(f), limit: 50 })]);
      set({ settings, entries: page.entries, total: page.total, nextCursor: page.nextCursor, error: undefined, loading: false });
    } catch (err) {
      set({ error: errorText(err), loading: false });
    }
  },
  async loadMore() {
    const cursor = get().nextCursor;
    if (!cursor) return;
    try {
      const page = await invoke('backups.list', { ...clean(get().filter), cursor, limit: 50 });
      set({ entries: [...get().entries, ...page.entries], nextCursor: page.nextCursor, total: page.total });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  setFilter(filter) {
    set({ filter });
    void get().load();
  },
  async configure(input) {
    try {
      const settings = await invoke('backups.configure', input);
      set({ settings, error: undefined, notice: 'Backup settings saved.' });
      void get().load();
      return true;
    } catch (err) {
      set({ error: errorText(err) });
      return false;
    }
  },
  async generateKey() {
    try {
      const k = await invoke('backups.generateKey', {});
      void get().load();
      return k;
    } catch (err) {
      set({ error: errorText(err) });
      return undefined;
    }
  },
  async run(scope, tenant) {
    try {
      const { taskId } = await invoke('backups.run', { scope, ...(tenant ? { tenant } : {}) });
      set({ notice: scope === 'tenant' ? `Backup of ${tenant} started; follow it in the task tray.` : 'Backup started; follow it below and in the task tray.' });
      return taskId;
    } catch (err) {
      set({ error: errorText(err) });
      return undefined;
    }
  },
  async verify(manifest) {
    try {
      await invoke('backups.verify', { manifest });
      set({ notice: 'Verification started: the backup is being restored into a scratch database.' });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  async restore(input) {
    try {
      await invoke('backups.restore', input);
      set({ notice: 'Restore started; follow it in the task tray.' });
      return true;
    } catch (err) {
      set({ error: errorText(err) });
      return false;
    }
  },
  async previewRetention() {
    try {
      set({ plan: await invoke('backups.retention', { dryRun: true }) });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  async applyRetention() {
    try {
      const plan = await invoke('backups.retention', { dryRun: false });
      set({ plan: undefined, notice: `Retention applied: ${plan.delete.length} backups deleted.` });
      void get().load();
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  async loadCopies() {
    try {
      set({ copies: (await invoke('backups.restoredCopies', {})).copies, copiesError: undefined });
    } catch (err) {
      set({ copiesError: errorText(err) });
    }
  },
  async dropCopy(schema, confirm) {
    try {
      const r = await invoke('backups.dropRestoredCopy', { schema, ...(confirm ? { confirm } : {}) });
      set({ notice: `Dropped ${r.dropped}.` });
      void get().loadCopies();
      return undefined;
    } catch (err) {
      return errorText(err);
    }
  },
  dismiss() {
    set({ notice: undefined, error: undefined });
  },
}));

function clean(f: CatalogFilter): CatalogFilter {
  return { ...(f.tenant ? { tenant: f.tenant } : {}), ...(f.kind ? { kind: f.kind } : {}), ...(f.since ? { since: f.since } : {}) };
}
