import { ago, bytes } from '../../format';
import { useNow } from '../../now';
import { useHealthSummary } from '../../api/health';

const pct = (v: number | undefined, digits = 1) => (v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`);

/** Overview's health strip: the overall status and the key numbers from the latest result (local state only). */
export function HealthOverview() {
  const summary = useHealthSummary().data?.summary;
  const now = useNow(30_000);
  if (!summary) return null;
  const value = (id: string) => summary.checks.find((c) => c.id === id)?.value;
  // Heavy checks run every 30 minutes: say how old the oldest figure is, not only when the last tick ran.
  const oldest = summary.checks.filter((c) => c.checkedAt && c.status !== 'skipped').map((c) => c.checkedAt!).sort()[0];
  const attention = summary.checks.filter((c) => c.status === 'fail' || c.status === 'warn' || c.status === 'error');
  return (
    <section className="card health-overview">
      <div className="page-head">
        <h2>Health</h2>
        <span className={`status-pill overall status-${summary.status}`}>{summary.status}</span>
        <span className="muted small-text">
          checked {new Date(summary.checkedAt).toLocaleTimeString()}
          {oldest && oldest !== summary.checkedAt && ` · oldest result ${ago(oldest, now)}`}
        </span>
        <span className="spacer" />
        <a href="#/health">Open Health →</a>
      </div>
      <div className="facts">
        <div className="fact"><div className="fact-label">Cache hit (heap)</div><div className="fact-value">{pct(value('cache_hit_ratio'), 2)}</div></div>
        <div className="fact"><div className="fact-label">Connections used</div><div className="fact-value">{pct(value('connections'), 0)}</div></div>
        <div className="fact"><div className="fact-label">Table bloat (est.)</div><div className="fact-value">{bytes(value('table_bloat') ?? NaN)}</div></div>
        <div className="fact"><div className="fact-label">XID age of limit</div><div className="fact-value">{pct(value('xid_wraparound'), 2)}</div></div>
        <div className="fact"><div className="fact-label">Fullest sequence</div><div className="fact-value">{pct(value('sequence_overflow'))}</div></div>
      </div>
      <div className="small-text">
        {attention.length === 0 ? (
          <span className="ok-text">Every check passes.</span>
        ) : (
          attention.map((c) => (
            <span key={c.id} className="attention">
              <span className={`status-pill status-${c.status}`}>{c.status}</span> {c.title}
            </span>
          ))
        )}
      </div>
    </section>
  );
}
