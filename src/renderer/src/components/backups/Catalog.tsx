import { useState } from 'react';
import type { CatalogEntry } from '../../../../shared/domain/backups';
import { useBackupActions, useCatalog, type CatalogFilter } from '../../api/backups';
import { bytes, duration } from '../../format';
import { EmptyState, ErrorState } from '../States';
import { BACKUP_KINDS } from '../../../../shared/vocabulary';

const KINDS: Array<CatalogEntry['kind'] | ''> = ['', ...BACKUP_KINDS];

function Verification({ e }: { e: CatalogEntry }) {
  if (!e.verified && e.verifyAttempt)
    return (
      <span className="muted" title={`${e.verifyAttempt.reason} (${e.verifyAttempt.at})`}>
        not verified · could not verify
      </span>
    );
  if (!e.verified) return <span className="muted">not verified</span>;
  return e.verified.ok ? (
    <span className="ok-text" title={`Restored into a scratch database and compared on ${e.verified.at}`}>
      verified restorable · {e.verified.at.slice(0, 10)}
    </span>
  ) : (
    <span className="error-text" title={e.verified.detail}>
      verify failed · {e.verified.at.slice(0, 10)}
    </span>
  );
}

/** The catalog, filtered by tenant, kind and date, 50 a page; each backup can be verified or restored. */
export function Catalog({ keyReady, onRestore }: { keyReady: boolean; onRestore(e: CatalogEntry): void }) {
  const [filter, setFilter] = useState<CatalogFilter>({});
  const [tenantInput, setTenantInput] = useState('');
  const catalog = useCatalog(filter);
  const { verify } = useBackupActions();
  const pages = catalog.data?.pages ?? [];
  const entries = pages.flatMap((p) => p.entries);
  const total = pages.at(-1)?.total ?? 0;
  const loading = catalog.isPending;
  const nextCursor = catalog.hasNextPage;
  const loadMore = () => void catalog.fetchNextPage();
  return (
    <>
      {catalog.error && <ErrorState error={catalog.error} onRetry={() => void catalog.refetch()} />}
      <section className="card" aria-label="Catalog">
        <div className="actions" style={{ marginBottom: 8 }}>
          <h2 style={{ margin: 0 }}>Catalog</h2>
          <span className="muted small-text">{total} backups · read from the destination&apos;s manifests</span>
          <span className="spacer" />
          <input aria-label="Filter by tenant" placeholder="tenant (org_…)" value={tenantInput} onChange={(e) => setTenantInput(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && setFilter({ ...filter, tenant: tenantInput || undefined })} />
          <select aria-label="Filter by kind" value={filter.kind ?? ''} onChange={(e) => setFilter({ ...filter, kind: (e.target.value || undefined) as CatalogEntry['kind'] | undefined })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k || 'all kinds'}
              </option>
            ))}
          </select>
          <input aria-label="Since" type="date" value={filter.since?.slice(0, 10) ?? ''} onChange={(e) => setFilter({ ...filter, since: e.target.value ? new Date(e.target.value).toISOString() : undefined })} />
        </div>
        {entries.length === 0 && !loading ? (
          <EmptyState title="No backups here yet">
            <p>{keyReady ? 'Run "Back up now", or back up one tenant from the Tenants page.' : 'Set up a backup key above, then run a first backup.'}</p>
          </EmptyState>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>Finished</th>
                <th>Age (RPO)</th>
                <th>Kind</th>
                <th>Tenant / database</th>
                <th>Size</th>
                <th>Key</th>
                <th>Verification</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="mono">{e.finishedAt.replace('T', ' ').slice(0, 19)}</td>
                  <td>{duration(e.ageSec)}</td>
                  <td>{e.kind}</td>
                  <td className="mono">{e.tenant ?? (e.tenantCount ? `${e.tenantCount} tenants` : e.database)}</td>
                  <td>{bytes(e.bytes)}</td>
                  <td className="mono small-text">{e.keyId}</td>
                  <td>
                    <Verification e={e} />
                  </td>
                  <td className="actions">
                    <button className="small" onClick={() => void verify(e.manifest)}>
                      Verify
                    </button>
                    <button className="small" onClick={() => onRestore(e)}>
                      Restore…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextCursor && (
          <button className="small" onClick={() => void loadMore()}>
            Load more ({total - entries.length} more)
          </button>
        )}
      </section>
    </>
  );
}
