import { useState } from 'react';
import type { RestoredCopy } from '../../../../shared/domain/backups';
import { useBackupActions, useRestoredCopies } from '../../api/backups';
import { bytes, duration } from '../../format';
import { DangerConfirm } from '../DangerConfirm';
import { ErrorState } from '../States';

/**
 * Restored copies: the side schemas restores left beside the live tenants (<tenant>__restored_… and the
 * <tenant>__replaced_… a replace keeps). They are never counted as tenants; here they are seen and dropped.
 */
export function RestoredCopies() {
  // A restore that finishes may have left a new copy: its task event makes this stale.
  const query = useRestoredCopies();
  const copies = query.data?.copies;
  const loadCopies = () => void query.refetch();
  const error = query.error;
  const [dropping, setDropping] = useState<RestoredCopy>();
  return (
    <section className="card" aria-label="Restored copies">
      <div className="page-head">
        <h2 style={{ margin: 0 }}>Restored copies</h2>
        <span className="muted small-text">side schemas left by restores · never counted as tenants</span>
        <span className="spacer" />
        <button className="small" onClick={loadCopies}>
          Refresh
        </button>
      </div>
      {error && <ErrorState error={error} onRetry={loadCopies} />}
      {copies && copies.length === 0 && <p className="muted small-text">None: no restore has left a copy in this database.</p>}
      {copies && copies.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Schema</th>
              <th>Copy of</th>
              <th>Size</th>
              <th>Age</th>
              <th>From</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {copies.map((c) => (
              <tr key={c.schema}>
                <td className="mono">{c.schema}</td>
                <td>
                  <span className="mono">{c.tenant}</span> <span className="muted small-text">{c.kind === 'restored' ? 'restored beside it' : 'the old live schema, replaced'}</span>
                  {!c.tenantExists && <div className="small-text muted">no such tenant now</div>}
                </td>
                <td>
                  {bytes(c.bytes)} <span className="muted small-text">· {c.tables} tables</span>
                </td>
                <td title={c.createdAt}>{c.ageSec !== undefined ? duration(c.ageSec) : '–'}</td>
                <td className="mono small-text">{c.origin?.backup ?? c.origin?.backupId ?? (c.origin?.safetyBackup ? `safety backup ${c.origin.safetyBackup}` : <span className="muted">not recorded</span>)}</td>
                <td className="actions">
                  <button className="small danger" onClick={() => setDropping(c)}>
                    Drop…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dropping && <DropDialog copy={dropping} onClose={() => setDropping(undefined)} />}
    </section>
  );
}

function DropDialog({ copy, onClose }: { copy: RestoredCopy; onClose: () => void }) {
  const { dropCopy } = useBackupActions();
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label="Drop restored copy">
      <div className="dialog">
        <h2>
          Drop <code style={{ textTransform: 'none' }}>{copy.schema}</code>?
        </h2>
        <p className="small-text">
          <code>DROP SCHEMA … CASCADE</code> of this {copy.kind === 'restored' ? 'restored copy' : 'replaced (old live) schema'}: {copy.tables} tables, {bytes(copy.bytes)}. The live tenant {copy.tenant} is not touched. It cannot be undone; the backup it came from stays.
        </p>
        <DangerConfirm
          label="Drop"
          busyLabel="Dropping…"
          onCancel={onClose}
          run={async (confirm) => {
            const err = await dropCopy(copy.schema, confirm);
            if (!err) onClose();
            return err;
          }}
        />
      </div>
    </div>
  );
}
