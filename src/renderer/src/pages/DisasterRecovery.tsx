import { useMemo, useState } from 'react';
import type { ProfileView } from '../../../shared/domain/connections';
import type { Scenario, ScenarioSummary } from '../../../shared/domain/dr';
import { useReadiness, useRun, useRuns, useScenarios } from '../api/dr';
import { SecurityBaseline } from '../components/dr/Baseline';
import { Drills } from '../components/dr/Drills';
import { RunsList } from '../components/dr/RunsList';
import { ScenarioList } from '../components/dr/ScenarioList';
import { StartForm } from '../components/dr/StartForm';
import { Wizard } from '../components/dr/Wizard';
import { EmptyState, ErrorState, RequireConnection } from '../components/States';
import { ago } from '../format';
import { useSubPath } from '../route';

/** Disaster recovery: scenarios with their readiness, the wizard of a run (#/dr/run/<id>), runs, drills. */
export function DisasterRecoveryPage() {
  return <RequireConnection title="Disaster Recovery">{(profile) => <DisasterRecovery key={profile.id} profile={profile} />}</RequireConnection>;
}

function RunView({ connectionId, runId }: { connectionId: string; runId: string }) {
  const q = useRun(connectionId, runId);
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <p className="muted">Reading the run…</p>;
  return <Wizard run={q.data} connectionId={connectionId} />;
}

function DisasterRecovery({ profile }: { profile: ProfileView }) {
  const sub = useSubPath();
  const runId = /^run\/([A-Za-z0-9_-]{1,80})$/.exec(sub)?.[1];
  const scenariosQ = useScenarios();
  const readinessQ = useReadiness(profile.id);
  const runsQ = useRuns(profile.id);
  const [starting, setStarting] = useState<ScenarioSummary>();
  const scenarios = scenariosQ.data?.scenarios ?? [];
  const runs = runsQ.data?.runs;
  // One open run per scenario and connection: its row opens it instead of starting another.
  const openRuns = useMemo(() => new Map<Scenario, string>((runs ?? []).filter((r) => r.status === 'open' && !r.drill).map((r) => [r.scenario, r.id])), [runs]);

  return (
    <div className="page dr-page">
      <div className="page-head">
        <h1>Disaster Recovery</h1>
        <div className="actions">
          {runId && <a href="#/dr">← All scenarios and runs</a>}
          {readinessQ.readiness && <span className="muted small-text">readiness as of {ago(readinessQ.readiness.generatedAt)}</span>}
          <button className="small" onClick={() => void Promise.all([readinessQ.refetch(), runsQ.refetch()])} disabled={readinessQ.isFetching}>
            {readinessQ.isFetching ? 'Reading…' : 'Refresh'}
          </button>
        </div>
      </div>
      {runId ? (
        <RunView connectionId={profile.id} runId={runId} />
      ) : (
        <>
          <section className="card" aria-label="Scenario readiness">
            <h2>Scenarios and readiness</h2>
            {scenariosQ.error && <ErrorState error={scenariosQ.error} onRetry={() => void scenariosQ.refetch()} />}
            {readinessQ.error && <ErrorState error={readinessQ.error} onRetry={() => void readinessQ.refetch()} />}
            {scenariosQ.data && scenarios.length === 0 && <EmptyState title="No runbooks">No scenario runbook was found in resources/dr.</EmptyState>}
            {scenarios.length > 0 && <ScenarioList scenarios={scenarios} readiness={readinessQ.readiness} onStart={setStarting} openRuns={openRuns} />}
            <p className="muted small-text">RPO now is the age of the newest verified backup that holds each tenant; the projected RTO comes from measured restore durations scaled by size. Both are judged against each scenario&apos;s targets.</p>
            {readinessQ.readiness && <SecurityBaseline connectionId={profile.id} />}
          </section>
          <section className="card" aria-label="Runs">
            <h2>Runs</h2>
            {runsQ.error ? <ErrorState error={runsQ.error} onRetry={() => void runsQ.refetch()} /> : <RunsList runs={runs ?? []} selected={runId} />}
          </section>
          {scenarios.length > 0 && <Drills connectionId={profile.id} scenarios={scenarios} />}
        </>
      )}
      {starting && <StartForm scenario={starting} connectionId={profile.id} readiness={readinessQ.readiness} onClose={() => setStarting(undefined)} />}
    </div>
  );
}
