import type { DrRun } from '../../../../shared/domain/dr';
import { duration } from '../../format';
import { useNow } from '../../now';

function Clock({ label, value, sub, tone }: { label: string; value: string; sub?: string; tone?: 'ok' | 'bad' }) {
  return (
    <div className="fact dr-clock" role="group" aria-label={label}>
      <div className="fact-label">{label}</div>
      <div className={`fact-value${tone === 'ok' ? ' ok-text' : tone === 'bad' ? ' error-text' : ''}`}>{value}</div>
      {sub && <div className="fact-sub">{sub}</div>}
    </div>
  );
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const day = (iso: string) => new Date(iso).toLocaleDateString([], { weekday: 'short', month: 'short', day: 'numeric' });

/**
 * The run's clocks. Display only: every figure comes from the run's fields; the elapsed time of an open
 * run ticks from its origin as the core counts it (detection, else the run's start).
 */
export function Clocks({ run }: { run: DrRun }) {
  const now = useNow(1000);
  const open = run.status === 'open';
  const origin = run.detectedAt ?? run.startedAt;
  // Once the RTO step has ended (rto.stoppedAt) the clock stands still, even while the run stays open.
  const stopped = run.rto.stoppedAt !== undefined;
  const ticking = open && !stopped;
  const elapsed = ticking ? Math.max(0, (now - Date.parse(origin)) / 1000) : run.rto.elapsedSec;
  const endStep = run.rto.endsAfter ? run.steps.find((s) => s.id === run.rto.endsAfter) : undefined;
  const reg = run.regulatory;
  // remainingSec is as the core read it; between reads it counts down from the deadline itself.
  const regRemaining = reg ? (open ? (Date.parse(reg.deadline) - now) / 1000 : reg.remainingSec) : 0;
  const target = run.rto.targetSec;
  // projectedSec is the whole recovery as projected: elapsed (when read) + what the remaining steps are expected to take.
  const projected = run.rto.projectedSec;
  const remaining = projected === undefined ? undefined : Math.max(0, projected - run.rto.elapsedSec);
  const rpo = run.rpo;
  const rpoTone = rpo.achievedSec === undefined || rpo.targetSec === undefined ? undefined : rpo.achievedSec <= rpo.targetSec ? 'ok' : 'bad';
  const rtoTone = ticking ? (elapsed > target ? 'bad' : undefined) : run.rto.met === undefined ? undefined : run.rto.met ? 'ok' : 'bad';
  const rtoLabel = ticking ? 'Elapsed' : 'RTO measured';
  return (
    <div className="facts dr-clocks" aria-label="Clocks">
      <Clock label="Incident (T0)" value={clock(run.incidentAt)} sub={day(run.incidentAt)} />
      <Clock label="Detected" value={run.detectedAt ? clock(run.detectedAt) : '–'} sub={run.detectedAt ? `${duration((Date.parse(run.detectedAt) - Date.parse(run.incidentAt)) / 1000)} after T0` : 'not recorded'} />
      <Clock label="RTO target" value={duration(target)} />
      <Clock
        label={endStep ? `RTO to ${endStep.title} (${ticking ? 'elapsed' : 'measured'})` : rtoLabel}
        value={duration(Math.floor(elapsed))}
        sub={`${run.rto.stoppedAt ? `stopped ${clock(run.rto.stoppedAt)} · ` : ''}${Math.round((elapsed / target) * 100)}% of the target`}
        {...(rtoTone ? { tone: rtoTone } : {})}
      />
      <Clock
        label="Projected remaining"
        value={!ticking ? '–' : remaining === undefined ? 'unknown' : duration(remaining)}
        {...(ticking && projected !== undefined ? { sub: `total ${duration(projected)}: ${projected <= target ? 'within' : 'over'} the target`, tone: projected <= target ? ('ok' as const) : ('bad' as const) } : {})}
      />
      <Clock
        label="RPO achieved / target"
        value={`${rpo.achievedSec === undefined ? '–' : duration(rpo.achievedSec)} / ${rpo.targetSec === undefined ? 'none' : duration(rpo.targetSec)}`}
        sub={rpo.restorePoint ? `restore point ${clock(rpo.restorePoint)}` : 'no restore point yet'}
        {...(rpoTone ? { tone: rpoTone } : {})}
      />
      {reg && (
        <Clock
          label="Notify by (GDPR 72 h)"
          value={clock(reg.deadline)}
          sub={`${day(reg.deadline)} · ${regRemaining < 0 || reg.overdue ? `overdue by ${duration(Math.floor(-regRemaining))}` : `${duration(Math.floor(regRemaining))} left`}`}
          {...(regRemaining < 0 || reg.overdue ? { tone: 'bad' as const } : {})}
        />
      )}
    </div>
  );
}
