import { useState } from 'react';
import { useBackupActions, useBackupSettings } from '../../api/backups';

/** The backup key: its id and where it is, or how to make or name one (the key itself never reaches the renderer). */
export function KeySetup() {
  const settings = useBackupSettings().data;
  const { generateKey, configure } = useBackupActions();
  const [generated, setGenerated] = useState<{ keyId: string; path: string; warning: string }>();
  const [ack, setAck] = useState(false);
  const [path, setPath] = useState('');
  const [secretId, setSecretId] = useState('');
  if (!settings) return null;
  if (settings.key.configured && !generated)
    return (
      <p className="small-text" id="backup-key">
        Key <code>{settings.key.keyId}</code> from {settings.key.source === 'file' ? 'key file' : 'AWS secret'} <code>{settings.key.where}</code>. Older keys stay usable for restores.{' '}
        <button className="small" onClick={() => void generateKey().then(setGenerated)}>
          Rotate key…
        </button>
      </p>
    );
  return (
    <div className="notice" role="region" aria-label="Backup key" id="backup-key">
      {generated ? (
        <>
          <strong>New backup key {generated.keyId}</strong>
          <p>{generated.warning}</p>
          <p>
            It is in <code>{generated.path}</code> (readable by you only). Copy that file somewhere safe now.
          </p>
          <label className="checkbox">
            <input type="checkbox" checked={ack} onChange={(e) => setAck(e.target.checked)} /> I have stored the key safely
          </label>
          <button disabled={!ack} onClick={() => setGenerated(undefined)}>
            Done
          </button>
        </>
      ) : (
        <>
          <strong>No backup key yet.</strong> Backups are encrypted (AES-256); the key never leaves this machine&apos;s key file or your secret store.
          <div className="actions" style={{ marginTop: 6 }}>
            <button onClick={() => void generateKey().then(setGenerated)}>Generate a key</button>
            <span className="muted">or use an existing key file:</span>
            <input aria-label="Key file path" placeholder="/path/to/backup.key (mode 600)" value={path} onChange={(e) => setPath(e.target.value)} />
            <button disabled={!path} onClick={() => void configure({ keyFile: path })}>
              Use it
            </button>
          </div>
          <div className="actions" style={{ marginTop: 6 }}>
            <span className="muted">or an AWS Secrets Manager secret:</span>
            <input aria-label="AWS secret id" placeholder="prod/podcastflow/backup-key" value={secretId} onChange={(e) => setSecretId(e.target.value)} />
            <button disabled={!secretId} onClick={() => void configure({ keySecretId: secretId })}>
              Use it
            </button>
          </div>
        </>
      )}
    </div>
  );
}
