import { useEffect, useState } from 'react';
import type { CatalogEntry } from '../../../shared/domain/backups';
import { useBackupActions, useBackupSettings } from '../api/backups';
import { Catalog } from '../components/backups/Catalog';
import { KeySetup } from '../components/backups/KeySetup';
import { PointInTime } from '../components/backups/PointInTime';
import { RestoreDialog } from '../components/backups/RestoreDialog';
import { RestoredCopies } from '../components/backups/RestoredCopies';
import { RetentionCard } from '../components/backups/RetentionCard';
import { RunningBackups } from '../components/backups/RunningBackups';
import { SettingsCard } from '../components/backups/SettingsCard';
import { ErrorState } from '../components/States';
import { useBackupsUi } from '../stores/backups';

/** Backups: catalog (from the destination's manifests), running work, back up now, restore, verify, retention. */
export function BackupsPage() {
  const settingsQuery = useBackupSettings();
  const settings = settingsQuery.data;
  const { notice, dismiss } = useBackupsUi();
  const error = useBackupsUi((s) => s.error) ?? settingsQuery.error;
  const { run } = useBackupActions();
  const [restoring, setRestoring] = useState<CatalogEntry>();

  const keyReady = settings?.key.configured ?? false;
  // #/backups/key (the link from a backup that could not start for want of a key) lands on the key section.
  const haveSettings = Boolean(settings);
  useEffect(() => {
    if (haveSettings && window.location.hash === '#/backups/key') document.getElementById('backup-key')?.scrollIntoView({ block: 'center' });
  }, [haveSettings]);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Backups</h1>
        <div className="actions">
          <button disabled={!keyReady} onClick={() => void run('full')} title={keyReady ? 'Full backup of the database, encrypted' : 'Set up a backup key first'}>
            Back up now (full)
          </button>
          <button disabled={!keyReady} onClick={() => void run('all-tenants')}>
            Back up all tenants
          </button>
        </div>
      </div>
      {notice && (
        <div className="notice" role="status">
          {notice}{' '}
          <button className="small" onClick={dismiss}>
            OK
          </button>
        </div>
      )}
      {error && (
        <ErrorState
          error={error}
          onRetry={() => {
            dismiss();
            void settingsQuery.refetch();
          }}
        />
      )}
      <KeySetup />
      <RunningBackups />
      <Catalog keyReady={keyReady} onRestore={setRestoring} />
      <RestoredCopies />
      <PointInTime />
      <SettingsCard />
      <RetentionCard />
      {restoring && <RestoreDialog entry={restoring} onClose={() => setRestoring(undefined)} />}
    </div>
  );
}
