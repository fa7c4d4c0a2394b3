import { useState } from 'react';
import { useRunBackup } from '../../api/backups';
import { useTask } from '../../api/tasks';
import { useBackupsUi } from '../../stores/backups';

export type BackupError = { tenant: string; message: string; hint?: string; code?: string };

/**
 * One-click backup of one tenant (for the Tenants page). Starts the backup task with the configured
 * destination and key; the button shows only a short state, because it sits in a fixed-height
 * virtualised row: a failure to start goes to `onError` (the page's banner), a failed run to the task tray.
 */
export function BackupTenantButton({ schema, onError }: { schema: string; onError(e: BackupError | undefined): void }) {
  const run = useRunBackup();
  const [taskId, setTaskId] = useState<string>();
  const [starting, setStarting] = useState(false);
  const { task, running: taskRunning } = useTask(taskId);
  const running = starting || taskRunning;

  async function click() {
    setStarting(true);
    onError(undefined);
    const id = await run('tenant', schema);
    setStarting(false);
    if (id) setTaskId(id);
    else onError({ tenant: schema, ...(useBackupsUi.getState().error ?? { message: 'Could not start the backup.' }) });
  }

  const label = running ? 'Backing up…' : task?.status === 'succeeded' ? 'Backed up ✓' : task?.status === 'failed' ? 'Failed, retry' : 'Back up';
  const title = task?.status === 'failed' ? `The last backup of ${schema} failed: ${task.error?.message ?? 'see the task tray'}` : `Back up tenant ${schema} now (encrypted, to the backup destination)`;
  return (
    <button className={`small${task?.status === 'failed' ? ' danger' : ''}`} onClick={(e) => { e.stopPropagation(); void click(); }} disabled={running} title={title} aria-label={`Back up tenant ${schema}`}>
      {label}
    </button>
  );
}

/** Why a one-click backup did not start, above the table, with a way to where it is fixed. */
export function BackupErrorBanner({ error, onClose }: { error: BackupError; onClose(): void }) {
  const keyMissing = error.code === 'key_required';
  return (
    <div className="error-state banner" role="alert" aria-label="Backup error">
      <strong>
        Backup of <span className="mono">{error.tenant}</span> did not start: {error.message}
      </strong>
      {error.hint && <p>{error.hint}</p>}
      <div className="actions">
        <a href={keyMissing ? '#/backups/key' : '#/backups'}>{keyMissing ? 'Set up the backup key on the Backups page →' : 'Open Backups →'}</a>
        <button className="small" onClick={onClose}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
