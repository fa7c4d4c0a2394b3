import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/shared/domain/backups';
import { readiness } from '../../src/main/core/dr/readiness';
import { listRunbooks } from '../../src/main/core/dr/runbooks';

function entry(id: string, kind: CatalogEntry['kind'], finishedAt: string, extra: Partial<CatalogEntry> & { _tenants?: string[] } = {}): CatalogEntry {
  return { id, kind, database: 'podcastflow', finishedAt, ageSec: 0, bytes: 1, keyId: 'k_1', location: id, manifest: id, ...extra } as CatalogEntry;
}
const ok = { verified: { ok: true, at: '2026-11-25T00:00:00Z' } };
const NOW = Date.parse('2026-11-25T12:00:00Z');
const H = 3600;

describe('readiness (RPO now against the runbooks\' targets)', async () => {
  const runbooks = (await listRunbooks()).map((l) => l.runbook);
  const byScenario = (r: ReturnType<typeof readiness>) => Object.fromEntries(r.scenarios.map((s) => [s.scenario, s]));

  it('judges each tenant by its newest verified backup (own, all-tenants or full), the newest of any state beside it', () => {
    const r = readiness(
      [
        entry('a-new', 'tenant', '2026-11-25T11:00:00Z', { tenant: 'org_a' }), // unverified: does not count for the RPO
        entry('all', 'all-tenants', '2026-11-25T06:00:00Z', { _tenants: ['org_a', 'org_b'], ...ok }),
        entry('full', 'full', '2026-11-23T12:00:00Z', ok),
      ],
      runbooks,
      NOW,
    );
    expect(r.tenants).toEqual([
      { database: 'podcastflow', tenant: 'org_a', verifiedAgeSec: 6 * H, newestVerified: 'all', newestAgeSec: 1 * H, newest: 'a-new' },
      { database: 'podcastflow', tenant: 'org_b', verifiedAgeSec: 6 * H, newestVerified: 'all', newestAgeSec: 6 * H, newest: 'all' },
    ]);
    const s = byScenario(r);
    expect(s.deletion).toMatchObject({ meets: true, basis: 'tenant', judged: 2, missing: [] });
    // The full backup is 48 h old: system failure misses its 24 h target.
    expect(s['system-failure']).toMatchObject({ meets: false, basis: 'database', judged: 1, missing: [{ database: 'podcastflow', verifiedAgeSec: 48 * H }] });
    expect(s.breach).toMatchObject({ meets: null, basis: 'none' });
  });
  it('names the tenant whose only backups are unverified or too old, and the database without any full backup', () => {
    const r = readiness([entry('b', 'tenant', '2026-11-25T10:00:00Z', { tenant: 'org_b' }), entry('a', 'tenant', '2026-11-20T10:00:00Z', { tenant: 'org_a', ...ok })], runbooks, NOW);
    const s = byScenario(r);
    expect(s.deletion!.meets).toBe(false);
    expect(s.deletion!.missing.map((m) => [m.tenant, m.verifiedAgeSec])).toEqual([
      ['org_a', 5 * 24 * H + 2 * H],
      ['org_b', undefined],
    ]);
    expect(s['system-failure']).toMatchObject({ meets: false, missing: [{ database: 'podcastflow' }] });
  });
  it('meets no target with nothing backed up', () => {
    expect(byScenario(readiness([], runbooks, NOW)).deletion).toMatchObject({ meets: false, judged: 0 });
  });
});

describe('projected RTO', async () => {
  const runbooks = (await listRunbooks()).map((l) => l.runbook);
  const deletionRunbook = runbooks.find((r) => r.scenario === 'deletion')!;
  const expectedPath = deletionRunbook.steps.filter((s) => s.id !== 'swap').reduce((n, s) => n + s.expectedDurationSec, 0);
  const entries = [entry('big', 'tenant', '2026-11-25T11:00:00Z', { tenant: 'org_big', bytes: 1_000_000, ...ok }), entry('small', 'tenant', '2026-11-25T11:00:00Z', { tenant: 'org_small', bytes: 1000, ...ok })];
  const drill = (bytes: number, restoreSec: number) => ({
    runId: 'd',
    scenario: 'deletion' as const,
    startedAt: '2026-11-25T00:00:00Z',
    finishedAt: '2026-11-25T00:10:00Z',
    outcome: 'succeeded' as const,
    rtoTargetSec: 7200,
    rtoMeasuredSec: 600,
    bytes,
    steps: [{ id: 'restore-beside', action: 'restore_beside' as const, status: 'succeeded' as const, durationSec: restoreSec }],
  });

  it('without drills: the expected durations of the default path (the swap a merge rules out left out)', () => {
    const d = readiness(entries, runbooks, NOW).scenarios.find((s) => s.scenario === 'deletion')!;
    expect(d.rto).toEqual({ targetSec: 7200, projectedSec: expectedPath, meets: true, basis: 'expected', drills: 0, wouldMiss: [] });
  });

  it('with drills: the restore step scaled by each tenant\'s backup size; tenants that would miss are named', () => {
    // A drill restored 1,000 bytes in 10 s: 0.01 s a byte; the big tenant's 1 MB takes 10,000 s.
    const d = readiness(entries, runbooks, NOW, { drills: [drill(1000, 10)] }).scenarios.find((s) => s.scenario === 'deletion')!;
    const restoreExpected = deletionRunbook.steps.find((s) => s.id === 'restore-beside')!.expectedDurationSec;
    expect(d.rto).toMatchObject({ basis: 'drills', drills: 1, meets: false, projectedSec: expectedPath - restoreExpected + 10_000 });
    expect(d.rto.wouldMiss).toEqual([{ database: 'podcastflow', tenant: 'org_big', projectedSec: expectedPath - restoreExpected + 10_000 }]);
    // An overridden target for this connection.
    expect(readiness(entries, runbooks, NOW, { drills: [drill(1000, 10)], rtoTargets: { deletion: 20_000 } }).scenarios.find((s) => s.scenario === 'deletion')!.rto).toMatchObject({ targetSec: 20_000, meets: true, wouldMiss: [] });
  });
});

describe('projected RTO of a runbook whose clock stops at a step (rtoEndsAfter)', async () => {
  const runbooks = (await listRunbooks()).map((l) => l.runbook);
  const breach = runbooks.find((r) => r.scenario === 'breach')!;

  it('breach: only the steps up to containment count against the 30-minute target, so it meets it', () => {
    const r = readiness([], runbooks, NOW).scenarios.find((s) => s.scenario === 'breach')!;
    const upToContain = breach.steps.slice(0, breach.steps.findIndex((s) => s.id === 'contain') + 1);
    expect(r.rto).toMatchObject({ targetSec: 1800, projectedSec: upToContain.reduce((n, s) => n + s.expectedDurationSec, 0), meets: true });
    // Without the field every step counts, and the target is missed by hours.
    const { rtoEndsAfter: _, ...all } = breach;
    const without = readiness([], [all], NOW).scenarios[0]!;
    expect(without.rto.meets).toBe(false);
  });
});
