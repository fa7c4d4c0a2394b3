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
