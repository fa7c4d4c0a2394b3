import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { AuditCategory, AuditFinding, AuditSeverity, SecretSummary } from '../../../shared/domain/secrets';
import { EmptyState, ErrorState } from '../components/States';
import { errorText } from '../bridge';
import { useSecretsStore } from '../stores/secrets';
import { useTasksStore } from '../stores/tasks';

const SEVERITIES: AuditSeverity[] = ['critical', 'high', 'medium', 'low'];
const CATEGORIES: AuditCategory[] = ['code', 'env', 'aws', 'database'];
const ROW_HEIGHT = 30;

function SeverityPill({ s }: { s: AuditSeverity }) {
  return <span className={`sev sev-${s}`}>{s}</span>;
}

/** Credential source of every connection: where the password in use came from, and why. */
function Sources() {
  const { sources, sourcesError, loadSources } = useSecretsStore();
  return (
    <section className="card" aria-labelledby="sources-h">
      <div className="page-head">
        <h2 id="sources-h">Credential sources</h2>
        <button className="small" onClick={() => void loadSources()}>Refresh</button>
      </div>
      {sourcesError ? (
        <ErrorState error={sourcesError} onRetry={() => void loadSources()} />
      ) : sources.length === 0 ? (
        <p className="muted">No connections yet. Add one under Settings (a URL, fields, or a Secrets Manager secret id).</p>
      ) : (
        <table className="grid">
          <thead>
            <tr><th>Connection</th><th>Source</th><th>Where the credential came from</th></tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.connectionId}>
                <td>{s.name}</td>
                <td><span className="pill">{s.kind}</span></td>
                <td>
                  <span className="mono">{s.detail}</span>
                  {s.warning && <div className="warn-text">⚠ {s.warning}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Type the secret's name back to rotate: RotateSecret, then connections using it re-read it. */
function RotateDialog({ secret, onClose }: { secret: SecretSummary; onClose: (message?: string) => void }) {
  const rotate = useSecretsStore((s) => s.rotate);
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string }>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const refreshed = await rotate(secret.name, confirm);
      onClose(`Rotation of ${secret.name} started${refreshed.length ? `; ${refreshed.length} connection(s) re-read it` : ''}.`);
    } catch (err) {
      setError(errorText(err));
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
        {error && <ErrorState error={error} />}
        <div className="actions">
          <button type="submit" className="danger" disabled={busy || confirm !== secret.name}>Rotate now</button>
          <button type="button" onClick={() => onClose()}>Cancel</button>
        </div>
      </form>
    </div>
  );
}

/** Secrets Manager inventory with its posture (AWS Config rule semantics), 100 a page. */
function Inventory() {
  const { inventory, inventoryCursor, inventoryLoaded, inventoryLoading, inventoryError, aws, setAws, loadInventory } = useSecretsStore();
  const [rotating, setRotating] = useState<SecretSummary | null>(null);
  const [note, setNote] = useState<string>();
  return (
    <section className="card" aria-labelledby="inv-h">
      <div className="page-head">
        <h2 id="inv-h">Secrets Manager inventory</h2>
        <form className="actions" onSubmit={(e) => { e.preventDefault(); void loadInventory(); }}>
          <input placeholder="region (default chain)" value={aws.region} onChange={(e) => setAws({ region: e.target.value })} aria-label="AWS region" size={18} />
          <input placeholder="profile (default chain)" value={aws.profile} onChange={(e) => setAws({ profile: e.target.value })} aria-label="AWS profile" size={18} />
          <button type="submit" disabled={inventoryLoading}>{inventoryLoaded ? 'Reload' : 'Load secrets'}</button>
        </form>
      </div>
      {note && <div className="notice">{note}</div>}
      {inventoryError ? (
        <ErrorState error={inventoryError} onRetry={() => void loadInventory()} />
      ) : !inventoryLoaded ? (
        <p className="muted">Lists every secret (ListSecrets) with rotation, age, last use and KMS key checks. Uses the AWS default credential chain; AWS_ENDPOINT_URL_SECRETS_MANAGER is honoured.</p>
      ) : inventory.length === 0 ? (
        <p className="muted">No secrets in this account and region.</p>
      ) : (
        <>
          <table className="grid">
            <thead>
              <tr><th>Secret</th><th>Rotation</th><th>Last rotated</th><th>Last accessed</th><th>Posture</th><th /></tr>
            </thead>
            <tbody>
              {inventory.map((s) => (
                <tr key={s.arn ?? s.name}>
                  <td className="mono">{s.name}</td>
                  <td>{s.rotationEnabled ? `every ${s.rotationDays ?? '?'} d` : <span className="warn-text">off</span>}</td>
                  <td>{s.lastRotated?.slice(0, 10) ?? '—'}</td>
                  <td>{s.lastAccessed?.slice(0, 10) ?? '—'}</td>
                  <td>
                    {s.posture.length === 0 ? <span className="ok-text">ok</span> : s.posture.map((p) => (
                      <div key={p.rule}><SeverityPill s={p.severity} /> {p.message}</div>
                    ))}
                  </td>
                  <td>{s.rotationEnabled && <button className="small" onClick={() => setRotating(s)}>Rotate now</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {inventoryCursor && <button onClick={() => void loadInventory(true)} disabled={inventoryLoading}>Load 100 more</button>}
        </>
      )}
      {rotating && <RotateDialog secret={rotating} onClose={(m) => { setRotating(null); setNote(m); }} />}
    </section>
  );
}

function FindingsTable({ findings, canSuppress, onSuppress }: { findings: AuditFinding[]; canSuppress: boolean; onSuppress: (f: AuditFinding) => void }) {
  const parent = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render only, never memoized
  const rows = useVirtualizer({ count: findings.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  return (
    <div className="findings" role="table" aria-label="Findings" aria-rowcount={findings.length}>
      <div className="findings-row findings-head" role="row">
        <span role="columnheader">Severity</span><span role="columnheader">Category</span><span role="columnheader">Rule</span><span role="columnheader">Where</span><span role="columnheader">Finding</span><span role="columnheader" />
      </div>
      <div ref={parent} className="findings-body">
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((v) => {
            const f = findings[v.index]!;
            const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : (f.secretId ?? '');
            return (
              <div key={v.key} className="findings-row" role="row" style={{ position: 'absolute', top: 0, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT, width: '100%' }}>
                <span role="cell"><SeverityPill s={f.severity} /></span>
                <span role="cell">{f.category}</span>
                <span role="cell" className="mono">{f.rule}</span>
                <span role="cell" className="mono ellipsis" title={where}>{where}</span>
                <span role="cell" className="ellipsis" title={f.message}>{f.message}{f.masked && <code className="masked"> {f.masked}</code>}</span>
                <span role="cell">{canSuppress && f.fingerprint && (f.category === 'code' || f.category === 'env') && <button className="small" title={`Suppress fingerprint ${f.fingerprint.slice(0, 12)}…`} onClick={() => onSuppress(f)}>Suppress</button>}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** The audit runner: a folder, AWS, the database; progress and cancel through the task; filtered findings. */
function Audit() {
  const { auditTaskId, auditPath, report, auditError, startAudit, fetchResult, suppress } = useSecretsStore();
  const task = useTasksStore((s) => (auditTaskId ? s.tasks[auditTaskId] : undefined));
  const cancel = useTasksStore((s) => s.cancel);
  const [path, setPath] = useState(auditPath ?? '');
  const [aws, setAws] = useState(false);
  const [database, setDatabase] = useState(true);
  const [category, setCategory] = useState<AuditCategory | 'all'>('all');
  const [severity, setSeverity] = useState<AuditSeverity | 'all'>('all');
  const [note, setNote] = useState<string>();
  const status = task?.status;

  useEffect(() => {
    if (status === 'succeeded') void fetchResult();
  }, [status, fetchResult]);

  const shown = useMemo(() => (report?.findings ?? []).filter((f) => (category === 'all' || f.category === category) && (severity === 'all' || f.severity === severity)), [report, category, severity]);
  const running = status === 'running' || status === 'queued';
  const pct = task?.progress.total ? Math.min(100, (task.progress.done / task.progress.total) * 100) : undefined;

  async function onSuppress(f: AuditFinding) {
    try {
      const file = await suppress(f.fingerprint!);
      setNote(`Suppressed ${f.rule} in ${f.file ?? ''}: fingerprint added to ${file} (commit it).`);
    } catch (err) {
      setNote(errorText(err).message);
    }
  }

  return (
    <section className="card" aria-labelledby="audit-h">
      <h2 id="audit-h">Secrets audit</h2>
      <form className="form" onSubmit={(e) => { e.preventDefault(); setNote(undefined); void startAudit({ ...(path.trim() ? { path: path.trim() } : {}), aws, database }); }}>
        <div className="row">
          <label style={{ flex: 1 }}>
            Project folder (on the machine running the console)
            <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/me/src/podcastflow" aria-label="Project folder" />
          </label>
        </div>
        <div className="row">
          <label className="checkbox"><input type="checkbox" checked={aws} onChange={(e) => setAws(e.target.checked)} /> AWS Secrets Manager</label>
          <label className="checkbox"><input type="checkbox" checked={database} onChange={(e) => setDatabase(e.target.checked)} /> Active database</label>
          <button type="submit" disabled={running || (!path.trim() && !aws && !database)}>Run audit</button>
          {running && task && <button type="button" onClick={() => void cancel(task.id)}>Cancel</button>}
        </div>
      </form>
      {auditError && <ErrorState error={auditError} />}
      {running && task && (
        <div>
          <div className="progress" role="progressbar" aria-label="Audit progress" aria-valuenow={pct}>
            <div className={pct === undefined ? 'bar indeterminate' : 'bar'} style={pct === undefined ? undefined : { width: `${pct}%` }} />
          </div>
          <span className="muted small-text">{task.progress.total ? `${task.progress.done} / ${task.progress.total} ${task.progress.unit}` : ''} {task.log.at(-1) ?? ''}</span>
        </div>
      )}
      {status === 'failed' && task?.error && <ErrorState error={task.error} />}
      {status === 'cancelled' && <p className="muted">Audit cancelled; no report.</p>}
      {note && <div className="notice">{note}</div>}
      {report && (
        <>
          <p className="summary-line">
            <strong>{report.summary.total}</strong> findings ·{' '}
            {SEVERITIES.map((s) => <span key={s}><SeverityPill s={s} /> {report.summary.bySeverity[s]} </span>)}· {report.summary.filesScanned} files, {report.summary.secretsChecked} secrets, {report.summary.suppressed} suppressed
          </p>
          {report.summary.skipped.map((k) => <div key={k.category} className="notice">Skipped {k.category}: {k.reason}</div>)}
          <div className="actions filters">
            <label>Category <select value={category} onChange={(e) => setCategory(e.target.value as AuditCategory | 'all')} aria-label="Category filter"><option value="all">all</option>{CATEGORIES.map((c) => <option key={c} value={c}>{c} ({report.summary.byCategory[c]})</option>)}</select></label>
            <label>Severity <select value={severity} onChange={(e) => setSeverity(e.target.value as AuditSeverity | 'all')} aria-label="Severity filter"><option value="all">all</option>{SEVERITIES.map((s) => <option key={s} value={s}>{s} ({report.summary.bySeverity[s]})</option>)}</select></label>
            <span className="muted small-text">{shown.length} shown</span>
          </div>
          {report.findings.length === 0 ? (
            <EmptyState title="No findings">{report.summary.suppressed ? <p>{report.summary.suppressed} suppressed (baseline, .gitleaksignore, gitleaks:allow).</p> : <p>Nothing leaked that the rules know of.</p>}</EmptyState>
          ) : (
            <FindingsTable findings={shown} canSuppress={Boolean(auditPath)} onSuppress={(f) => void onSuppress(f)} />
          )}
        </>
      )}
    </section>
  );
}

export function SecretsPage() {
  const loadSources = useSecretsStore((s) => s.loadSources);
  useEffect(() => {
    void loadSources();
  }, [loadSources]);
  return (
    <div className="page">
      <div className="page-head"><h1>Secrets</h1></div>
      <Sources />
      <Audit />
      <Inventory />
    </div>
  );
}
