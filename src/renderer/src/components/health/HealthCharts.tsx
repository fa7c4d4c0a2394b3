import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistorySample } from '../../../../shared/domain/health';
import { bytes, count } from '../../format';
import { useTopFindings } from '../../api/health';
import { EmptyState } from '../States';

const STATE_COLOURS: Record<string, string> = {
  active: 'var(--c-active)',
  idle: 'var(--c-idle)',
  'idle in transaction': 'var(--c-warn)',
  'idle in transaction (aborted)': 'var(--c-fail)',
};
const TOOLTIP = { background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 12 };
const tick = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function Chart({ title, children, empty }: { title: string; children: React.ReactElement; empty?: string }) {
  return (
    <section className="card chart-card">
      <h2>{title}</h2>
      {empty ? (
        <p className="muted small-text">{empty}</p>
      ) : (
        <div className="chart">
          <ResponsiveContainer width="100%" height={200}>
            {children}
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

/** History charts (from the local history, never the database) and the latest top lists. */
export function HealthCharts({ history }: { history: HistorySample[] }) {
  // Read again with every health result (health.updated invalidates them).
  const bloat = (useTopFindings({ checkId: 'table_bloat', sort: 'value', dir: 'desc' }).data?.findings ?? []).slice(0, 10);
  const tenants = (useTopFindings({ checkId: 'sizes', sort: 'value', dir: 'desc' }).data?.findings ?? []).filter((f) => (f.data as { kind?: string })?.kind === 'tenant').slice(0, 10);

  const points = history.map((s) => ({ at: s.at, ...s.metrics }));
  const states = [...new Set(history.flatMap((s) => Object.keys(s.metrics).filter((k) => k.startsWith('conn.') && !['conn.used', 'conn.max', 'conn.usable'].includes(k))))];
  const fewPoints = history.length < 2 ? 'History appears after a few samples (the sampler runs every minute while the app runs).' : undefined;
  const bloatData = bloat.map((f) => ({ name: f.object ?? '', wasted: (f.data as { wastedBytes?: number })?.wastedBytes ?? 0 }));
  const tenantData = tenants.map((f) => ({ name: f.object ?? '', bytes: (f.data as { bytes?: number })?.bytes ?? 0 }));

  return (
    <div className="chart-grid">
      <Chart title="Cache hit ratio (heap and index)" {...(fewPoints ? { empty: fewPoints } : {})}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" tickFormatter={tick} stroke="var(--muted)" fontSize={11} minTickGap={30} />
          <YAxis domain={['auto', 1]} tickFormatter={pct} stroke="var(--muted)" fontSize={11} width={52} />
          <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} formatter={(v) => pct(Number(v))} contentStyle={TOOLTIP} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line dataKey="cache.heap" name="heap (since reset)" stroke="var(--c-active)" dot={false} isAnimationActive={false} />
          <Line dataKey="cache.index" name="index (since reset)" stroke="var(--c-other)" dot={false} isAnimationActive={false} />
          <Line dataKey="cache.heapInterval" name="heap (interval)" stroke="var(--c-warn)" dot={false} strokeDasharray="4 2" isAnimationActive={false} connectNulls />
          <Line dataKey="cache.indexInterval" name="index (interval)" stroke="var(--c-pass)" dot={false} strokeDasharray="4 2" isAnimationActive={false} connectNulls />
        </LineChart>
      </Chart>
      <Chart title="Connections by state" {...(fewPoints ? { empty: fewPoints } : {})}>
        <AreaChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" tickFormatter={tick} stroke="var(--muted)" fontSize={11} minTickGap={30} />
          <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={11} width={40} />
          <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} contentStyle={TOOLTIP} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {states.map((s) => {
            const colour = STATE_COLOURS[s.slice(5)] ?? 'var(--c-other)';
            return <Area key={s} dataKey={s} name={s.slice(5)} stackId="c" type="stepAfter" stroke={colour} fill={colour} fillOpacity={0.35} isAnimationActive={false} />;
          })}
        </AreaChart>
      </Chart>
      <Chart title="Wraparound headroom (transactions left)" {...(fewPoints ? { empty: fewPoints } : {})}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" tickFormatter={tick} stroke="var(--muted)" fontSize={11} minTickGap={30} />
          <YAxis domain={[0, 2 ** 31]} tickFormatter={(v: number) => `${(v / 1e9).toFixed(1)}B`} stroke="var(--muted)" fontSize={11} width={44} />
          <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} formatter={(v) => count(Math.round(Number(v)))} contentStyle={TOOLTIP} />
          <Line dataKey="xid.headroom" name="headroom" stroke="var(--c-pass)" dot={false} isAnimationActive={false} />
        </LineChart>
      </Chart>
      <Chart title="Top table bloat (estimated wasted bytes)" {...(bloatData.length === 0 ? { empty: 'No table bloat estimated yet.' } : {})}>
        <BarChart data={bloatData} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis type="number" tickFormatter={(v: number) => bytes(v)} stroke="var(--muted)" fontSize={11} />
          <YAxis type="category" dataKey="name" width={230} interval={0} stroke="var(--muted)" fontSize={10} />
          <Tooltip formatter={(v) => bytes(Number(v))} contentStyle={TOOLTIP} />
          <Bar dataKey="wasted" name="wasted" fill="var(--c-warn)" isAnimationActive={false} />
        </BarChart>
      </Chart>
      <Chart title="Largest tenants" {...(tenantData.length === 0 ? { empty: 'Sizes have not been measured yet.' } : {})}>
        <BarChart data={tenantData} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis type="number" tickFormatter={(v: number) => bytes(v)} stroke="var(--muted)" fontSize={11} />
          <YAxis type="category" dataKey="name" width={230} interval={0} stroke="var(--muted)" fontSize={10} />
          <Tooltip formatter={(v) => bytes(Number(v))} contentStyle={TOOLTIP} />
          <Bar dataKey="bytes" name="size" fill="var(--c-active)" isAnimationActive={false} />
        </BarChart>
      </Chart>
    </div>
  );
}

export function NoHealthYet({ onRun }: { onRun: () => void }) {
  return (
    <EmptyState title="No health result yet">
      <p>The sampler runs the checks shortly after the app starts and then every minute (heavy checks every 30 minutes). Run them now to see the result at once.</p>
      <button onClick={onRun}>Run now</button>
    </EmptyState>
  );
}
