import { create } from 'zustand';

export interface AwsScope {
  region: string;
  profile: string;
}

interface SecretsUi {
  /** The region and profile typed on the page (used by the inventory, the audit and rotation). */
  aws: AwsScope;
  /** The scope the inventory was last asked for; undefined until "Load secrets". */
  inventoryScope?: AwsScope;
  /** The audit started here and the folder it scanned (its findings can be suppressed there). */
  auditTaskId?: string;
  auditPath?: string;
  set(s: Partial<Omit<SecretsUi, 'set'>>): void;
}

/** Client-side UI state of the Secrets page (server state is in api/secrets.ts). */
export const useSecretsUi = create<SecretsUi>((set) => ({
  aws: { region: '', profile: '' },
  set: (s) => set(s),
}));
