import { create } from 'zustand';
import type { AuditReport, CredentialSourceView, SecretSummary } from '../../../shared/domain/secrets';
import { errorText, invoke } from '../bridge';

type Err = { message: string; hint?: string };

interface SecretsState {
  sources: CredentialSourceView[];
  sourcesError?: Err;
  inventory: SecretSummary[];
  inventoryCursor?: string;
  inventoryLoaded: boolean;
  inventoryLoading: boolean;
  inventoryError?: Err;
  aws: { region: string; profile: string };
  auditTaskId?: string;
  auditPath?: string;
  report?: AuditReport;
  auditError?: Err;
  loadSources(): Promise<void>;
  setAws(aws: Partial<SecretsState['aws']>): void;
  loadInventory(more?: boolean): Promise<void>;
  startAudit(input: { path?: string; aws: boolean; database: boolean }): Promise<void>;
  /** Called when the audit task finishes (the page watches task.updated through the tasks store). */
  fetchResult(): Promise<void>;
  suppress(fingerprint: string): Promise<string>;
  rotate(secretId: string, confirm: string): Promise<string[]>;
}

const scope = (aws: SecretsState['aws']) => ({ ...(aws.region.trim() ? { region: aws.region.trim() } : {}), ...(aws.profile.trim() ? { profile: aws.profile.trim() } : {}) });

/** The Secrets page: credential sources, the Secrets Manager inventory, the audit and its findings. */
export const useSecretsStore = create<SecretsState>((set, get) => ({
  sources: [],
  inventory: [],
  inventoryLoaded: false,
  inventoryLoading: false,
  aws: { region: '', profile: '' },
  async loadSources() {
    try {
      set({ sources: (await invoke('secrets.sources', {})).sources, sourcesError: undefined });
    } catch (err) {
      set({ sourcesError: errorText(err) });
    }
  },
  setAws(aws) {
    set({ aws: { ...get().aws, ...aws } });
  },
  async loadInventory(more = false) {
    if (get().inventoryLoading) return;
    set({ inventoryLoading: true, inventoryError: undefined });
    try {
      const cursor = more ? get().inventoryCursor : undefined;
      const page = await invoke('secrets.inventory', { ...scope(get().aws), ...(cursor ? { cursor } : {}) });
      set({ inventory: more ? [...get().inventory, ...page.secrets] : page.secrets, inventoryCursor: page.nextCursor, inventoryLoaded: true, inventoryLoading: false });
    } catch (err) {
      set({ inventoryError: errorText(err), inventoryLoading: false, inventoryLoaded: true });
    }
  },
  async startAudit(input) {
    set({ auditError: undefined, report: undefined });
    try {
      const { taskId } = await invoke('secrets.audit.start', { ...input, ...scope(get().aws) });
      set({ auditTaskId: taskId, auditPath: input.path });
    } catch (err) {
      set({ auditError: errorText(err) });
    }
  },
  async fetchResult() {
    const id = get().auditTaskId;
    if (!id) return;
    try {
      const r = await invoke('secrets.audit.result', { taskId: id });
      if (r.report) set({ report: r.report });
    } catch (err) {
      set({ auditError: errorText(err) });
    }
  },
  async suppress(fingerprint) {
    const path = get().auditPath;
    if (!path) throw new Error('Only findings of a folder scan can be suppressed.');
    const r = await invoke('secrets.suppress', { path, fingerprint });
    const report = get().report;
    if (report) {
      const findings = report.findings.filter((f) => f.fingerprint !== fingerprint);
      set({ report: { ...report, findings, summary: { ...report.summary, suppressed: report.summary.suppressed + (report.findings.length - findings.length) } } });
    }
    return r.baselineFile;
  },
  async rotate(secretId, confirm) {
    const r = await invoke('secrets.rotate', { secretId, confirm, ...scope(get().aws) });
    await Promise.all([get().loadSources(), get().loadInventory()]);
    return r.refreshed;
  },
}));
