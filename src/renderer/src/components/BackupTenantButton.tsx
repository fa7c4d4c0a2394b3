import { useState } from 'react';
import { useBackupsStore } from '../stores/backups';
import { useTasksStore } from '../stores/tasks';

/**
 * One-click backup of one tenant (for the Tenants page). Self-contained: starts the backup task with the
 * configured destination and key, then shows its state; the task tray has progress and cancel.
 */
export function BackupTenantButton({ schema }: { schema: string }) {
  const run = useBackupsStore((s) => s.run);
  const [taskId, setTaskId] = useState<string>();
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string>();
  const task = useTasksStore((s) => (taskId ? s.tasks[taskId] : undefined));
  const running = starting || task?.status === 'running' || task?.status === 'queued';

  async function click() {
    setStarting(true);
    setError(undefined);
    const id = await run('tenant', schema);
    setStarting(false);
    if (id) setTaskId(id);
    else setError(useBackupsStore.getState().error?.message ?? 'Could not start the backup.');
  }

  const label = running ? 'Backing up…' : task?.status === 'succeeded' ? 'Backed up ✓' : 'Back up';
  return (
    <span className="backup-tenant">
      <button className="small" onClick={() => void click()} disabled={running} title={`Back up tenant ${schema} now (encrypted, to the backup destination)`} aria-label={`Back up tenant ${schema}`}>
        {label}
      </button>
      {task?.status === 'failed' && <span className="error-text small-text"> {task.error?.message}</span>}
      {task?.status === 'cancelled' && <span className="muted small-text"> cancelled</span>}
      {error && <span className="error-text small-text"> {error}</span>}
    </span>
  );
}
