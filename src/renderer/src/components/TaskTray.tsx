import { useState } from 'react';
import type { Task } from '../../../shared/domain/tasks';
import { bytes, duration } from '../format';
import { useCancelTask, useTasks } from '../api/tasks';

function progressText(p: Task['progress']): string {
  if (p.unit === 'bytes') return p.total ? `${bytes(p.done)} / ${bytes(p.total)}` : bytes(p.done);
  if (p.total) return `${p.done} / ${p.total} ${p.unit}`;
  return p.unit !== 'steps' ? p.unit : '';
}

/** A task's bar (while it runs), its figures, ETA and latest log line. */
export function TaskProgress({ task: t }: { task: Task }) {
  const pct = t.progress.total ? Math.min(100, (t.progress.done / t.progress.total) * 100) : undefined;
  return (
    <>
      {t.status === 'running' && (
        <div className="progress" role="progressbar" aria-valuenow={pct ?? undefined} aria-valuemin={0} aria-valuemax={100}>
          <div className={pct === undefined ? 'bar indeterminate' : 'bar'} style={pct === undefined ? undefined : { width: `${pct}%` }} />
        </div>
      )}
      <div className="task-meta">
        {progressText(t.progress)}
        {t.progress.etaSec !== undefined && ` · ETA ${duration(t.progress.etaSec)}`}
        {t.status === 'running' && t.log.length > 0 && (
          <span className="muted">
            {progressText(t.progress) ? ' · ' : ''}
            {t.log[t.log.length - 1]}
          </span>
        )}
      </div>
    </>
  );
}

/**
 * Running and recent tasks: progress bar, ETA, cancel. Docked under the page (its own grid row), so it
 * never covers a control, and below dialogs. Open while something runs; collapsed to a one-line pill
 * when idle (the count of recent tasks, and failures in red so an error is not missed).
 */
export function TaskTray() {
  const tasks = useTasks();
  const cancel = useCancelTask().mutateAsync;
  const list = Object.values(tasks).sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, 8);
  const running = list.filter((t) => t.status === 'running' || t.status === 'queued');
  const failed = list.filter((t) => t.status === 'failed');
  // The operator's choice wins until the next task starts; then it opens again.
  const [choice, setChoice] = useState<{ open: boolean; at: number }>();
  const busy = running.length > 0;
  const newest = Date.parse(list[0]?.startedAt ?? '') || 0;
  const open = choice && choice.at >= newest ? choice.open : busy;
  if (list.length === 0) return null;
  return (
    <section className={`task-tray${open ? ' open' : ''}`} aria-label="Tasks">
      <button className="task-tray-head" onClick={() => setChoice({ open: !open, at: Date.now() })} aria-expanded={open}>
        <span>
          Tasks · {busy ? `${running.length} running` : `${list.length} recent`}
          {failed.length > 0 && <span className="error-text"> · {failed.length} failed</span>}
        </span>
        <span aria-hidden>{open ? '▾' : '▴'}</span>
      </button>
      {open && (
        <ul className="task-list">
          {list.map((t) => {
            return (
              <li key={t.id} className={`task task-${t.status}`}>
                <div className="task-row">
                  <span className="task-title">{t.title}</span>
                  <span className="task-status">{t.status}</span>
                  {(t.status === 'running' || t.status === 'queued') && t.cancellable && (
                    <button className="small" onClick={() => void cancel(t.id)}>
                      Cancel
                    </button>
                  )}
                </div>
                <TaskProgress task={t} />
                {t.error && (
                  <div className="task-error error-text">
                    {t.error.message}
                    {t.error.hint && <span className="muted"> {t.error.hint}</span>}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
