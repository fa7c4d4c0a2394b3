import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/shared/domain/backups';
import { lastBackups } from '../../src/main/core/backup/catalog';

function entry(id: string, kind: CatalogEntry['kind'], finishedAt: string, extra: Partial<CatalogEntry> & { _tenants?: string[] } = {}): CatalogEntry {
  return { id, kind, database: 'podcastflow', finishedAt, ageSec: 0, bytes: 1, keyId: 'k_1', location: id, manifest: id, ...extra } as CatalogEntry;
}

describe('lastBackups (achieved RPO per tenant)', () => {
  // Newest first, as readCatalog returns them.
  const entries = [
    entry('d', 'tenant', '2026-11-25T10:00:00Z', { tenant: 'org_a', verified: { ok: true, at: '2026-11-25T11:00:00Z' } }),
    entry('x', 'tenant', '2026-11-25T09:30:00Z', { tenant: 'org_a', database: 'other_db' }),
    entry('c', 'all-tenants', '2026-11-25T09:00:00Z', { tenantCount: 2, _tenants: ['org_a', 'org_b'] }),
    entry('b', 'full', '2026-11-24T00:00:00Z'),
    entry('a', 'full', '2026-11-20T00:00:00Z', { verified: { ok: false, at: '2026-11-21T00:00:00Z' } }),
  ];
  const last = lastBackups(entries, 'podcastflow');

  it('takes the newest backup holding each tenant, from its own or an all-tenants backup', () => {
    expect(last.byTenant.org_a).toEqual({ finishedAt: '2026-11-25T10:00:00Z', kind: 'tenant', verified: true });
    expect(last.byTenant.org_b).toEqual({ finishedAt: '2026-11-25T09:00:00Z', kind: 'all-tenants' });
  });
  it('keeps the newest full backup apart, and ignores other databases', () => {
    expect(last.lastFull).toEqual({ finishedAt: '2026-11-24T00:00:00Z', kind: 'full' });
    expect(last.byTenant.org_c).toBeUndefined();
    expect(lastBackups(entries, 'nothing_here')).toEqual({ byTenant: {} });
  });
});
