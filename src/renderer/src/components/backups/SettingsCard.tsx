import { useState } from 'react';
import { useBackupActions, useBackupSettings } from '../../api/backups';

interface S3Form {
  endpoint: string;
  region: string;
  profile: string;
  sse: '' | 'AES256' | 'aws:kms';
  kmsKeyId: string;
}

/** The form's strings as settings: empty fields mean "the default" and are left out. */
function s3Settings(f: S3Form) {
  return {
    ...(f.endpoint.trim() ? { endpoint: f.endpoint.trim() } : {}),
    ...(f.region.trim() ? { region: f.region.trim() } : {}),
    ...(f.profile.trim() ? { profile: f.profile.trim() } : {}),
    ...(f.sse ? { sse: f.sse } : {}),
    ...(f.sse === 'aws:kms' && f.kmsKeyId.trim() ? { kmsKeyId: f.kmsKeyId.trim() } : {}),
  };
}

function s3Summary(s: { endpoint?: string; region?: string; profile?: string; sse?: string; kmsKeyId?: string }): string {
  const parts = [s.region && `region ${s.region}`, s.profile && `profile ${s.profile}`, s.endpoint && `endpoint ${s.endpoint}`, s.sse && `encryption ${s.sse}${s.kmsKeyId ? ` (${s.kmsKeyId})` : ''}`].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Destination (folder or S3), retention and schedule, and the cron line for backups while the app is closed. */
export function SettingsCard() {
  const settings = useBackupSettings().data;
  const { configure } = useBackupActions();
  const [edit, setEdit] = useState(false);
  const [dest, setDest] = useState('');
  const [s3, setS3] = useState<S3Form>({ endpoint: '', region: '', profile: '', sse: '', kmsKeyId: '' });
  const [keepLast, setKeepLast] = useState(7);
  const [keepDays, setKeepDays] = useState(30);
  const [every, setEvery] = useState(24);
  const [enabled, setEnabled] = useState(false);
  const [copied, setCopied] = useState(false);
  if (!settings) return null;
  const open = () => {
    setDest(settings.destination);
    setS3({ endpoint: settings.s3.endpoint ?? '', region: settings.s3.region ?? '', profile: settings.s3.profile ?? '', sse: settings.s3.sse ?? '', kmsKeyId: settings.s3.kmsKeyId ?? '' });
    setKeepLast(settings.retention.keepLast ?? 7);
    setKeepDays(settings.retention.keepDays ?? 30);
    setEvery(settings.schedule.everyHours);
    setEnabled(settings.schedule.enabled);
    setEdit(true);
  };
  return (
    <section className="card" aria-label="Backup settings">
      <h2>Destination, retention and schedule</h2>
      {!edit ? (
        <>
          <p className="small-text">
            Backups go to <code>{settings.destination}</code>
            {settings.destination.startsWith('s3://') ? s3Summary(settings.s3) : ''}. Retention keeps the last {settings.retention.keepLast ?? '–'} and everything younger than {settings.retention.keepDays ?? '–'} days per kind and tenant, never a tenant&apos;s newest verified backup. Schedule:{' '}
            {settings.schedule.enabled ? `every ${settings.schedule.everyHours} h (${settings.schedule.kind}) while the app runs` : 'off'}.{' '}
            <button className="small" onClick={open}>
              Change…
            </button>
          </p>
          <p className="small-text muted">For backups when the app is closed, a cron line:</p>
          <div className="actions">
            <code className="cron">{settings.cronLine}</code>
            <button className="small" onClick={() => void navigator.clipboard?.writeText(settings.cronLine).then(() => setCopied(true))}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </>
      ) : (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void configure({ destination: dest, s3: s3Settings(s3), retention: { keepLast, keepDays }, schedule: { enabled, everyHours: every, kind: settings.schedule.kind } }).then((ok) => ok && setEdit(false));
          }}
        >
          <label>
            Destination (a folder, file:///path or s3://bucket/prefix)
            <input value={dest} onChange={(e) => setDest(e.target.value)} />
          </label>
          {dest.startsWith('s3://') && (
            <div className="row">
              <label>
                Region (empty: the SDK's default)
                <input value={s3.region} onChange={(e) => setS3({ ...s3, region: e.target.value })} placeholder="eu-west-1" />
              </label>
              <label>
                AWS profile (empty: default chain)
                <input value={s3.profile} onChange={(e) => setS3({ ...s3, profile: e.target.value })} />
              </label>
              <label>
                Endpoint (S3-compatible stores; empty for AWS)
                <input value={s3.endpoint} onChange={(e) => setS3({ ...s3, endpoint: e.target.value })} placeholder="https://minio.internal:9000" />
              </label>
              <label>
                Server-side encryption
                <select value={s3.sse} onChange={(e) => setS3({ ...s3, sse: e.target.value as S3Form['sse'] })}>
                  <option value="">bucket default</option>
                  <option value="AES256">SSE-S3 (AES256)</option>
                  <option value="aws:kms">SSE-KMS</option>
                </select>
              </label>
              {s3.sse === 'aws:kms' && (
                <label>
                  KMS key id (empty: the AWS-managed key)
                  <input value={s3.kmsKeyId} onChange={(e) => setS3({ ...s3, kmsKeyId: e.target.value })} />
                </label>
              )}
            </div>
          )}
          <div className="row">
            <label>
              Keep last
              <input type="number" min={1} value={keepLast} onChange={(e) => setKeepLast(Number(e.target.value))} />
            </label>
            <label>
              Keep days
              <input type="number" min={1} value={keepDays} onChange={(e) => setKeepDays(Number(e.target.value))} />
            </label>
            <label>
              Every (hours)
              <input type="number" min={1} max={168} value={every} onChange={(e) => setEvery(Number(e.target.value))} />
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Scheduled while the app runs
            </label>
          </div>
          <div className="actions">
            <button type="submit">Save</button>
            <button type="button" onClick={() => setEdit(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
