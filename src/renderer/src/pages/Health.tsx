import { useEffect, useState } from 'react';
import type { CheckCard, CheckId, Thresholds } from '../../../shared/domain/health';
import { errorText } from '../bridge';
import { FindingsTable } from '../components/health/FindingsTable';
import { HealthCharts, NoHealthYet } from '../components/health/HealthCharts';
import { EmptyState, ErrorState } from '../components/States';
import { time } from '../format';
import { useActiveProfile } from '../stores/app';
import { fetchSql, fetchThresholds, saveThresholds, useHealthStore } from '../stores/health';
import { useTasksStore } from '../stores/tasks';

const RANGES = [
  { hours: 1, label: '1 h' },
  { hours: 24, label: '24 h' },
  { hours: 24 * 7, label: '7 d' },
  { hours: 24 * 30, label: '30 d' },
];

function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function StatusCard({ check, selected, onSelect, onSql }: { check: CheckCard; selected: boolean; onSelect: () => void; onSql: () => void }) {
  return (
    <div className={`card check-card status-${check.status}`} aria-current={selected ? 'true' : undefined}>
      <button className="check-main" onClick={onSelect} aria-label={`${check.title}: ${check.status}`}>
        <div className="check-head">
          <span className={`status-pill status-${check.status}`}>{check.status}</span>
          <strong>{check.title}</strong>
        </div>
        <div className="check-summary">{check.summary}</div>
      </button>
      <div className="check-foot muted small-text">
        <span>{duration(check.durationMs)}</span>
        {check.findingCount > 0 && (
          <span>
            {check.bySeverity.critical > 0 && <span className="hsev hsev-critical">{check.bySeverity.critical}</span>} {check.bySeverity.warn > 0 && <span className="hsev hsev-warn">{check.bySeverity.warn}</span>} {check.findingCount} findings
          </span>
        )}
        {check.heavy && <span title="Heavy checks run every 30 minutes in the background">heavy</span>}
        <span className="spacer" />
        <button className="link" onClick={onSql}>Show SQL</button>
      </div>
    </div>
  );
}

/** Escape closes a dialog. */
function useEscape(onClose: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
}

function SqlDialog({ checkId, onClose }: { checkId: CheckId; onClose: () => void }) {
  useEscape(onClose);
  const [files, setFiles] = useState<{ name: string; sql: string }[]>();
  const [error, setError] = useState<{ message: string; hint?: string }>();
  useEffect(() => {
    fetchSql(checkId).then((r) => setFiles(r.files), (err: unknown) => setError(errorText(err)));
  }, [checkId]);
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div className="dialog dialog-wide" role="dialog" aria-modal="true" aria-label={`SQL of ${checkId}`} onClick={(e) => e.stopPropagation()}>
        <div className="page-head">
          <h2>SQL of {checkId}</h2>
          <span className="spacer" />
          <button onClick={onClose}>Close</button>
        </div>
        {error && <ErrorState error={error} />}
        {files?.length === 0 && <p className="muted">This check runs no SQL of its own.</p>}
        {files?.map((f) => (
          <div key={f.name}>
            <div className="muted small-text mono">{f.name}</div>
            <pre className="mono sql">{f.sql}</pre>
          </div>
        ))}
      </div>
    </div>
  );
}

function ThresholdsPanel({ onClose }: { onClose: () => void }) {
  useEscape(onClose);
  const [values, setValues] = useState<Thresholds>();
  const [defaults, setDefaults] = useState<Thresholds>();
  const [docs, setDocs] = useState<Record<string, string>>({});
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<{ message: string; hint?: string }>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    fetchThresholds().then(
      (r) => {
        setValues(r.thresholds);
        setDefaults(r.defaults);
        setDocs(r.docs);
        setDraft(Object.fromEntries(Object.entries(r.thresholds).map(([k, v]) => [k, String(v)])));
      },
      (err: unknown) => setError(errorText(err)),
    );
  }, []);
  const save = async () => {
    const changes = Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, Number(v)]));
    if (Object.values(changes).some((v) => !Number.isFinite(v))) {
      setError({ message: 'Every threshold must be a number.' });
      return;
    }
    try {
      const r = await saveThresholds(changes as Partial<Thresholds>);
      setValues(r.thresholds);
      setSaved(true);
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div className="dialog dialog-wide" role="dialog" aria-modal="true" aria-label="Thresholds" onClick={(e) => e.stopPropagation()}>
        <div className="page-head">
          <h2>Thresholds for this connection</h2>
          <span className="spacer" />
          <button onClick={onClose}>Close</button>
        </div>
        <p className="muted small-text">Stored in the app data directory, per connection; only values that differ from the defaults are kept. The next run uses them.</p>
        {error && <ErrorState error={error} />}
        {saved && <div className="notice">Saved.</div>}
        {values && defaults && (
          <form className="thresholds" onSubmit={(e) => { e.preventDefault(); void save(); }}>
            {Object.keys(values).map((k) => (
              <label key={k} title={docs[k]}>
                <span className="mono">{k}</span>
                <input inputMode="decimal" value={draft[k] ?? ''} onChange={(e) => { setSaved(false); setDraft({ ...draft, [k]: e.target.value }); }} />
                <span className="muted small-text">{docs[k]} Default {String(defaults[k as keyof Thresholds])}.</span>
              </label>
            ))}
            <div className="actions">
              <button type="submit">Save thresholds</button>
              <button type="button" onClick={() => setDraft(Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, String(v)])))}>Reset to defaults</button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}

/** Health: status cards per check, drill-down findings, history charts, Run now, Show SQL, thresholds. */
export function HealthPage() {
  const profile = useActiveProfile();
  const { summary, history, hours, error, load, setHours, runNow, follow, runningTaskId } = useHealthStore();
  const task = useTasksStore((s) => (runningTaskId ? s.tasks[runningTaskId] : undefined));
  const [selected, setSelected] = useState<CheckId>();
  const [sqlOf, setSqlOf] = useState<CheckId>();
  const [thresholds, setThresholds] = useState(false);
  const activeId = profile?.id;

  useEffect(() => {
    if (!activeId) return;
    void load();
    const off = follow();
    // History grows every minute: refresh the charts even when nothing else happens.
    const timer = setInterval(() => void load(), 60_000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [activeId, load, follow]);

  if (!profile) {
    return (
      <div className="page">
        <h1>Health</h1>
        <EmptyState title="No connection">
          <p>Add a connection under Settings.</p>
        </EmptyState>
      </div>
    );
  }
  const current = summary?.checks.find((c) => c.id === selected);
  const running = Boolean(runningTaskId);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Health</h1>
        {summary && <span className={`status-pill overall status-${summary.status}`}>{summary.status}</span>}
        <span className="muted">{summary ? `${summary.database.name} · checked ${time(summary.checkedAt)} · ${duration(summary.durationMs)}` : ''}</span>
        <span className="spacer" />
        <label className="range">
          <span className="visually-hidden">History range</span>
          <select aria-label="History range" value={hours} onChange={(e) => void setHours(Number(e.target.value))}>
            {RANGES.map((r) => (
              <option key={r.hours} value={r.hours}>{r.label}</option>
            ))}
          </select>
        </label>
        <button onClick={() => setThresholds(true)}>Thresholds</button>
        <button className="primary" onClick={() => void runNow()} disabled={running}>
          {running ? `Running… ${task ? `${task.progress.done}/${task.progress.total ?? '?'}` : ''}` : 'Run now'}
        </button>
      </div>
      {error && <ErrorState error={error} onRetry={() => void load()} />}
      {!summary && !error && <NoHealthYet onRun={() => void runNow()} />}
      {summary && (
        <>
          <div className="check-grid">
            {summary.checks.map((c) => (
              <StatusCard key={c.id} check={c} selected={c.id === selected} onSelect={() => setSelected(c.id === selected ? undefined : c.id)} onSql={() => setSqlOf(c.id)} />
            ))}
          </div>
          {current && (
            <section className="card">
              <div className="page-head">
                <h2>{current.title}</h2>
                <span className={`status-pill status-${current.status}`}>{current.status}</span>
                <span className="muted small-text">{current.checkedAt ? `checked ${time(current.checkedAt)}` : ''}</span>
                <span className="spacer" />
                <button onClick={() => setSelected(undefined)}>Close</button>
              </div>
              <p>{current.summary}</p>
              <FindingsTable checkId={current.id} {...(current.checkedAt ? { checkedAt: current.checkedAt } : {})} />
            </section>
          )}
          <HealthCharts history={history} checkedAt={summary.checkedAt} />
        </>
      )}
      {sqlOf && <SqlDialog checkId={sqlOf} onClose={() => setSqlOf(undefined)} />}
      {thresholds && <ThresholdsPanel onClose={() => setThresholds(false)} />}
    </div>
  );
}
