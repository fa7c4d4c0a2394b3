import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { Protection, Readiness, Scenario, ScenarioReadiness, ScenarioSummary } from '../../../../shared/domain/dr';
import { duration } from '../../format';

const ROW_H = 24;

/** One tenant (or database) that would miss a target now: by RPO (no verified backup young enough), by RTO, or both. */
interface MissRow {
  key: string;
  name: string;
  protection?: Protection;
  projectedSec?: number;
  rpo: boolean;
  rto: boolean;
}

function missRows(r: ScenarioReadiness, readiness: Readiness): MissRow[] {
  const pool = r.basis === 'database' ? readiness.databases : readiness.tenants;
  const keyOf = (p: { database: string; tenant?: string }) => `${p.database}\0${p.tenant ?? ''}`;
  const byKey = new Map(pool.map((p) => [keyOf(p), p]));
  const rows = new Map<string, MissRow>();
  for (const p of r.missing) rows.set(keyOf(p), { key: keyOf(p), name: p.tenant ?? p.database, protection: p, rpo: true, rto: false });
  for (const m of r.rto.wouldMiss) {
    const k = keyOf(m);
    const row = rows.get(k) ?? { key: k, name: m.tenant ?? m.database, ...(byKey.get(k) ? { protection: byKey.get(k)! } : {}), rpo: false, rto: false };
    rows.set(k, { ...row, rto: true, projectedSec: m.projectedSec });
  }
  return [...rows.values()];
}

/** The worst RPO now over what the scenario judges: the oldest newest-verified backup (Infinity: one has none). */
function rpoNow(r: ScenarioReadiness, readiness: Readiness): number | undefined {
  if (r.basis === 'none') return undefined;
  const pool = r.basis === 'database' ? readiness.databases : readiness.tenants;
  if (!pool.length) return r.judged ? Infinity : undefined;
  return Math.max(...pool.map((p) => p.verifiedAgeSec ?? Infinity), ...r.missing.map((p) => p.verifiedAgeSec ?? Infinity));
}

/** Met / missed / no target, as a word and a colour. */
export function Verdict({ meets }: { meets: boolean | null | undefined }) {
  if (meets === null) return <span className="muted">no target</span>;
  if (meets === undefined) return <span className="muted">–</span>;
  return meets ? <span className="ok-text">meets</span> : <span className="error-text">misses</span>;
}

const age = (sec: number | undefined) => (sec === undefined ? '–' : Number.isFinite(sec) ? duration(sec) : 'none verified');

/** The tenants (or databases) that would miss, virtualised: there can be 2,000 of them. */
function MissingList({ rows, basis }: { rows: MissRow[]; basis: ScenarioReadiness['basis'] }) {
  const parentRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW_H, overscan: 12 });
  return (
    <div className="vtable dr-missing" role="table" aria-label={`${basis === 'database' ? 'Databases' : 'Tenants'} that would miss`}>
      <div className="vrow vhead" role="row">
        <span role="columnheader">{basis === 'database' ? 'Database' : 'Tenant'}</span>
        <span role="columnheader">Misses</span>
        <span role="columnheader">Newest verified</span>
        <span role="columnheader">Newest backup</span>
        <span role="columnheader">Projected RTO</span>
      </div>
      <div ref={parentRef} className="vbody" style={{ height: Math.min(rows.length, 10) * ROW_H + 2 }}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const m = rows[item.index]!;
            const p = m.protection;
            return (
              <div key={m.key} role="row" className="vrow" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${item.start}px)` }}>
                <span role="cell" className="mono ellipsis" title={m.name}>
                  {m.name}
                </span>
                <span role="cell" className="error-text">
                  {[m.rpo && 'RPO', m.rto && 'RTO'].filter(Boolean).join(' + ')}
                </span>
                <span role="cell">{p?.verifiedAgeSec === undefined ? <span className="warn-text">none</span> : `${duration(p.verifiedAgeSec)} ago`}</span>
                <span role="cell">{p?.newestAgeSec === undefined ? <span className="warn-text">none</span> : `${duration(p.newestAgeSec)} ago`}</span>
                <span role="cell">{m.projectedSec === undefined ? '–' : duration(m.projectedSec)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** The scenarios with their readiness now: RPO and projected RTO against the targets, and who would miss. */
export function ScenarioList({ scenarios, readiness, onStart, openRuns }: { scenarios: ScenarioSummary[]; readiness: Readiness | undefined; onStart(s: ScenarioSummary): void; openRuns: Map<Scenario, string> }) {
  const [expanded, setExpanded] = useState<Scenario>();
  const byScenario = useMemo(() => new Map((readiness?.scenarios ?? []).map((s) => [s.scenario, s])), [readiness]);
  return (
    <table className="grid dr-scenarios" aria-label="Scenarios">
      <thead>
        <tr>
          <th>Scenario</th>
          <th>RPO now / target</th>
          <th>Projected RTO / target</th>
          <th>Readiness</th>
          <th>Would miss</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {scenarios.map((s) => {
          const r = byScenario.get(s.scenario);
          const rows = r && readiness ? missRows(r, readiness) : [];
          const open = openRuns.get(s.scenario);
          const isExpanded = expanded === s.scenario && rows.length > 0;
          const unit = r?.basis === 'database' ? (rows.length === 1 ? 'database' : 'databases') : rows.length === 1 ? 'tenant' : 'tenants';
          return (
            <tr key={s.scenario} data-scenario={s.scenario}>
              <td>
                <strong>{s.title}</strong>
                <div className="muted small-text">
                  {s.scenario} · v{s.version} · {s.steps} steps
                </div>
              </td>
              <td>
                {r && readiness ? age(rpoNow(r, readiness)) : '–'} <span className="muted">/ {s.rpoTargetSec === undefined ? 'none' : duration(s.rpoTargetSec)}</span>
              </td>
              <td>
                {r ? duration(r.rto.projectedSec) : '–'} <span className="muted">/ {duration(r?.rto.targetSec ?? s.rtoTargetSec)}</span>
                {r && <div className="muted small-text">{r.rto.basis === 'drills' ? `from ${r.rto.drills} drill${r.rto.drills === 1 ? '' : 's'}` : 'from expected step durations'}</div>}
              </td>
              <td>
                RPO <Verdict meets={r ? r.meets : undefined} /> · RTO <Verdict meets={r?.rto.meets} />
                {r && r.basis !== 'none' && r.judged === 0 && <div className="warn-text small-text">nothing backed up yet</div>}
              </td>
              <td>
                {rows.length === 0 ? (
                  r?.rto.meets === false ? <span className="error-text">all: projected RTO over the target</span> : <span className="muted">{r ? 'none' : '–'}</span>
                ) : (
                  <button className="link" aria-expanded={isExpanded} onClick={() => setExpanded(isExpanded ? undefined : s.scenario)}>
                    {rows.length}
                    {r!.rto.wouldMiss.length >= 100 ? '+' : ''} {unit} {isExpanded ? '▴' : '▾'}
                  </button>
                )}
                {isExpanded && r && <MissingList rows={rows} basis={r.basis} />}
              </td>
              <td className="dr-row-actions">
                {open ? (
                  <a href={`#/dr/run/${open}`}>Open run</a>
                ) : (
                  <button onClick={() => onStart(s)} aria-label={`Start ${s.title}`}>
                    Start
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
