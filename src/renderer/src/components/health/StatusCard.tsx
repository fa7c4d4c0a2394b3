import type { CheckCard } from '../../../../shared/domain/health';
import { ago } from '../../format';

export function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** One check: its status, summary, age and findings; opens its findings and its SQL. */
export function StatusCard({ check, now, selected, onSelect, onSql }: { check: CheckCard; now: number; selected: boolean; onSelect: () => void; onSql: () => void }) {
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
