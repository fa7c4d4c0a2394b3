import type { RunStep, StepStatus } from '../../../../shared/domain/dr';

/** One mark per status, with the word beside it for screen readers and tooltips. */
export const STATUS: Record<StepStatus, { icon: string; label: string; cls: string }> = {
  notStarted: { icon: '○', label: 'not started', cls: 'st-idle' },
  running: { icon: '◐', label: 'running', cls: 'st-running' },
  succeeded: { icon: '✓', label: 'done', cls: 'st-ok' },
  failed: { icon: '✕', label: 'failed', cls: 'st-bad' },
  skipped: { icon: '↷', label: 'skipped', cls: 'st-idle' },
  pendingApproval: { icon: '‖', label: 'waiting for approval', cls: 'st-wait' },
  cancelled: { icon: '⊘', label: 'cancelled', cls: 'st-bad' },
};

/** The run's steps, in order: status, kind, and why a skipped one was skipped. Selecting one shows it. */
export function StepList({ steps, current, selected, onSelect }: { steps: RunStep[]; current: string | undefined; selected: string | undefined; onSelect(id: string): void }) {
  return (
    <ol className="dr-steps" aria-label="Steps">
      {steps.map((s, i) => {
        const st = STATUS[s.status];
        return (
          <li key={s.id} className={s.id === current ? 'current' : undefined}>
            <button className={`dr-step ${st.cls}`} aria-current={s.id === selected ? 'step' : undefined} onClick={() => onSelect(s.id)} title={`${st.label}${s.interrupted ? ', interrupted' : ''}`}>
              <span className="dr-step-icon" aria-hidden="true">
                {st.icon}
              </span>
              <span className="dr-step-title">
                {i + 1}. {s.title}
                <span className="visually-hidden">: {st.label}</span>
                {s.interrupted && <span className="badge badge-warn">interrupted</span>}
                {s.status === 'skipped' && s.skipReason && <span className="dr-step-why muted small-text">{s.skipReason}</span>}
              </span>
              <span className="muted small-text">{s.kind}</span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}
