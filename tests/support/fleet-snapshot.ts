/**
 * A fleet snapshot as a database of `tenants` tenants would give it: one connection with a full health
 * report, isolation violations on every tenth tenant, and a catalog of an all-tenants backup, a full one
 * and a tenant backup of every twentieth tenant. For the cardinality tests and bench/metrics.ts.
 */
import type { CatalogEntry } from '../../src/shared/domain/backups';
import type { DrillRecord } from '../../src/shared/domain/dr';
import { CHECK_IDS, type HealthReport } from '../../src/shared/domain/health';
import { VIOLATION_KINDS } from '../../src/shared/domain/tenants';
import { readiness } from '../../src/main/core/dr/readiness';
import { listRunbooks } from '../../src/main/core/dr/runbooks';
import type { FleetSnapshot } from '../../src/main/core/fleet/metrics';

export async function syntheticSnapshot(tenants: number, now = Date.parse('2026-12-01T12:00:00Z')): Promise<FleetSnapshot> {
  const names = Array.from({ length: tenants }, (_, i) => `org_${String(i).padStart(5, '0')}`);
  const iso = (ageSec: number) => new Date(now - ageSec * 1000).toISOString();
  const health: HealthReport = {
    status: 'degraded',
    durationMs: 1234,
    database: { name: 'podcastflow', serverVersion: '15.8' },
    checkedAt: iso(30),
    checks: CHECK_IDS.map((id, i) => ({
      id,
      title: id,
      status: i % 5 === 1 ? 'warn' : 'pass',
      durationMs: 10 + i,
      summary: '',
      value: i / 100,
      checkedAt: iso(30),
      // Ranked checks report their top 50, most of them in tenants.
      findings: Array.from({ length: 50 }, (_, k) => ({ severity: k % 7 === 0 ? 'warn' : 'info', object: `${names[k % tenants]}.t`, tenant: names[k % tenants]!, message: 'x' })),
    })),
  };
  const violations = names.flatMap((tenant, i) =>
    i % 10 === 0 ? [{ tenant, kind: VIOLATION_KINDS[i % VIOLATION_KINDS.length]!, severity: 'warn' as const }, { tenant, kind: 'cross_tenant_grant', severity: i % 20 === 0 ? ('critical' as const) : ('warn' as const) }] : [],
  );
  const entry = (id: string, kind: CatalogEntry['kind'], ageSec: number, extra: Partial<CatalogEntry> & { _tenants?: string[] } = {}): CatalogEntry =>
    ({ id, kind, database: 'podcastflow', finishedAt: iso(ageSec), ageSec, bytes: 1e6, keyId: 'k', location: `/backups/${id}.dump.enc`, manifest: `/backups/${id}.manifest.json`, ...extra }) as CatalogEntry;
  const entries: CatalogEntry[] = [
    entry('all-1', 'all-tenants', 3_600, { tenantCount: tenants, verified: { ok: true, at: iso(3_000) }, _tenants: names }),
    entry('full-1', 'full', 7_200, { verified: { ok: true, at: iso(7_000) } }),
    ...names.filter((_, i) => i % 20 === 0).map((t, i) => entry(`t-${t}`, 'tenant', 100 + i, { tenant: t })),
  ].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const runbooks = (await listRunbooks()).map((l) => l.runbook);
  const drills: DrillRecord[] = runbooks.map((r) => ({ runId: `drill-${r.scenario}`, scenario: r.scenario, startedAt: iso(9_000), finishedAt: iso(8_000), outcome: 'succeeded', rtoTargetSec: r.rto.targetSec, rtoMeasuredSec: 1_000, steps: [] }));
  return {
    connections: [{ id: 'prod', name: 'Production', database: 'podcastflow', environment: 'production', health, isolation: { tenants, violations, source: 'verify' } }],
    catalog: { entries, readiness: readiness(entries, runbooks, now), readAt: now },
    outcomes: [{ kind: 'all-tenants', ok: true, at: iso(3_600) }, { kind: 'full', ok: false, at: iso(60), error: 'connection_lost' }],
    runbooks,
    drills,
  };
}

/** Samples (series) in an exposition text: lines that are neither comments nor blank. */
export function seriesOf(text: string): string[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#'));
}
