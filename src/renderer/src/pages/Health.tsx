import { useEffect, useState } from 'react';
import type { CheckCard, CheckId, ThresholdUnit, Thresholds } from '../../../shared/domain/health';
import { errorText } from '../bridge';
import { FindingsTable } from '../components/health/FindingsTable';
import { HealthCharts, NoHealthYet } from '../components/health/HealthCharts';
import { EmptyState, ErrorState } from '../components/States';
import { ago, time } from '../format';
import { useNow } from '../now';
import { useActiveProfile } from '../stores/app';
import { fetchSql, fetchThresholds, saveThresholds, useHealthStore } from '../stores/health';
import { useTasksStore } from '../stores/tasks';
import { fromHuman, thresholdName, toHuman, unitLabel } from '../../../shared/threshold-units';

const RANGES = [
  { hours: 1, label: '1 h' },
  { hours: 24, label: '24 h' },
  { hours: 24 * 7, label: '7 d' },
  { hours: 24 * 30, label: '30 d' },
];

function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function StatusCard({ check, now, selected, onSelect, onSql }: { check: CheckCard; now: number; selected: boolean; onSelect: () => void; onSql: () => void }) {
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
        <span>
          {check.checkedAt && check.status !== 'skipped' && (
            <span className="check-age" title={`This check ran at ${new Date(check.checkedAt).toLocaleString()}`}>
              {ago(check.checkedAt, now)} ·{' '}
            </span>
          )}
          {duration(check.durationMs)}
        </span>
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
  const [units, setUnits] = useState<Record<string, ThresholdUnit>>({});
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<{ message: string; hint?: string }>();
  const [saved, setSaved] = useState<string>();
  const unitOf = (k: string): ThresholdUnit => units[k] ?? 'count';
  const show = (t: Thresholds, u: Record<string, ThresholdUnit>) => setDraft(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, toHuman(v, u[k] ?? 'count')])));
  useEffect(() => {
    fetchThresholds().then(
      (r) => {
        const u = r.units ?? {};
        setValues(r.thresholds);
        setDefaults(r.defaults);
        setDocs(r.docs);
        setUnits(u);
        show(r.thresholds, u);
      },
      (err: unknown) => setError(errorText(err)),
    );
  }, []);
  const store = async (changes: Partial<Thresholds>, message: string) => {
    try {
      const r = await saveThresholds(changes);
      setValues(r.thresholds);
      show(r.thresholds, units);
      setSaved(message);
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const save = async () => {
    const changes = Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, fromHuman(v, unitOf(k))]));
    const bad = Object.entries(changes).find(([, v]) => !Number.isFinite(v));
    if (bad) {
      setError({ message: `${bad[0]} must be a number.` });
      return;
    }
    await store(changes as Partial<Thresholds>, 'Saved.');
  };
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div className="dialog dialog-wide" role="dialog" aria-modal="true" aria-label="Thresholds" onClick={(e) => e.stopPropagation()}>
        <div className="page-head">
          <h2>Thresholds for this connection</h2>
          <span className="spacer" />
          <button onClick={onClose}>Close</button>
        </div>
        <p className="muted small-text">Stored in the app data directory, per connection; only values that differ from the defaults are kept. The next run uses them. Shares are in %, sizes in MB (1 MB = 1,048,576 bytes), times in seconds.</p>
        {error && !values && <ErrorState error={error} />}
        {values && defaults && (
          <form className="thresholds" onSubmit={(e) => { e.preventDefault(); void save(); }}>
            {Object.keys(values).map((k) => (
              <label key={k} title={docs[k]}>
                <span>
                  {thresholdName(k)} <span className="mono muted">{k}</span>
                </span>
                <span className="threshold-input">
                  <input inputMode="decimal" aria-label={`${k} (${unitLabel(unitOf(k)) || 'count'})`} value={draft[k] ?? ''} onChange={(e) => { setSaved(undefined); setDraft({ ...draft, [k]: e.target.value }); }} />
                  <span className="muted">{unitLabel(unitOf(k))}</span>
                </span>
                <span className="muted small-text">{docs[k]} Default {toHuman(defaults[k as keyof Thresholds], unitOf(k))}{unitLabel(unitOf(k)) ? ` ${unitLabel(unitOf(k))}` : ''}.</span>
              </label>
            ))}
            <div className="actions">
              <button type="submit">Save thresholds</button>
              <button type="button" onClick={() => void store(defaults, 'Reset to the defaults and saved.')}>Reset to defaults</button>
              {/* By the buttons, not at the top of a long dialog that is scrolled to its end. */}
              {saved && <span className="ok-text" role="status">{saved}</span>}
            </div>
            {error && <div className="actions"><ErrorState error={error} /></div>}
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
  const now = useNow(30_000);
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
              <StatusCard key={c.id} check={c} now={now} selected={c.id === selected} onSelect={() => setSelected(c.id === selected ? undefined : c.id)} onSql={() => setSqlOf(c.id)} />
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
