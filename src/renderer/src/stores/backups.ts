import { create } from 'zustand';
import type { RetentionPlan } from '../../../shared/domain/backups';

type Err = { message: string; hint?: string; code?: string };

interface BackupsUi {
  /** What the last action on the Backups page did, or why it failed. */
  notice?: string;
  error?: Err;
  /** A retention preview waiting for "Delete". */
  plan?: RetentionPlan;
  set(s: Partial<Pick<BackupsUi, 'notice' | 'error' | 'plan'>>): void;
  dismiss(): void;
}

/** Client-side UI state of the Backups page (server state is in api/backups.ts). */
export const useBackupsUi = create<BackupsUi>((set) => ({
  set: (s) => set(s),
  dismiss: () => set({ notice: undefined, error: undefined }),
}));
