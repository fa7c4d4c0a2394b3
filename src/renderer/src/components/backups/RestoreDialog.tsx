import { useState } from 'react';
import type { CatalogEntry } from '../../../../shared/domain/backups';
import { useBackupActions, useRestoreNames } from '../../api/backups';

/** Restore one backup: beside or instead of the live tenant, or into a new or existing database. */
export function RestoreDialog({ entry, onClose }: { entry: CatalogEntry; onClose: () => void }) {
  const { restore } = useBackupActions();
  const isFull = entry.kind === 'full';
  const [mode, setMode] = useState<'side-schema' | 'replace' | 'new-database' | 'existing-database'>(isFull ? 'new-database' : 'side-schema');
  const [tenant, setTenant] = useState(entry.tenant ?? '');
  const [target, setTarget] = useState('');
  const [confirm, setConfirm] = useState('');
  // The default names come from the core (the 63-byte rule and the stamp are its own).
  const names = useRestoreNames({ ...(tenant ? { tenant } : {}), ...(isFull ? { database: entry.database } : {}) }).data;
  const side = names?.sideSchema ?? `${tenant || '<tenant>'}__restored_…`;
  const newDatabase = names?.database ?? `${entry.database}_restored_…`;
  const what =
    mode === 'side-schema'
      ? `Restores tenant ${tenant || '<tenant>'} as it was at ${entry.finishedAt} into a new schema ${target || side}, beside the live one. The live schema is not touched.`
      : mode === 'replace'
        ? `First backs up the live ${tenant} (safety backup), then restores the backup beside it and swaps the names in one transaction. The old schema is kept as ${tenant}__replaced_… until you drop it.`
        : mode === 'new-database'
          ? `Creates a new database ${target || newDatabase} and restores the whole backup into it. Nothing existing is touched.`
          : `Drops and re-creates every object of the backup inside the existing database ${target || '<database>'}, in one transaction.`;
  const needsConfirm = mode === 'replace' || mode === 'existing-database';
  const confirmWord = mode === 'replace' ? tenant : target;
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label="Restore">
      <div className="dialog">
        <h2>Restore {entry.kind} backup</h2>
        <p className="small-text muted">{entry.id}</p>
        <fieldset className="inline">
          {isFull ? (
            <>
              <label>
                <input type="radio" checked={mode === 'new-database'} onChange={() => setMode('new-database')} /> into a new database
              </label>
              <label>
                <input type="radio" checked={mode === 'existing-database'} onChange={() => setMode('existing-database')} /> over an existing database
              </label>
            </>
          ) : (
            <>
              <label>
                <input type="radio" checked={mode === 'side-schema'} onChange={() => setMode('side-schema')} /> beside the live tenant
              </label>
              <label>
                <input type="radio" checked={mode === 'replace'} onChange={() => setMode('replace')} /> replace the live tenant
              </label>
            </>
          )}
        </fieldset>
        {entry.kind === 'all-tenants' && (
          <label>
            Tenant to restore (one of {entry.tenantCount})
            <input value={tenant} onChange={(e) => setTenant(e.target.value)} placeholder="org_…" />
          </label>
        )}
        {mode !== 'replace' && (
          <label>
            {isFull ? 'Database name' : 'Schema name'} (optional)
            <input value={target} onChange={(e) => setTarget(e.target.value)} placeholder={isFull ? newDatabase : side} />
          </label>
        )}
        <p className="notice small-text">{what} Checksums, the manifest&apos;s HMAC and the key are checked before the database is touched.</p>
        {needsConfirm && (
          <label>
            <span>
              Type <code>{confirmWord || '…'}</code> to confirm
            </span>
            <input value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          </label>
        )}
        <div className="actions">
          <button
            disabled={(entry.kind === 'all-tenants' && !tenant) || (needsConfirm && (!confirmWord || confirm !== confirmWord))}
            onClick={() =>
              void restore({ manifest: entry.manifest, mode, ...(entry.kind === 'all-tenants' ? { tenant } : {}), ...(target && mode !== 'replace' ? { target } : {}), ...(needsConfirm ? { confirm } : {}) }).then((ok) => ok && onClose())
            }
          >
            Restore
          </button>
          <button onClick={onClose}>Cancel</button>
        </div>
      </div>
    </div>
  );
}
