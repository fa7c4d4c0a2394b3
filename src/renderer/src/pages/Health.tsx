import { useState } from 'react';
import type { CheckId } from '../../../shared/domain/health';
import { useHealthHistory, useHealthSummary, useRunHealth } from '../api/health';
import { useTask } from '../api/tasks';
import { FindingsTable } from '../components/health/FindingsTable';
import { HealthCharts, NoHealthYet } from '../components/health/HealthCharts';
import { SqlDialog } from '../components/health/SqlDialog';
import { duration, StatusCard } from '../components/health/StatusCard';
import { ThresholdsPanel } from '../components/health/ThresholdsPanel';
import { ErrorState, RequireConnection } from '../components/States';
import { time } from '../format';
import { useNow } from '../now';

const RANGES = [
  { hours: 1, label: '1 h' },
  { hours: 24, label: '24 h' },
  { hours: 24 * 7, label: '7 d' },
  { hours: 24 * 30, label: '30 d' },
];

/** Health: status cards per check, drill-down findings, history charts, Run now, Show SQL, thresholds. */
export function HealthPage() {
  return <RequireConnection title="Health">{() => <Health />}</RequireConnection>;
}

function Health() {
  const [hours, setHours] = useState(24);
  const summaryQuery = useHealthSummary();
  const historyQuery = useHealthHistory(hours);
  const summary = summaryQuery.data?.summary ?? null;
  const history = historyQuery.data?.samples ?? [];
  const run = useRunHealth();
  const [runningTaskId, setRunningTaskId] = useState<string>();
  const { task, running: taskRunning } = useTask(runningTaskId);
  const error = run.error ?? summaryQuery.error ?? historyQuery.error;
  const load = () => void Promise.all([summaryQuery.refetch(), historyQuery.refetch()]);
  const runNow = () => void run.mutateAsync({}).then((r) => setRunningTaskId(r.taskId), () => undefined);
  const [selected, setSelected] = useState<CheckId>();
  const [sqlOf, setSqlOf] = useState<CheckId>();
  const [thresholds, setThresholds] = useState(false);
  const now = useNow(30_000);
  const current = summary?.checks.find((c) => c.id === selected);
  // Running from the click until its task ends (a task that has not reached the list yet is running too).
  const running = run.isPending || (Boolean(runningTaskId) && (taskRunning || !task));
  return (
    <div className="page">
      <div className="page-head">
        <h1>Health</h1>
        {summary && <span className={`status-pill overall status-${summary.status}`}>{summary.status}</span>}
        <span className="muted">{summary ? `${summary.database.name} · checked ${time(summary.checkedAt)} · ${duration(summary.durationMs)}` : ''}</span>
        <span className="spacer" />
        <label className="range">
          <span className="visually-hidden">History range</span>
          <select aria-label="History range" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {RANGES.map((r) => (
              <option key={r.hours} value={r.hours}>{r.label}</option>
            ))}
          </select>
        </label>
        <button onClick={() => setThresholds(true)}>Thresholds</button>
        <button className="primary" onClick={runNow} disabled={running}>
          {running ? `Running… ${task ? `${task.progress.done}/${task.progress.total ?? '?'}` : ''}` : 'Run now'}
        </button>
      </div>
      {error && <ErrorState error={error} onRetry={load} />}
      {!summary && !error && <NoHealthYet onRun={runNow} />}
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
          <HealthCharts history={history} />
        </>
      )}
      {sqlOf && <SqlDialog checkId={sqlOf} onClose={() => setSqlOf(undefined)} />}
      {thresholds && <ThresholdsPanel onClose={() => setThresholds(false)} />}
    </div>
  );
}
