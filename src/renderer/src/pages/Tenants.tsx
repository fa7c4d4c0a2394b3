import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { ProfileView } from '../../../shared/domain/connections';
import type { TenantStats, ViolationKind } from '../../../shared/domain/tenants';
import { useDemoStarting } from '../api/app';
import { useTenantResult, useVerifyRun } from '../api/tenants';
import { EmptyState, ErrorState, RequireConnection } from '../components/States';
import { BackupErrorBanner, type BackupError } from '../components/tenants/BackupTenantButton';
import { ReferenceSettings } from '../components/tenants/ReferenceSettings';
import { TenantDetail } from '../components/tenants/TenantDetail';
import { ALL_KINDS, TenantHeatmap, type Grouping } from '../components/tenants/TenantHeatmap';
import { lastOf, TenantTable, useLastBackupsOf, type SortKey } from '../components/tenants/TenantTable';
import { ViolationList } from '../components/tenants/ViolationList';
import { byName, count, time } from '../format';

/** Every tenant schema: isolation and drift verified across all of them, as a heatmap, a table and a detail. */
export function TenantsPage() {
  // A connection of its own: another one starts with a clean page.
  return <RequireConnection title="Tenants">{(profile) => <Tenants key={profile.id} profile={profile} />}</RequireConnection>;
}

function Tenants({ profile }: { profile: ProfileView }) {
  const demoStarting = useDemoStarting();
  const loaded = useTenantResult(!demoStarting);
  const { result, byTenant } = loaded;
  const { verify, running, error: verifyError } = useVerifyRun(loaded.taskId);
  const error = verifyError ?? loaded.error;
  const [search, setSearch] = useState('');
  const [onlyAffected, setOnlyAffected] = useState(false);
  const [grouping, setGrouping] = useState<Grouping>('severity');
  // 0 fits the fleet to the width (the start); 1–24 is px per tenant.
  const [zoom, setZoom] = useState(0);
  const [hiddenKinds, setHiddenKinds] = useState<Set<ViolationKind>>(new Set());
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'violations', desc: true });
  const [selected, setSelected] = useState<string | undefined>();
  const [backupError, setBackupError] = useState<BackupError>();
  const lastBackups = useLastBackupsOf(profile.id);

  // One collation sort per result (the slow comparison at 10,000 names): the heatmap's order, and the
  // table's name order and tie-break as a number. Typing in the search only filters these sorted lists,
  // in a deferred render, so a keystroke is not held up by 10,000 tenants.
  const byNameOrder = useMemo(() => [...(result?.tenantStats ?? [])].sort((a, b) => byName(a.name, b.name)), [result]);
  const sorted = useMemo(() => {
    const n = (t: TenantStats) => byTenant.get(t.name)?.length ?? 0;
    // Oldest backup first when sorted descending by "last backup" (never backed up counts as oldest).
    const backupAge = (t: TenantStats) => -Date.parse(lastOf(lastBackups, t.name)?.finishedAt ?? '1970-01-01');
    const key: Record<SortKey, (t: TenantStats, nameRank: number) => number> = { name: (_, i) => i, size: (t) => t.sizeBytes, rows: (t) => t.estimatedRows, violations: n, backup: backupAge };
    const f = key[sort.key];
    // Each key computed once, not once per comparison.
    const keyed = byNameOrder.map((t, i) => ({ t, i, k: f(t, i) }));
    keyed.sort((a, b) => (sort.desc ? b.k - a.k : a.k - b.k) || a.i - b.i);
    return keyed.map((e) => e.t);
  }, [byNameOrder, sort, byTenant, lastBackups]);
  const query = useDeferredValue(search.trim().toLowerCase());
  const filtering = query !== search.trim().toLowerCase();
  const shown = useCallback((t: TenantStats) => (!query || t.name.toLowerCase().includes(query)) && (!onlyAffected || byTenant.has(t.name)), [query, onlyAffected, byTenant]);
  const stats = useMemo(() => (query || onlyAffected ? sorted.filter(shown) : sorted), [sorted, shown, query, onlyAffected]);
  const names = useMemo(() => byNameOrder.filter(shown).map((t) => t.name), [byNameOrder, shown]);

  const kinds = useMemo(() => ALL_KINDS.filter((k) => k !== 'shared_table_without_rls' && !hiddenKinds.has(k)), [hiddenKinds]);
  const shared = byTenant.get('') ?? [];

  return (
    <div className="page tenants-page">
      <div className="page-head">
        <h1>Tenants</h1>
        <div className="actions">
          {result && (
            <span className="muted small-text">
              {count(result.tenants)} tenants · {count(result.violations.length)} violations · {result.durationMs} ms · reference {result.reference.mode === 'template' ? `template ${result.reference.template}` : 'majority shape'} · {time(result.verifiedAt)}
            </span>
          )}
          <ReferenceSettings />
          <button onClick={verify} disabled={running || demoStarting}>
            {running ? 'Verifying…' : result ? 'Verify again' : 'Verify all tenants'}
          </button>
        </div>
      </div>
      {error && <ErrorState error={error} onRetry={verify} />}
      {!result && !running && !error && (
        <EmptyState title="Not verified yet">
          <p>Verification compares every tenant schema matching “{profile.tenantPattern}” against the majority shape (drift) and looks for leaks across tenants: grants, PUBLIC privileges, references, shared tables without row-level security, SECURITY DEFINER functions and owners. It is read-only and runs as one query per check over all tenants.</p>
        </EmptyState>
      )}
      {!result && running && <EmptyState title="Verifying…">Progress is in the task tray; you can cancel it there.</EmptyState>}
      {result && (
        <>
          {result.notes.map((n) => (
            <div key={n} className="notice small-text">
              {n}
            </div>
          ))}
          {result.isolationFunction && (
            <div className={result.isolationFunction.ok === false ? 'error-state' : 'card'}>
              <strong className="mono">{result.isolationFunction.name}()</strong>{' '}
              {result.isolationFunction.ok === true ? 'passes' : result.isolationFunction.ok === false ? 'reports a failure' : (result.isolationFunction.error ?? 'returned rows')}
              {result.isolationFunction.rows.length > 0 && <pre className="mono fix-sql">{JSON.stringify(result.isolationFunction.rows, null, 1)}</pre>}
            </div>
          )}
          {shared.length > 0 && (
            <div className="card">
              <h2>Shared schemas</h2>
              <ViolationList violations={shared} collapsed />
            </div>
          )}
          <div className="card">
            <div className="toolbar">
              <h2>Heatmap</h2>
              <label className="small-text">
                Group{' '}
                <select value={grouping} onChange={(e) => setGrouping(e.target.value as Grouping)} aria-label="Group tenants">
                  <option value="severity">by worst severity</option>
                  <option value="name">by initial</option>
                </select>
              </label>
              <label className="small-text">
                Zoom{' '}
                <input type="range" min={0} max={24} value={zoom} onChange={(e) => setZoom(Number(e.target.value))} aria-label="Zoom" aria-valuetext={zoom === 0 ? 'fit to width' : `${zoom} px per tenant`} /> <span className="muted">{zoom === 0 ? 'fit' : `${zoom} px`}</span>
              </label>
              <label className="small-text">
                <input type="checkbox" checked={onlyAffected} onChange={(e) => setOnlyAffected(e.target.checked)} /> only tenants with violations
              </label>
              <details className="small-text">
                <summary>checks ({kinds.length})</summary>
                {ALL_KINDS.filter((k) => k !== 'shared_table_without_rls').map((k) => (
                  <label key={k} className="kind-toggle">
                    <input
                      type="checkbox"
                      checked={!hiddenKinds.has(k)}
                      onChange={(e) => {
                        const next = new Set(hiddenKinds);
                        if (e.target.checked) next.delete(k);
                        else next.add(k);
                        setHiddenKinds(next);
                      }}
                    />{' '}
                    {k}
                  </label>
                ))}
              </details>
              <span className="legend small-text">
                <i className="sw sw-clean" /> ok <i className="sw sw-warn" /> warn <i className="sw sw-fail" /> critical
              </span>
            </div>
            <TenantHeatmap tenants={names} byTenant={byTenant} grouping={grouping} zoom={zoom} kinds={kinds} selected={selected} onSelect={setSelected} />
          </div>
          {/* Right above the table whose Back up button caused it, so it is in view. */}
          {backupError && <BackupErrorBanner error={backupError} onClose={() => setBackupError(undefined)} />}
          <div className="tenants-split">
            <div className="card">
              <div className="toolbar">
                <h2>All tenants</h2>
                <input type="search" placeholder="Search tenants…" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search tenants" />
                <span className="muted small-text">{filtering ? 'filtering…' : `${count(stats.length)} shown`}</span>
              </div>
              <TenantTable rows={stats} byTenant={byTenant} sort={sort} onSort={setSort} selected={selected} onSelect={setSelected} lastBackups={lastBackups} onBackupError={setBackupError} />
            </div>
            <div className="card tenant-detail">
              {selected ? <TenantDetail tenant={selected} stats={result.tenantStats.find((t) => t.name === selected)} violations={byTenant.get(selected) ?? []} onBackupError={setBackupError} /> : <p className="muted">Select a tenant in the heatmap or the table.</p>}
            </div>
          </div>
        </>
      )}
    </div>
  );
}
