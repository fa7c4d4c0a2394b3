import { useState } from 'react';
import type { ProfileView } from '../../../../shared/domain/connections';
import { useDeleteConnection } from '../../api/app';

/** Delete a connection profile (and its saved password); production asks for the database name. */
export function DeleteDialog({ profile: deleting, onClose, onError }: { profile: ProfileView; onClose(): void; onError(err: unknown): void }) {
  const remove = useDeleteConnection();
  const [confirmText, setConfirmText] = useState('');

  async function confirmDelete() {
    try {
      await remove(deleting.id, deleting.environment === 'production' ? confirmText : undefined);
      onClose();
    } catch (err) {
      onError(err);
    }
  }

  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-label="Delete connection">
        <h2>Delete “{deleting.name}”?</h2>
        <p>The profile and any saved password are removed. The database itself is not touched.</p>
        {deleting.environment === 'production' && (
          <label>
            This is production: type the database name <code>{deleting.database}</code> to confirm
            <input value={confirmText} onChange={(e) => setConfirmText(e.target.value)} autoFocus />
          </label>
        )}
        <div className="actions">
          <button className="danger" disabled={deleting.environment === 'production' && confirmText !== deleting.database} onClick={() => void confirmDelete()}>
            Delete
          </button>
          <button onClick={onClose}>Cancel</button>
        </div>
      </div>
    </div>
  );
}
