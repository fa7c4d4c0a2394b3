import { useState, type FormEvent } from 'react';
import type { SecretSummary } from '../../../../shared/domain/secrets';
import { useRotate } from '../../api/secrets';
import { ErrorState } from '../States';

/** Type the secret's name back to rotate: RotateSecret, then connections using it re-read it. */
export function RotateDialog({ secret, onClose }: { secret: SecretSummary; onClose: (message?: string) => void }) {
  const rotate = useRotate();
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const refreshed = await rotate(secret.name, confirm);
      onClose(`Rotation of ${secret.name} started${refreshed.length ? `; ${refreshed.length} connection(s) re-read it` : ''}.`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-labelledby="rotate-h">
      <form className="dialog" onSubmit={(e) => void submit(e)}>
        <h2 id="rotate-h">Rotate {secret.name} now?</h2>
        <p>Secrets Manager runs the rotation function at once. Applications holding the old password must re-read the secret; this console does so for its own connections.</p>
        <label>
          Type <code>{secret.name}</code> to confirm
          <input value={confirm} onChange={(e) => setConfirm(e.target.value)} autoFocus aria-label="Confirm secret name" />
        </label>
        {error !== undefined && <ErrorState error={error} />}
        <div className="actions">
          <button type="submit" className="danger" disabled={busy || confirm !== secret.name}>Rotate now</button>
          <button type="button" onClick={() => onClose()}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
