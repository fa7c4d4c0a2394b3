import { useMemo, useState } from 'react';
import type { AuditCategory, AuditFinding, AuditSeverity } from '../../../../shared/domain/secrets';
import { useAudit, useSuppress } from '../../api/secrets';
import { errorText } from '../../bridge';
import { EmptyState, ErrorState } from '../States';
import { AuditFindings } from './AuditFindings';
import { SEVERITIES, SeverityPill } from './SeverityPill';

const CATEGORIES: AuditCategory[] = ['code', 'env', 'aws', 'database'];

/** The audit runner: a folder, AWS, the database; progress and cancel through the task; filtered findings. */
export function Audit() {
  const { task, status, result: report, error: followError, cancel, auditPath, startError, start: startAudit } = useAudit();
  const suppress = useSuppress();
  // The task's own failure is shown below with its state; here, failures to start it or to read its report.
  const auditError = startError ?? (task?.error ? undefined : followError);
  const [path, setPath] = useState(auditPath ?? '');
  const [aws, setAws] = useState(false);
  const [database, setDatabase] = useState(true);
  const [category, setCategory] = useState<AuditCategory | 'all'>('all');
  const [severity, setSeverity] = useState<AuditSeverity | 'all'>('all');
  const [note, setNote] = useState<string>();

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
      <form className="form" onSubmit={(e) => { e.preventDefault(); setNote(undefined); startAudit({ ...(path.trim() ? { path: path.trim() } : {}), aws, database }); }}>
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
          {running && task && <button type="button" onClick={() => void cancel()}>Cancel</button>}
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
            <AuditFindings findings={shown} canSuppress={Boolean(auditPath)} onSuppress={(f) => void onSuppress(f)} />
          )}
        </>
      )}
    </section>
  );
}
