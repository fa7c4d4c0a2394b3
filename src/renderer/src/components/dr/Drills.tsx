import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DrillRecord, Scenario, ScenarioSummary } from '../../../../shared/domain/dr';
import { useDrills, useStartDrill } from '../../api/dr';
import { isActive, useTask, useTasks } from '../../api/tasks';
import { duration } from '../../format';
import { ErrorState } from '../States';
import { TaskProgress } from '../TaskTray';

const TOOLTIP = { background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 12 };

const when = (iso: string) => new Date(iso).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/**
 * Measured RTO of each drill against the target line. A drill on the demo takes seconds against a target of
 * hours: the axis is logarithmic then, so both stay readable.
 */
function RtoChart({ drills, targetSec }: { drills: DrillRecord[]; targetSec: number }) {
  const points = [...drills].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).map((d) => ({ at: when(d.startedAt), rto: Math.max(1, d.rtoMeasuredSec), outcome: d.outcome }));
  const values = [targetSec, ...points.map((p) => p.rto)];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const log = hi / lo > 20;
  const domain: [number, number] = log ? [Math.max(1, lo / 2), hi * 2] : [0, Math.ceil(hi * 1.1)];
  // Round durations as the ticks of a log axis (10 s, 1 min, 10 min, 1 h, …).
  const ticks = log ? [1, 10, 60, 600, 3600, 36_000, 86_400, 864_000].filter((t) => t >= domain[0] && t <= domain[1]) : undefined;
  return (
    <div className="chart" aria-label="Measured RTO against the target">
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" stroke="var(--muted)" fontSize={11} minTickGap={30} />
          <YAxis scale={log ? 'log' : 'linear'} domain={domain} {...(ticks ? { ticks } : {})} allowDataOverflow tickFormatter={(v: number) => duration(v)} stroke="var(--muted)" fontSize={11} width={60} />
          <Tooltip formatter={(v) => [duration(Number(v)), 'measured RTO']} contentStyle={TOOLTIP} />
          <ReferenceLine y={targetSec} stroke="var(--c-fail)" strokeDasharray="4 2" label={{ value: `target ${duration(targetSec)}`, fill: 'var(--muted)', fontSize: 11, position: 'insideTopRight' }} />
          <Line dataKey="rto" name="measured RTO" stroke="var(--c-active)" isAnimationActive={false} dot={{ r: 3 }} />
        </LineChart>
      </ResponsiveContainer>
      {log && <p className="muted small-text">Logarithmic scale: the drills take a small fraction of the target.</p>}
    </div>
  );
}

/** The drill running for this connection (started here or before the page opened). */
function useRunningDrill(connectionId: string, started: string | undefined) {
  const all = useTasks();
  const running = Object.values(all).find((t) => t.kind === 'dr.drill' && t.connectionId === connectionId && isActive(t));
  return useTask(started ?? running?.id);
}

/** Drill history per scenario, with its chart and a Run drill button (an unattended drill on scratch objects). */
export function Drills({ connectionId, scenarios }: { connectionId: string; scenarios: ScenarioSummary[] }) {
  const [scenario, setScenario] = useState<Scenario>('deletion');
  const [tenant, setTenant] = useState('');
  const [started, setStarted] = useState<string>();
  const drills = useDrills(connectionId, scenario);
  const start = useStartDrill();
  const drill = useRunningDrill(connectionId, started);
  const summary = scenarios.find((s) => s.scenario === scenario);
  const list = useMemo(() => [...(drills.data?.drills ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt)), [drills.data]);
  const target = list[0]?.rtoTargetSec ?? summary?.rtoTargetSec ?? 0;
  return (
    <section className="card" aria-label="Drills">
      <div className="toolbar">
        <h2>Drills</h2>
        <label className="small-text">
          Scenario{' '}
          <select value={scenario} onChange={(e) => setScenario(e.target.value as Scenario)} aria-label="Drill scenario">
            {scenarios.map((s) => (
              <option key={s.scenario} value={s.scenario}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        {scenario === 'deletion' && (
          <label className="small-text">
            Tenant{' '}
            <input value={tenant} onChange={(e) => setTenant(e.target.value)} placeholder="any (the core picks one)" aria-label="Drill tenant" className="mono" maxLength={63} />
          </label>
        )}
        <button
          disabled={drill.running || start.isPending}
          onClick={() => start.mutate({ connectionId, scenario, ...(scenario === 'deletion' && tenant.trim() ? { tenant: tenant.trim() } : {}) }, { onSuccess: (r) => setStarted(r.taskId) })}
        >
          {drill.running ? 'Drill running…' : 'Run drill'}
        </button>
        <span className="muted small-text">On scratch objects only: nothing live is touched.</span>
      </div>
      {start.error && <ErrorState error={start.error} />}
      {drill.task && (
        <div className="dr-drill-task">
          <div className="toolbar">
            <span>{drill.task.title}</span>
            <span className="muted small-text">{drill.status}</span>
            {drill.running && drill.task.cancellable && (
              <button className="small danger" onClick={() => void drill.cancel()}>
                Cancel drill
              </button>
            )}
          </div>
          <TaskProgress task={drill.task} />
          {drill.task.error && <ErrorState error={drill.task.error} />}
        </div>
      )}
      {drills.error && <ErrorState error={drills.error} onRetry={() => void drills.refetch()} />}
      {list.length === 0 ? (
        <p className="muted small-text">No drill of this scenario yet: a drill measures the real RTO of the recovery path, which the projection then learns from.</p>
      ) : (
        <>
          <RtoChart drills={list} targetSec={target} />
          <table className="grid" aria-label="Drill history">
            <thead>
              <tr>
                <th>Started</th>
                <th>Outcome</th>
                <th>Measured RTO / target</th>
                <th>RPO achieved</th>
                <th>Steps</th>
                <th>Live database</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.runId}>
                  <td title={d.runId}>
                    <a href={`#/dr/run/${d.runId}`}>{new Date(d.startedAt).toLocaleString()}</a>
                  </td>
                  <td className={d.outcome === 'succeeded' ? 'ok-text' : 'error-text'} title={d.error}>
                    {d.outcome}
                  </td>
                  <td className={d.rtoMeasuredSec <= d.rtoTargetSec ? '' : 'error-text'}>
                    {duration(d.rtoMeasuredSec)} <span className="muted">/ {duration(d.rtoTargetSec)}</span>
                  </td>
                  <td>{d.rpoAchievedSec === undefined ? '–' : duration(d.rpoAchievedSec)}</td>
                  <td className="small-text">
                    {d.steps.filter((s) => s.status === 'succeeded').length}/{d.steps.length} done
                  </td>
                  <td>{d.fingerprint ? d.fingerprint.unchanged ? <span className="ok-text">unchanged</span> : <span className="error-text">CHANGED</span> : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
