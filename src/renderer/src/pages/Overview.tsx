import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { HealthOverview } from '../components/health/HealthOverview';
import { EmptyState, ErrorState, RequireConnection } from '../components/States';
import { bytes, count, duration, time } from '../format';
import { useDemoStarting } from '../api/app';
import { POLL_MS, useOverview } from '../api/overview';
import type { ProfileView } from '../../../shared/domain/connections';
const STATE_COLOURS: Record<string, string> = {
  active: 'var(--c-active)',
  idle: 'var(--c-idle)',
  'idle in transaction': 'var(--c-warn)',
  'idle in transaction (aborted)': 'var(--c-fail)',
  'fastpath function call': 'var(--c-other)',
  disabled: 'var(--c-other)',
  unknown: 'var(--c-other)',
};

function Fact({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="card fact">
      <div className="fact-label">{label}</div>
      <div className="fact-value">{value}</div>
      {sub && <div className="fact-sub">{sub}</div>}
    </div>
  );
}

/** Live facts of the connected database, refreshed every few seconds while open. */
export function OverviewPage() {
  return <RequireConnection title="Overview">{(profile) => <Overview profile={profile} />}</RequireConnection>;
}

function Overview({ profile }: { profile: ProfileView }) {
  const demoStarting = useDemoStarting();
  const { facts, samples, error, refresh } = useOverview(!demoStarting);
  if (demoStarting) {
    return (
      <div className="page">
        <h1>Overview</h1>
        <EmptyState title="Starting the demo database">
          <p>The first start seeds PodcastFlow Pro's multi-tenant schema; progress is in the task tray below.</p>
        </EmptyState>
      </div>
    );
  }
  const states = Object.keys(Object.assign({}, ...samples.map((s) => ({ ...s, at: undefined })))).filter((k) => k !== 'at');
  const used = facts ? Object.values(facts.connectionsByState).reduce((a, b) => a + b, 0) : 0;

  return (
    <div className="page">
      <div className="page-head">
        <h1>Overview</h1>
        <span className="muted">{facts ? `${profile.name} · sampled ${time(facts.sampledAt)}` : 'Loading…'}</span>
      </div>
      {error && <ErrorState error={error} onRetry={refresh} />}
      {facts && (
        <>
          <div className="facts">
            <Fact label="PostgreSQL" value={facts.serverVersion.split(' ')[0] ?? facts.serverVersion} sub={`${facts.database} on ${profile.host}:${profile.port}`} />
            <Fact label="Uptime" value={duration(facts.uptimeSec)} sub={`since ${new Date(facts.startedAt).toLocaleString()}`} />
            <Fact label="Database size" value={bytes(facts.databaseBytes)} />
            <Fact label="Tenants" value={count(facts.tenantCount)} sub={`schemas matching ${facts.tenantPattern}`} />
            <Fact label="Connections" value={`${used} / ${facts.maxConnections}`} sub={Object.entries(facts.connectionsByState).map(([k, v]) => `${v} ${k}`).join(' · ') || 'none'} />
          </div>
          <HealthOverview />
          <section className="card">
            <h2>Connections by state (this session, every {POLL_MS / 1000}s)</h2>
            <div className="chart">
              <ResponsiveContainer width="100%" height={220}>
                <AreaChart data={samples} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
                  <XAxis dataKey="at" tickFormatter={time} stroke="var(--muted)" fontSize={11} />
                  <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={11} width={32} />
                  <Tooltip labelFormatter={(v) => time(String(v))} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {states.map((s) => (
                    <Area key={s} type="stepAfter" dataKey={s} stackId="c" stroke={STATE_COLOURS[s] ?? 'var(--c-other)'} fill={STATE_COLOURS[s] ?? 'var(--c-other)'} fillOpacity={0.35} isAnimationActive={false} />
                  ))}
                </AreaChart>
              </ResponsiveContainer>
            </div>
          </section>
        </>
      )}
    </div>
  );
}
