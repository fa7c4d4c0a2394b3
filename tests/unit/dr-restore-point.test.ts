import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/shared/domain/backups';
import { chooseRestorePoint } from '../../src/main/core/dr/restore-point';

function entry(id: string, kind: CatalogEntry['kind'], finishedAt: string, extra: Partial<CatalogEntry> & { _tenants?: string[] } = {}): CatalogEntry {
  return { id, kind, database: 'podcastflow', finishedAt, ageSec: 0, bytes: 1, keyId: 'k_1', location: id, manifest: id, ...extra } as CatalogEntry;
}
const ok = { verified: { ok: true, at: '2026-11-26T00:00:00Z' } };
const bad = { verified: { ok: false, at: '2026-11-26T00:00:00Z', detail: '2 tables differ' } };

// Newest first, as readCatalog returns them. The incident is at 10:00.
const catalog = [
  entry('after', 'tenant', '2026-11-25T10:30:00Z', { tenant: 'org_a', ...ok }),
  entry('at', 'tenant', '2026-11-25T10:00:00Z', { tenant: 'org_a', ...ok }),
  entry('unverified', 'tenant', '2026-11-25T09:50:00Z', { tenant: 'org_a' }),
  entry('failed', 'tenant', '2026-11-25T09:40:00Z', { tenant: 'org_a', ...bad }),
  entry('other-db', 'tenant', '2026-11-25T09:35:00Z', { tenant: 'org_a', database: 'elsewhere', ...ok }),
  entry('verified', 'tenant', '2026-11-25T09:00:00Z', { tenant: 'org_a', ...ok }),
  entry('all', 'all-tenants', '2026-11-25T08:00:00Z', { tenantCount: 2, _tenants: ['org_a', 'org_b'], ...ok }),
  entry('full', 'full', '2026-11-24T00:00:00Z'),
];
const T0 = '2026-11-25T10:00:00Z';

describe('chooseRestorePoint', () => {
  it('takes the newest verified backup that finished before the incident, over a newer unverified one', () => {
    const p = chooseRestorePoint(catalog, { tenant: 'org_a', database: 'podcastflow', incidentAt: T0 });
    expect(p).toMatchObject({ source: 'backup', backup: { id: 'verified' }, rpoGapSec: 3600, verified: true });
    expect(p.warning).toBeUndefined();
    // Never one finished at or after T0, never one that failed its verify, never another database's.
    expect(p.alternatives.map((a) => a.backup.id)).toEqual(['unverified', 'all', 'full']);
    expect(p.alternatives[0]).toMatchObject({ rpoGapSec: 600, verified: false });
  });
  it('falls back to the newest unverified backup before the incident, with a warning', () => {
    const p = chooseRestorePoint(catalog, { tenant: 'org_a', incidentAt: '2026-11-25T07:00:00Z' });
    expect(p).toMatchObject({ backup: { id: 'full' }, verified: false, rpoGapSec: 31 * 3600 });
    expect(p.warning).toMatch(/No verified backup of tenant "org_a" before the incident time: this one \(full\) was never proven restorable/);
  });
  it('counts all-tenants backups holding the tenant and full backups, and ignores the tenant backups of others', () => {
    const p = chooseRestorePoint(catalog, { tenant: 'org_b', incidentAt: T0 });
    expect(p).toMatchObject({ backup: { id: 'all' }, rpoGapSec: 2 * 3600, verified: true });
    expect(p.backup).not.toHaveProperty('_tenants'); // the tenant list stays in the core
    expect(chooseRestorePoint(catalog, { tenant: 'org_c', incidentAt: T0 }).backup.id).toBe('full');
  });
  it('takes only full backups without a tenant (system failure)', () => {
    expect(chooseRestorePoint(catalog, { incidentAt: T0 })).toMatchObject({ backup: { id: 'full' }, alternatives: [] });
  });
  it('refuses clearly when nothing finished before the incident', () => {
    const onlyAfter = catalog.slice(0, 2);
    expect(() => chooseRestorePoint(onlyAfter, { tenant: 'org_a', incidentAt: T0 })).toThrow(
      expect.objectContaining({ code: 'no_restore_point', message: expect.stringMatching(/No restore point for tenant "org_a" before 2026-11-25T10:00:00Z: the 2 backup\(s\) that hold it all finished at or after the incident time/) }),
    );
    expect(() => chooseRestorePoint([catalog[3]!], { tenant: 'org_a', incidentAt: T0 })).toThrow(/failed their verify/);
    expect(() => chooseRestorePoint([], { tenant: 'org_a', incidentAt: T0 })).toThrow(/no backup at the destination holds it/);
  });
  it('refuses an incident time that is not ISO 8601', () => {
    expect(() => chooseRestorePoint(catalog, { tenant: 'org_a', incidentAt: 'yesterday' })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
