import { useEffect, useMemo, useRef, useState } from 'react';
import type { Task, TaskKind } from '../../../../shared/domain/tasks';
import { isActive, useCancelTask, useTasks } from '../../api/tasks';
import { bytes, duration } from '../../format';

const BACKUP_KINDS: TaskKind[] = ['backups.run', 'backups.restore', 'backups.verify'];

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

/** Backups, restores and verifications in progress: progress, rate, ETA, cancel. */
export function RunningBackups() {
  const all = useTasks();
  const cancel = useCancelTask().mutateAsync;
  const running = useMemo(() => Object.values(all).filter((t) => BACKUP_KINDS.includes(t.kind) && isActive(t)), [all]);
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
