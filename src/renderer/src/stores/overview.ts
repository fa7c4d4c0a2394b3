import { create } from 'zustand';
import type { OverviewFacts } from '../../../shared/domain/overview';
import { errorText, invoke } from '../bridge';

const KEEP_SAMPLES = 120;

export interface ConnectionSample {
  at: string;
  [state: string]: number | string;
}

interface OverviewState {
  facts?: OverviewFacts;
  samples: ConnectionSample[];
  loading: boolean;
  error?: { message: string; hint?: string };
  refresh(): Promise<void>;
  reset(): void;
}

/** Live facts of the active connection, polled while the Overview is open. */
export const useOverviewStore = create<OverviewState>((set, get) => ({
  samples: [],
  loading: false,
  async refresh() {
    if (get().loading) return;
    set({ loading: true });
    try {
      const facts = await invoke('overview.get', {});
      const sample: ConnectionSample = { at: facts.sampledAt, ...facts.connectionsByState };
      const samples = get().facts?.connectionId === facts.connectionId ? [...get().samples, sample].slice(-KEEP_SAMPLES) : [sample];
      set({ facts, samples, error: undefined, loading: false });
    } catch (err) {
      set({ error: errorText(err), loading: false });
    }
  },
  reset() {
    set({ facts: undefined, samples: [], error: undefined });
  },
}));
