import type { DrRun } from '../../../../shared/domain/dr';
import { time } from '../../format';

interface Entry {
  at: string;
  what: string;
  detail?: string;
  tone?: 'ok' | 'bad';
}

const ENDED: Record<string, string> = { succeeded: 'done', failed: 'failed', skipped: 'skipped', cancelled: 'cancelled', pendingApproval: 'waiting for approval' };

/** The run's timeline, from the steps' times, notes and errors: what happened when, newest last. */
function entries(run: DrRun): Entry[] {
  const list: Entry[] = [{ at: run.incidentAt, what: 'Incident (T0)' }];
  if (run.detectedAt) list.push({ at: run.detectedAt, what: 'Detected' });
  list.push({ at: run.startedAt, what: `Run started${run.drill ? ' (drill)' : ''}`, ...(run.tenants?.length ? { detail: run.tenants.join(', ') } : {}) });
  for (const s of run.steps) {
    if (s.startedAt) list.push({ at: s.startedAt, what: `${s.title}: started${s.attempts > 1 ? ` (attempt ${s.attempts})` : ''}` });
    if (s.finishedAt && s.status !== 'running' && s.status !== 'notStarted') {
      const detail = [s.chosen && `chose ${s.options?.find((o) => o.id === s.chosen)?.title ?? s.chosen}`, s.skipReason, s.note, s.error?.message, s.interrupted && 'interrupted: the process stopped while it ran'].filter(Boolean).join(' · ');
      list.push({ at: s.finishedAt, what: `${s.title}: ${ENDED[s.status] ?? s.status}`, ...(detail ? { detail } : {}), ...(s.status === 'succeeded' ? { tone: 'ok' as const } : s.status === 'failed' ? { tone: 'bad' as const } : {}) });
    }
  }
  if (run.finishedAt) list.push({ at: run.finishedAt, what: `Run ${run.status}`, tone: run.status === 'succeeded' ? 'ok' : 'bad' });
  return list.sort((a, b) => a.at.localeCompare(b.at));
}

export function Journal({ run }: { run: DrRun }) {
  const list = entries(run);
  return (
    <section className="card" aria-label="Journal">
      <h2>Journal</h2>
      <table className="grid dr-journal">
        <tbody>
          {list.map((e, i) => (
            <tr key={i}>
              <td className="mono muted" title={new Date(e.at).toLocaleString()}>
                {time(e.at)}
              </td>
              <td className={e.tone === 'ok' ? 'ok-text' : e.tone === 'bad' ? 'error-text' : ''}>{e.what}</td>
              <td className="small-text">{e.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
