import { useState } from 'react';
import type { ProfileView } from '../../../shared/domain/connections';
import { ConnectionForm, draftOf, EMPTY, type Draft } from '../components/settings/ConnectionForm';
import { ConnectionsTable } from '../components/settings/ConnectionsTable';
import { DeleteDialog } from '../components/settings/DeleteDialog';
import { NotificationsCard } from '../components/settings/NotificationsCard';
import { ErrorState } from '../components/States';

/** Connection profiles: add, edit, test, delete (production asks for the database name); the notification webhooks. */
export function SettingsPage() {
  // The form being edited; `n` makes every Add or Edit a fresh form (and a fresh test).
  const [editing, setEditing] = useState<{ draft: Draft; n: number } | null>(null);
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();
  const [deleting, setDeleting] = useState<ProfileView | null>(null);
  const edit = (draft: Draft) => setEditing((e) => ({ draft, n: (e?.n ?? 0) + 1 }));

  return (
    <div className="page">
      <div className="page-head">
        <h1>Settings</h1>
        <button onClick={() => edit({ ...EMPTY })}>Add connection</button>
      </div>
      {note && <div className="notice">{note}</div>}
      {error !== undefined && <ErrorState error={error} />}
      <ConnectionsTable onEdit={(p) => edit(draftOf(p))} onDelete={setDeleting} />

      {editing && (
        <ConnectionForm
          key={editing.n}
          initial={editing.draft}
          onSaved={(n) => {
            setNote(n);
            setEditing(null);
          }}
          onCancel={() => setEditing(null)}
          onError={setError}
        />
      )}

      {deleting && <DeleteDialog profile={deleting} onClose={() => setDeleting(null)} onError={setError} />}

      <NotificationsCard />
    </div>
  );
}
