import { useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogEntry } from '../../../shared/domain/backups';
import type { Task } from '../../../shared/domain/tasks';
import { BACKUP_KINDS } from '../../../shared/vocabulary';
import { RestoredCopies } from '../components/RestoredCopies';
import { EmptyState, ErrorState } from '../components/States';
import { bytes, duration } from '../format';
import { useBackupsStore } from '../stores/backups';
import { useTasksStore } from '../stores/tasks';

const KINDS: Array<CatalogEntry['kind'] | ''> = ['', ...BACKUP_KINDS];

/** Bytes per second of a running task, from its progress over the last samples. */
function useRates(tasks: Task[]): Record<string, number> {
  const samples = useRef<Record<string, { at: number; done: number }>>({});
  const [rates, setRates] = useState<Record<string, number>>({});
  useEffect(() => {
    const now = Date.now();
    const next: Record<string, number> = {};
    for (const t of tasks) {
      const prev = samples.current[t.id];
      if (prev && now > prev.at && t.progress.done >= prev.done) next[t.id] = ((t.progress.done - prev.done) / (now - prev.at)) * 1000;
      if (!prev || now - prev.at > 1000) samples.current[t.id] = { at: now, done: t.progress.done };
    }
    setRates((r) => ({ ...r, ...next }));
  }, [tasks]);
  return rates;
}

function RunningBackups() {
  const all = useTasksStore((s) => s.tasks);
  const cancel = useTasksStore((s) => s.cancel);
  const running = useMemo(() => Object.values(all).filter((t) => ['backup', 'restore', 'verify'].includes(t.kind) && (t.status === 'running' || t.status === 'queued')), [all]);
  const rates = useRates(running);
  if (!running.length) return null;
  return (
    <section className="card" aria-label="Running backups">
      <h2>Running</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>What</th>
            <th>Progress</th>
            <th>Rate</th>
            <th>ETA</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {running.map((t) => {
            const pct = t.progress.total ? Math.min(100, (t.progress.done / t.progress.total) * 100) : undefined;
            return (
              <tr key={t.id}>
                <td>
                  {t.title}
                  <div className="muted small-text">{t.log[t.log.length - 1]}</div>
                </td>
                <td style={{ minWidth: 180 }}>
                  <div className="progress">
                    <div className={pct === undefined ? 'bar indeterminate' : 'bar'} style={pct === undefined ? undefined : { width: `${pct}%` }} />
                  </div>
                  <span className="small-text">
                    {bytes(t.progress.done)}
                    {t.progress.total ? ` of ${bytes(t.progress.total)}` : ''}
                  </span>
                </td>
                <td className="small-text">{rates[t.id] !== undefined ? `${bytes(rates[t.id]!)}/s` : '–'}</td>
                <td className="small-text">{t.progress.etaSec !== undefined ? duration(t.progress.etaSec) : '–'}</td>
                <td>
                  <button className="small" onClick={() => void cancel(t.id)}>
                    Cancel
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function KeySetup() {
  const { settings, generateKey, configure } = useBackupsStore();
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

function SettingsCard() {
  const { settings, configure } = useBackupsStore();
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

function RestoreDialog({ entry, onClose }: { entry: CatalogEntry; onClose: () => void }) {
  const restore = useBackupsStore((s) => s.restore);
  const isFull = entry.kind === 'full';
  const [mode, setMode] = useState<'side-schema' | 'replace' | 'new-database' | 'existing-database'>(isFull ? 'new-database' : 'side-schema');
  const [tenant, setTenant] = useState(entry.tenant ?? '');
  const [target, setTarget] = useState('');
  const [confirm, setConfirm] = useState('');
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '_');
  const side = `${tenant || '<tenant>'}__restored_${stamp}`;
  const what =
    mode === 'side-schema'
      ? `Restores tenant ${tenant || '<tenant>'} as it was at ${entry.finishedAt} into a new schema ${target || side}, beside the live one. The live schema is not touched.`
      : mode === 'replace'
        ? `First backs up the live ${tenant} (safety backup), then restores the backup beside it and swaps the names in one transaction. The old schema is kept as ${tenant}__replaced_… until you drop it.`
        : mode === 'new-database'
          ? `Creates a new database ${target || `${entry.database}_restored_${stamp}`} and restores the whole backup into it. Nothing existing is touched.`
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
            <input value={target} onChange={(e) => setTarget(e.target.value)} placeholder={isFull ? `${entry.database}_restored_${stamp}` : side} />
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

function Verification({ e }: { e: CatalogEntry }) {
  if (!e.verified && e.verifyAttempt)
    return (
      <span className="muted" title={`${e.verifyAttempt.reason} (${e.verifyAttempt.at})`}>
        not verified · could not verify
      </span>
    );
  if (!e.verified) return <span className="muted">not verified</span>;
  return e.verified.ok ? (
    <span className="ok-text" title={`Restored into a scratch database and compared on ${e.verified.at}`}>
      verified restorable · {e.verified.at.slice(0, 10)}
    </span>
  ) : (
    <span className="error-text" title={e.verified.detail}>
      verify failed · {e.verified.at.slice(0, 10)}
    </span>
  );
}

function RetentionCard() {
  const { plan, previewRetention, applyRetention } = useBackupsStore();
  return (
    <section className="card" aria-label="Retention">
      <div className="actions">
        <h2 style={{ margin: 0 }}>Retention</h2>
        <button className="small" onClick={() => void previewRetention()}>
          Preview
        </button>
      </div>
      {plan && (
        <>
          <p className="small-text">
            {plan.delete.length === 0 ? 'Nothing to delete under the current rule.' : `Would delete ${plan.delete.length} backups (${bytes(plan.deletedBytes)}); keeps ${plan.keep.length}.`}
          </p>
          {plan.delete.length > 0 && (
            <>
              <ul className="small-text mono">
                {plan.delete.slice(0, 20).map((d) => (
                  <li key={d.id}>{d.id}</li>
                ))}
                {plan.delete.length > 20 && <li>… and {plan.delete.length - 20} more</li>}
              </ul>
              <button className="danger" onClick={() => void applyRetention()}>
                Delete {plan.delete.length} backups
              </button>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** Backups: catalog (from the destination's manifests), running work, back up now, restore, verify, retention. */
export function BackupsPage() {
  const { settings, entries, total, nextCursor, filter, loading, error, notice, load, loadMore, setFilter, run, verify, dismiss } = useBackupsStore();
  const [restoring, setRestoring] = useState<CatalogEntry>();
  const [tenantInput, setTenantInput] = useState(filter.tenant ?? '');
  const finished = useTasksStore((s) => Object.values(s.tasks).filter((t) => ['backup', 'restore', 'verify'].includes(t.kind) && t.status !== 'running').length);

  useEffect(() => {
    void load();
  }, [load, finished]);

  const keyReady = settings?.key.configured ?? false;
  // #/backups/key (the link from a backup that could not start for want of a key) lands on the key section.
  const haveSettings = Boolean(settings);
  useEffect(() => {
    if (haveSettings && window.location.hash === '#/backups/key') document.getElementById('backup-key')?.scrollIntoView({ block: 'center' });
  }, [haveSettings]);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Backups</h1>
        <div className="actions">
          <button disabled={!keyReady} onClick={() => void run('full')} title={keyReady ? 'Full backup of the database, encrypted' : 'Set up a backup key first'}>
            Back up now (full)
          </button>
          <button disabled={!keyReady} onClick={() => void run('all-tenants')}>
            Back up all tenants
          </button>
        </div>
      </div>
      {notice && (
        <div className="notice" role="status">
          {notice}{' '}
          <button className="small" onClick={dismiss}>
            OK
          </button>
        </div>
      )}
      {error && <ErrorState error={error} onRetry={() => void load()} />}
      <KeySetup />
      <RunningBackups />
      <section className="card" aria-label="Catalog">
        <div className="actions" style={{ marginBottom: 8 }}>
          <h2 style={{ margin: 0 }}>Catalog</h2>
          <span className="muted small-text">{total} backups · read from the destination&apos;s manifests</span>
          <span className="spacer" />
          <input aria-label="Filter by tenant" placeholder="tenant (org_…)" value={tenantInput} onChange={(e) => setTenantInput(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && setFilter({ ...filter, tenant: tenantInput || undefined })} />
          <select aria-label="Filter by kind" value={filter.kind ?? ''} onChange={(e) => setFilter({ ...filter, kind: (e.target.value || undefined) as CatalogEntry['kind'] | undefined })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k || 'all kinds'}
              </option>
            ))}
          </select>
          <input aria-label="Since" type="date" value={filter.since?.slice(0, 10) ?? ''} onChange={(e) => setFilter({ ...filter, since: e.target.value ? new Date(e.target.value).toISOString() : undefined })} />
        </div>
        {entries.length === 0 && !loading ? (
          <EmptyState title="No backups here yet">
            <p>{keyReady ? 'Run "Back up now", or back up one tenant from the Tenants page.' : 'Set up a backup key above, then run a first backup.'}</p>
          </EmptyState>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>Finished</th>
                <th>Age (RPO)</th>
                <th>Kind</th>
                <th>Tenant / database</th>
                <th>Size</th>
                <th>Key</th>
                <th>Verification</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="mono">{e.finishedAt.replace('T', ' ').slice(0, 19)}</td>
                  <td>{duration(e.ageSec)}</td>
                  <td>{e.kind}</td>
                  <td className="mono">{e.tenant ?? (e.tenantCount ? `${e.tenantCount} tenants` : e.database)}</td>
                  <td>{bytes(e.bytes)}</td>
                  <td className="mono small-text">{e.keyId}</td>
                  <td>
                    <Verification e={e} />
                  </td>
                  <td className="actions">
                    <button className="small" onClick={() => void verify(e.manifest)}>
                      Verify
                    </button>
                    <button className="small" onClick={() => setRestoring(e)}>
                      Restore…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextCursor && (
          <button className="small" onClick={() => void loadMore()}>
            Load more ({total - entries.length} more)
          </button>
        )}
      </section>
      <RestoredCopies />
      <SettingsCard />
      <RetentionCard />
      {restoring && <RestoreDialog entry={restoring} onClose={() => setRestoring(undefined)} />}
    </div>
  );
}
