import { keepPreviousData } from '@tanstack/react-query';
import type { Input } from '../../../shared/contract';
import type { CatalogEntry } from '../../../shared/domain/backups';
import { errorText } from '../bridge';
import { useBackupsUi } from '../stores/backups';
import { useAction, useCall, usePagedCall } from './client';

export interface CatalogFilter {
  tenant?: string;
  kind?: CatalogEntry['kind'];
  since?: string;
}

function clean(f: CatalogFilter): CatalogFilter {
  return { ...(f.tenant ? { tenant: f.tenant } : {}), ...(f.kind ? { kind: f.kind } : {}), ...(f.since ? { since: f.since } : {}) };
}

/** Settings as the renderer may see them: never a key, only its id and where it is. */
export const useBackupSettings = () => useCall('backups.settings', {});

/** The catalog read from the destination's manifests, 50 a page. */
export function useCatalog(filter: CatalogFilter) {
  const q = clean(filter);
  return usePagedCall('backups.list', q, 50);
}

/** The newest backup of every tenant (the achieved RPO); read again when a backup finishes. */
export const useLastBackups = (connectionId: string) => useCall('backups.lastByTenant', { connectionId });

export const useRestoredCopies = () => useCall('backups.restoredCopies', {});

/** The default names of a restore made now, as the core will give them. */
export function useRestoreNames(input: Input<'backups.restoreNames'>) {
  return useCall('backups.restoreNames', input, { placeholderData: keepPreviousData });
}

/** The action's outcome, or undefined after showing why it failed (the Backups page's error). */
function report<T>(p: Promise<T>): Promise<T | undefined> {
  return p.then(
    (r) => r,
    (err: unknown) => {
      useBackupsUi.getState().set({ error: errorText(err) });
      return undefined;
    },
  );
}

/** Start a backup: the task id, or undefined when it did not start (the reason is the page's error). */
export function useRunBackup() {
  const runCall = useAction('backups.run');
  return async (scope: 'full' | 'tenant' | 'all-tenants', tenant?: string): Promise<string | undefined> => {
    const r = await report(runCall.mutateAsync({ scope, ...(tenant ? { tenant } : {}) }));
    if (r) useBackupsUi.getState().set({ notice: scope === 'tenant' ? `Backup of ${tenant} started; follow it in the task tray.` : 'Backup started; follow it below and in the task tray.' });
    return r?.taskId;
  };
}

/**
 * The Backups page's actions. Each reports on the page (a notice or the page's error, see useBackupsUi),
 * and the ones that change the catalog or the settings make the backups domain stale.
 */
export function useBackupActions() {
  const ui = useBackupsUi.getState;
  const configureCall = useAction('backups.configure', ['backups']);
  const generateKeyCall = useAction('backups.generateKey', ['backups']);
  const run = useRunBackup();
  const verifyCall = useAction('backups.verify');
  const restoreCall = useAction('backups.restore');
  const retentionCall = useAction('backups.retention');
  const applyCall = useAction('backups.retention', ['backups']);
  const dropCall = useAction('backups.dropRestoredCopy', ['backups']);
  return {
    async configure(input: Input<'backups.configure'>): Promise<boolean> {
      const r = await report(configureCall.mutateAsync(input));
      if (r) ui().set({ error: undefined, notice: 'Backup settings saved.' });
      return Boolean(r);
    },
    generateKey: () => report(generateKeyCall.mutateAsync({})),
    run,
    async verify(manifest: string): Promise<void> {
      if (await report(verifyCall.mutateAsync({ manifest }))) ui().set({ notice: 'Verification started: the backup is being restored into a scratch database.' });
    },
    async restore(input: Input<'backups.restore'>): Promise<boolean> {
      const r = await report(restoreCall.mutateAsync(input));
      if (r) ui().set({ notice: 'Restore started; follow it in the task tray.' });
      return Boolean(r);
    },
    async previewRetention(): Promise<void> {
      const plan = await report(retentionCall.mutateAsync({ dryRun: true }));
      if (plan) ui().set({ plan });
    },
    async applyRetention(): Promise<void> {
      const plan = await report(applyCall.mutateAsync({ dryRun: false }));
      if (plan) ui().set({ plan: undefined, notice: `Retention applied: ${plan.delete.length} backups deleted.` });
    },
    /** Drop one restored copy; `confirm` is the database name on production. The error, or undefined. */
    async dropCopy(schema: string, confirm?: string) {
      try {
        const r = await dropCall.mutateAsync({ schema, ...(confirm ? { confirm } : {}) });
        ui().set({ notice: `Dropped ${r.dropped}.` });
        return undefined;
      } catch (err) {
        return errorText(err);
      }
    },
  };
}
