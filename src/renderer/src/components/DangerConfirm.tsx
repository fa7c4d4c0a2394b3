import { useState } from 'react';
import { useActiveProfile } from '../api/app';
import { ErrorState } from './States';

type Err = { message: string; hint?: string };

/**
 * The confirming end of a dangerous dialog: on a production connection the database name must be typed
 * back; then `run` gets it (undefined elsewhere) and returns an error to show, or undefined when done.
 */
export function DangerConfirm({ label, busyLabel, run, onCancel, cancelLabel = 'Cancel' }: { label: string; busyLabel: string; run(confirm: string | undefined): Promise<Err | undefined>; onCancel(): void; cancelLabel?: string }) {
  const profile = useActiveProfile();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Err>();
  const production = profile?.environment === 'production';
  const ready = !production || typed === profile?.database;
  return (
    <>
      {production && (
        <label className="small-text">
          This is production: type the database name “{profile?.database}” to confirm
          <input autoFocus value={typed} onChange={(e) => setTyped(e.target.value)} aria-label="Database name" />
        </label>
      )}
      {error && <ErrorState error={error} />}
      <div className="actions">
        <button
          type="button"
          className="danger"
          disabled={!ready || busy}
          onClick={async () => {
            setBusy(true);
            const err = await run(production ? typed : undefined);
            setBusy(false);
            setError(err);
          }}
        >
          {busy ? busyLabel : label}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {cancelLabel}
        </button>
      </div>
    </>
  );
}
