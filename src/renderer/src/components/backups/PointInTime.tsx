import { useState } from 'react';
import type { PitrRestoreResult, PitrStatus } from '../../../../shared/domain/pitr';
import { useCall } from '../../api/client';
import { usePitrActions, usePitrStatus, usePitrTenants } from '../../api/pitr';
import { useTask } from '../../api/tasks';
import { errorText } from '../../bridge';
import { ago, bytes, duration } from '../../format';
import { useNow } from '../../now';
import { ErrorState } from '../States';

/** <input type="datetime-local" step=1> value (local time) of an ISO time, and back. */
const toLocal = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
};
const fromLocal = (local: string) => new Date(local).toISOString();

/** The recoverable window as a bar: backups as ticks, the chosen target as a marker. */
function Timeline({ status, target }: { status: PitrStatus; target?: string }) {
  const w = status.window;
  if (!w) return <p className="muted small-text">Nothing recoverable yet: the repo holds no backup.</p>;
  const from = Date.parse(w.from);
  const to = Math.max(Date.parse(w.to), from + 1000);
  const pos = (iso: string) => `${Math.min(100, Math.max(0, ((Date.parse(iso) - from) / (to - from)) * 100))}%`;
  return (
    <div aria-label="Recoverable window" style={{ margin: '8px 0 4px' }}>
      <div style={{ position: 'relative', height: 22, background: 'color-mix(in srgb, var(--accent) 18%, transparent)', border: '1px solid var(--border)', borderRadius: 4 }}>
        {status.backups.map((b) => (
          <span key={b.label} title={`${b.type} backup ${b.label}, finished ${b.finishedAt}`} style={{ position: 'absolute', left: pos(b.finishedAt), top: 0, bottom: 0, width: 3, background: 'var(--accent)' }} />
        ))}
        {target && <span title={`target ${target}`} aria-label="Target" style={{ position: 'absolute', left: pos(target), top: -4, bottom: -4, width: 2, background: 'var(--danger, #c33)' }} />}
      </div>
      <div className="small-text muted" style={{ display: 'flex', justifyContent: 'space-between' }}>
        <span>{new Date(w.from).toLocaleString()} (oldest backup)</span>
        <span>{new Date(w.to).toLocaleString()} (last archived WAL)</span>
      </div>
    </div>
  );
}

function RestoreToPoint({ status, onClose }: { status: PitrStatus; onClose: () => void }) {
  const { restore } = usePitrActions();
  const w = status.window!;
  const [search, setSearch] = useState('');
  const [tenant, setTenant] = useState('');
  const [at, setAt] = useState(toLocal(w.to));
  const [schema, setSchema] = useState('');
  const [taskId, setTaskId] = useState<string>();
  const [error, setError] = useState<string>();
  const tenants = usePitrTenants(search).data;
  const names = useCall('backups.restoreNames', tenant ? { tenant } : {}).data;
  const run = useTask<PitrRestoreResult>(taskId, { withResult: true });
  const target = at ? fromLocal(at) : undefined;
  const now = useNow(5_000);
  const outside = target !== undefined && (target < w.from || target > new Date(now).toISOString());
  const result = run.result;
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label="Restore tenant to a point in time">
      <div className="dialog">
        <h2>Restore tenant to a point in time</h2>
        {!taskId && (
          <>
            <label>
              Tenant
              <input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="search tenants…" aria-label="Search tenants" />
            </label>
            <div className="small-text" role="listbox" aria-label="Tenants" style={{ maxHeight: 140, overflow: 'auto', border: '1px solid var(--border)', borderRadius: 4 }}>
              {(tenants?.tenants ?? []).map((t) => (
                <div key={t} role="option" aria-selected={t === tenant} onClick={() => setTenant(t)} style={{ padding: '2px 6px', cursor: 'pointer', background: t === tenant ? 'color-mix(in srgb, var(--accent) 20%, transparent)' : undefined }}>
                  {t}
                </div>
              ))}
              {tenants?.more && <div className="muted" style={{ padding: '2px 6px' }}>… more: type more of the name</div>}
              {tenants && !tenants.tenants.length && <div className="muted" style={{ padding: '2px 6px' }}>No tenant matches.</div>}
            </div>
            <label>
              As it was at (your local time)
              <input type="datetime-local" step={1} min={toLocal(w.from)} value={at} onChange={(e) => setAt(e.target.value)} aria-label="Target time" />
            </label>
            <Timeline status={status} {...(target ? { target } : {})} />
            {outside && <p className="notice small-text">That moment is outside the recoverable window ({new Date(w.from).toLocaleString()} … now).</p>}
            <label>
              Schema name (optional)
              <input value={schema} onChange={(e) => setSchema(e.target.value)} placeholder={names?.sideSchema ?? '<tenant>__restored_…'} />
            </label>
            <p className="notice small-text">
              Restores the cluster to {target ?? '…'} into a scratch folder with pgBackRest, starts it privately, and copies {tenant || '<tenant>'} from it into a new schema {schema || names?.sideSchema || '…'} beside the live one. The live schema is not touched; the scratch cluster is removed afterwards.
            </p>
            {error && <p className="error small-text">{error}</p>}
          </>
        )}
        {taskId && (
          <div aria-label="Point-in-time restore progress">
            <p>
              {run.task?.title} — {run.status}
              {run.progress?.total ? ` (${run.progress.done}/${run.progress.total} phases)` : ''}
            </p>
            <p className="muted small-text">{run.task?.log.at(-1)}</p>
            {run.error && <ErrorState error={run.error} />}
            {result && (
              <dl className="small-text" aria-label="Restored beside the live tenant" style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 12px', overflowWrap: 'anywhere' }}>
                <dt>Live tenant</dt>
                <dd className="mono" style={{ margin: 0 }}>{result.tenant} (not touched)</dd>
                <dt>Restored copy beside it</dt>
                <dd className="mono" style={{ margin: 0 }}>{result.schema}</dd>
                <dt>As of</dt>
                <dd style={{ margin: 0 }}>
                  {result.lastTransactionAt ? `last transaction replayed ${new Date(result.lastTransactionAt).toLocaleString()}` : 'the target'}
                  <div className="muted">recovery stopped {result.stoppedAt}</div>
                </dd>
                <dt>Tables, rows</dt>
                <dd style={{ margin: 0 }}>
                  {result.tables} tables, {result.rows} rows
                </dd>
              </dl>
            )}
            {result && <p className="small-text muted">Done in {duration(result.durationMs / 1000)}: {result.phases.map((p) => `${p.phase} ${duration(p.ms / 1000)}`).join(' · ')}.</p>}
          </div>
        )}
        <div className="actions">
          {!taskId && (
            <button
              disabled={!tenant || !target || outside}
              onClick={() =>
                void restore({ tenant, target: { type: 'time', value: target! }, ...(schema ? { intoSchema: schema } : {}) }).then(
                  (r) => setTaskId(r.taskId),
                  (err: unknown) => setError(errorText(err).message),
                )
              }
            >
              Restore {tenant || 'tenant'}
            </button>
          )}
          {run.running && <button onClick={() => void run.cancel()}>Cancel restore</button>}
          <button onClick={onClose}>{taskId && !run.running ? 'Close' : 'Cancel'}</button>
        </div>
      </div>
    </div>
  );
}

/** The connection's pgBackRest settings: stanza, and a config file or a posix repo path (S3 through the config file or the contract). */
function EngineForm({ status }: { status: PitrStatus }) {
  const { configure } = usePitrActions();
  const [stanza, setStanza] = useState(status.config?.stanza ?? '');
  const [configFile, setConfigFile] = useState(status.config?.configFile ?? '');
  const [repoPath, setRepoPath] = useState(status.config?.repo?.type === 'posix' ? status.config.repo.path : '');
  const [error, setError] = useState<string>();
  const save = (config: Parameters<typeof configure>[0]['config']) => void configure({ config }).then(() => setError(undefined), (err: unknown) => setError(errorText(err).message));
  return (
    <form
      className="inline"
      aria-label="pgBackRest settings"
      onSubmit={(e) => {
        e.preventDefault();
        save({ stanza, ...(configFile ? { configFile } : {}), ...(repoPath ? { repo: { type: 'posix' as const, path: repoPath } } : {}) });
      }}
    >
      <label className="small-text">
        Stanza <input value={stanza} onChange={(e) => setStanza(e.target.value)} placeholder="main" size={12} />
      </label>
      <label className="small-text">
        Config file <input value={configFile} onChange={(e) => setConfigFile(e.target.value)} placeholder="/etc/pgbackrest/pgbackrest.conf" size={28} />
      </label>
      <label className="small-text">
        or repo path <input value={repoPath} onChange={(e) => setRepoPath(e.target.value)} placeholder="/var/lib/pgbackrest" size={20} />
      </label>
      <button className="small" type="submit" disabled={!stanza}>
        Save
      </button>
      {status.source === 'connection' && (
        <button className="small" type="button" onClick={() => save(null)}>
          Remove
        </button>
      )}
      {error && <span className="error small-text">{error}</span>}
    </form>
  );
}

/** Backups page, "Point in time": pgBackRest state of the connection, the recoverable window, and the tenant restore. */
export function PointInTime() {
  const query = usePitrStatus();
  const s = query.data;
  const connections = useCall('connections.list', {}).data;
  const onDemo = connections?.profiles.find((p) => p.id === connections.activeId)?.isDemo ?? false;
  const { setDemo, demoPending } = usePitrActions();
  const [open, setOpen] = useState(false);
  const [demoNote, setDemoNote] = useState<string>();
  const a = s?.archiver;
  return (
    <section className="card" aria-label="Point in time">
      <div className="page-head">
        <h2 style={{ margin: 0 }}>Point in time</h2>
        <span className="muted small-text">pgBackRest: archived WAL replayed onto a physical backup</span>
        <span className="spacer" />
        {onDemo && (
          <label className="small-text">
            <input type="checkbox" checked={s?.source === 'demo'} disabled={demoPending} onChange={(e) => void setDemo(e.target.checked).then((r) => setDemoNote(r.message), (err: unknown) => setDemoNote(errorText(err).message))} /> demo with WAL archiving
          </label>
        )}
        <button className="small" onClick={() => void query.refetch()}>
          Refresh
        </button>
        <button className="small" disabled={!s?.window || !s.engine.ok} onClick={() => setOpen(true)}>
          Restore tenant to a point in time
        </button>
      </div>
      {demoPending && <p className="notice small-text">Restarting the demo database…</p>}
      {demoNote && <p className="notice small-text">{demoNote}</p>}
      {query.error && <ErrorState error={query.error} onRetry={() => void query.refetch()} />}
      {s && !s.engine.ok && s.engine.error && (
        <p className="notice small-text" role="alert">
          {s.engine.error.message} {s.engine.error.hint}
        </p>
      )}
      {s && !s.configured && <p className="muted small-text">Not set up for this connection: name its pgBackRest stanza{onDemo ? ', or turn on WAL archiving for the demo' : ''}.</p>}
      {s && s.source !== 'demo' && <EngineForm key={s.config?.stanza ?? ''} status={s} />}
      {s?.error && <ErrorState error={s.error} onRetry={() => void query.refetch()} />}
      {s?.configured && (
        <>
          <table className="grid" aria-label="Archive status">
            <tbody>
              <tr>
                <th>Stanza</th>
                <td className="mono">
                  {s.config?.stanza}
                  {s.source === 'demo' ? ' (the demo\u2019s repo)' : ''} · pgbackrest {s.engine.version ?? '?'}
                </td>
              </tr>
              <tr>
                <th>Archiving</th>
                <td>
                  {a ? (
                    <>
                      archive_mode {a.archiveMode}, archive_timeout {a.archiveTimeoutSec} s · {a.archivedCount} archived, <span className={a.failedCount ? 'error' : undefined}>{a.failedCount} failed</span>
                      {a.lastFailedAt ? ` (last ${a.lastFailedWal}, ${ago(a.lastFailedAt)})` : ''}
                    </>
                  ) : (
                    'unknown'
                  )}
                </td>
              </tr>
              <tr>
                <th>Last archived WAL</th>
                <td>
                  {a?.lastArchivedWal ? (
                    <>
                      <span className="mono">{a.lastArchivedWal}</span> · {a.lastArchivedAgeSec !== undefined ? `${duration(a.lastArchivedAgeSec)} ago` : ''}
                    </>
                  ) : (
                    'none yet'
                  )}
                </td>
              </tr>
              <tr>
                <th>Backups</th>
                <td>{s.backups.length ? s.backups.map((b) => `${b.label} (${b.type}, ${bytes(b.bytes)})`).join(' · ') : 'none'}</td>
              </tr>
            </tbody>
          </table>
          <Timeline status={s} />
        </>
      )}
      {open && s && <RestoreToPoint status={s} onClose={() => setOpen(false)} />}
    </section>
  );
}
