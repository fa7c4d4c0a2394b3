import type { RunSummary } from '../../../../shared/domain/dr';
import { ago, duration } from '../../format';
import { runbookOf } from '../../runbooks';

/** Open runs first, then past ones, newest first. */
export function RunsList({ runs, selected }: { runs: RunSummary[]; selected: string | undefined }) {
  const sorted = [...runs].sort((a, b) => Number(b.status === 'open') - Number(a.status === 'open') || b.startedAt.localeCompare(a.startedAt));
  if (!sorted.length) return <p className="muted small-text">No run yet.</p>;
  return (
    <table className="grid" aria-label="Runs">
      <thead>
        <tr>
          <th>Scenario</th>
          <th>Status</th>
          <th>Started</th>
          <th>Tenants</th>
          <th>Current step</th>
          <th>RTO elapsed / target</th>
          <th>RPO achieved</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.id} aria-current={r.id === selected}>
            <td>
              <a href={`#/dr/run/${r.id}`}>{runbookOf(r.scenario)?.title ?? r.scenario}</a>
              {r.drill && <span className="badge badge-info">drill</span>}
            </td>
            <td className={r.status === 'succeeded' ? 'ok-text' : r.status === 'open' ? '' : 'error-text'}>{r.status}</td>
            <td title={new Date(r.startedAt).toLocaleString()}>{ago(r.startedAt)}</td>
            <td className="mono small-text">{r.tenants?.join(', ') ?? '–'}</td>
            <td className="small-text">{r.currentStep ?? '–'}</td>
            <td>
              {duration(r.rto.elapsedSec)} <span className="muted">/ {duration(r.rto.targetSec)}</span>
            </td>
            <td>{r.rpo.achievedSec === undefined ? '–' : duration(r.rpo.achievedSec)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
