import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TenantStats, Violation, ViolationKind } from '../../../shared/domain/tenants';
import { DangerConfirm } from '../components/DangerConfirm';
import { EmptyState, ErrorState } from '../components/States';
import { ALL_KINDS, TenantHeatmap, type Grouping } from '../components/TenantHeatmap';
import { bytes, count, time } from '../format';
import { useActiveProfile, useAppStore } from '../stores/app';
import { useTenantsStore } from '../stores/tenants';
import { BackupErrorBanner, BackupTenantButton, type BackupError } from '../components/BackupTenantButton';
import type { LastBackup, LastBackups } from '../../../shared/domain/backups';
import { invoke } from '../bridge';
import { duration } from '../format';
import { useTasksStore } from '../stores/tasks';

type SortKey = 'name' | 'size' | 'rows' | 'violations' | 'backup';

/**
 * The newest backup of every tenant (the achieved RPO), read from the backup catalog; read again
 * whenever a backup finishes. No backup destination yet is simply "none".
 */
type FetchedBackups = LastBackups & { fetchedAt: number };

function useLastBackups(connectionId: string | undefined): FetchedBackups | undefined {
  const [last, setLast] = useState<FetchedBackups>();
  const finishedBackups = useTasksStore((s) => Object.values(s.tasks).filter((t) => t.kind === 'backups.run' && t.status === 'succeeded').length);
  useEffect(() => {
    if (!connectionId) return;
    let live = true;
    invoke('backups.lastByTenant', { connectionId }).then(
      (r) => live && setLast({ ...r, fetchedAt: Date.now() }),
      () => live && setLast(undefined),
    );
    return () => {
      live = false;
    };
  }, [connectionId, finishedBackups]);
  return last;
}

function lastOf(last: LastBackups | undefined, tenant: string): LastBackup | undefined {
  const own = last?.byTenant[tenant];
  const full = last?.lastFull;
  if (!own) return full;
  return full && full.finishedAt > own.finishedAt ? full : own;
}

function LastBackupCell({ last, now }: { last: LastBackup | undefined; now: number }) {
  if (!last) return <span className="warn-text">none</span>;
  const ageSec = (now - Date.parse(last.finishedAt)) / 1000;
  return (
    <span title={`${last.kind} backup finished ${new Date(last.finishedAt).toLocaleString()}${last.verified ? ', verified restorable' : last.verified === false ? ', verification FAILED' : ', not verified'}`}>
      {duration(ageSec)} ago{last.verified ? ' ✓' : ''}
    </span>
  );
}
const ROW_H = 28;

function worst(list: Violation[] | undefined): 'critical' | 'warn' | null {
  if (!list?.length) return null;
  return list.some((v) => v.severity === 'critical') ? 'critical' : 'warn';
}

/** Every tenant schema: isolation and drift verified across all of them, as a heatmap, a table and a detail. */
export function TenantsPage() {
  const profile = useActiveProfile();
  const demoStarting = useAppStore((s) => s.info?.demo.state === 'starting') && profile?.isDemo;
  const { result, running, error, byTenant, load, verify, watch, reset } = useTenantsStore();
  const [search, setSearch] = useState('');
  const [onlyAffected, setOnlyAffected] = useState(false);
  const [grouping, setGrouping] = useState<Grouping>('severity');
  const [cellW, setCellW] = useState(6);
  const [hiddenKinds, setHiddenKinds] = useState<Set<ViolationKind>>(new Set());
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'violations', desc: true });
  const [selected, setSelected] = useState<string | undefined>();
  const [backupError, setBackupError] = useState<BackupError>();
  const activeId = profile?.id;
  const lastBackups = useLastBackups(activeId);

  useEffect(() => {
    reset();
    setSelected(undefined);
    if (!activeId || demoStarting) return;
    const stop = watch();
    void load();
    return stop;
  }, [activeId, demoStarting, load, watch, reset]);

  const stats = useMemo(() => {
    const q = search.trim().toLowerCase();
    let list: TenantStats[] = result?.tenantStats ?? [];
    if (q) list = list.filter((t) => t.name.toLowerCase().includes(q));
    if (onlyAffected) list = list.filter((t) => byTenant.has(t.name));
    const n = (t: TenantStats) => byTenant.get(t.name)?.length ?? 0;
    // Oldest backup first when sorted descending by "last backup" (never backed up counts as oldest).
    const backupAge = (t: TenantStats) => -Date.parse(lastOf(lastBackups, t.name)?.finishedAt ?? '1970-01-01');
    const key: Record<SortKey, (t: TenantStats) => number | string> = { name: (t) => t.name, size: (t) => t.sizeBytes, rows: (t) => t.estimatedRows, violations: n, backup: backupAge };
    const f = key[sort.key];
    return [...list].sort((a, b) => {
      const x = f(a);
      const y = f(b);
      const c = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
      return (sort.desc ? -c : c) || a.name.localeCompare(b.name);
    });
  }, [result, search, onlyAffected, sort, byTenant, lastBackups]);

  // Fit the fleet to the width at first; zoom from there.
  const tenantCount = result?.tenants ?? 0;
  useEffect(() => {
    if (tenantCount > 0) setCellW(Math.max(1, Math.min(16, Math.floor(1000 / tenantCount))));
  }, [tenantCount]);

  const kinds = useMemo(() => ALL_KINDS.filter((k) => k !== 'shared_table_without_rls' && !hiddenKinds.has(k)), [hiddenKinds]);
  const shared = byTenant.get('') ?? [];

  if (!profile)
    return (
      <div className="page">
        <h1>Tenants</h1>
        <EmptyState title="No connection">
          <p>Add a connection under Settings.</p>
        </EmptyState>
      </div>
    );

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
          <button onClick={() => void verify()} disabled={running || Boolean(demoStarting)}>
            {running ? 'Verifying…' : result ? 'Verify again' : 'Verify all tenants'}
          </button>
        </div>
      </div>
      {error && <ErrorState error={error} onRetry={() => void verify()} />}
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
                <input type="range" min={1} max={24} value={cellW} onChange={(e) => setCellW(Number(e.target.value))} aria-label="Zoom" />
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
            <TenantHeatmap tenants={stats.map((t) => t.name)} byTenant={byTenant} grouping={grouping} cellW={cellW} kinds={kinds} selected={selected} onSelect={setSelected} />
          </div>
          {/* Right above the table whose Back up button caused it, so it is in view. */}
          {backupError && <BackupErrorBanner error={backupError} onClose={() => setBackupError(undefined)} />}
          <div className="tenants-split">
            <div className="card">
              <div className="toolbar">
                <h2>All tenants</h2>
                <input type="search" placeholder="Search tenants…" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search tenants" />
                <span className="muted small-text">{count(stats.length)} shown</span>
              </div>
              <TenantTable rows={stats} sort={sort} onSort={setSort} selected={selected} onSelect={setSelected} lastBackups={lastBackups} onBackupError={setBackupError} />
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

/** The connection's reference (template schema or majority shape) and platform roles, saved per connection. */
function ReferenceSettings() {
  const settings = useTenantsStore((s) => s.settings);
  const save = useTenantsStore((s) => s.saveSettings);
  const [template, setTemplate] = useState(settings.template);
  const [roles, setRoles] = useState(settings.platformRoles.join(', '));
  const [saved, setSaved] = useState(false);
  const [seen, setSeen] = useState(settings);
  if (seen !== settings) {
    // The store loaded (or saved) other settings: show them.
    setSeen(settings);
    setTemplate(settings.template);
    setRoles(settings.platformRoles.join(', '));
  }
  return (
    <details className="small-text reference-settings">
      <summary>reference: {settings.template ? `template ${settings.template}` : 'majority shape'}</summary>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ template, platformRoles: roles.split(',').map((r) => r.trim()).filter(Boolean) }).then(setSaved);
        }}
      >
        <label>
          Template schema (empty: the majority shape of the tenants)
          <input value={template} onChange={(e) => setTemplate(e.target.value)} aria-label="Template schema" maxLength={63} />
        </label>
        <label>
          Platform roles allowed across tenants (comma-separated)
          <input value={roles} onChange={(e) => setRoles(e.target.value)} aria-label="Platform roles" />
        </label>
        <div className="actions">
          <button type="submit">Save</button>
          {saved && <span className="ok-text">Saved; used by the next verification.</span>}
        </div>
      </form>
    </details>
  );
}

function TenantTable(props: { rows: TenantStats[]; sort: { key: SortKey; desc: boolean }; onSort(s: { key: SortKey; desc: boolean }): void; selected: string | undefined; onSelect(t: string): void; lastBackups: FetchedBackups | undefined; onBackupError(e: BackupError | undefined): void }) {
  const { rows, sort, onSort, selected, onSelect, lastBackups } = props;
  const byTenant = useTenantsStore((s) => s.byTenant);
  const parentRef = useRef<HTMLDivElement>(null);
  // The virtualizer re-renders this component itself; nothing memoized depends on its functions.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW_H, overscan: 12 });
  const head = (key: SortKey, label: string) => (
    <button className="th-sort" onClick={() => onSort({ key, desc: sort.key === key ? !sort.desc : key !== 'name' })} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      {label}
      {sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}
    </button>
  );
  if (rows.length === 0) return <p className="muted">No tenant matches.</p>;
  return (
    <div className="vtable" role="table" aria-label="Tenants">
      <div className="vrow vhead" role="row">
        <span role="columnheader">{head('name', 'Tenant')}</span>
        <span role="columnheader">{head('size', 'Size (est.)')}</span>
        <span role="columnheader">{head('rows', 'Rows (est.)')}</span>
        <span role="columnheader">{head('violations', 'Violations')}</span>
        <span role="columnheader">{head('backup', 'Last backup')}</span>
        <span role="columnheader">Backup</span>
      </div>
      <div ref={parentRef} className="vbody" data-testid="tenant-rows">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const t = rows[item.index]!;
            const list = byTenant.get(t.name);
            const w = worst(list);
            return (
              <div key={t.name} role="row" className="vrow" aria-current={t.name === selected} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${item.start}px)` }} onClick={() => onSelect(t.name)}>
                <span role="cell" className="mono ellipsis" title={t.name}>
                  {t.name}
                </span>
                <span role="cell">{bytes(t.sizeBytes)}</span>
                <span role="cell">{count(t.estimatedRows)}</span>
                <span role="cell">{w ? <span className={`badge badge-${w}`}>{list!.length}</span> : <span className="ok-text">0</span>}</span>
                <span role="cell" className="small-text">
                  <LastBackupCell last={lastOf(lastBackups, t.name)} now={lastBackups?.fetchedAt ?? 0} />
                </span>
                <span role="cell">
                  <BackupTenantButton schema={t.name} onError={props.onBackupError} />
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function TenantDetail({ tenant, stats, violations, onBackupError }: { tenant: string; stats: TenantStats | undefined; violations: Violation[]; onBackupError(e: BackupError | undefined): void }) {
  return (
    <div data-testid="tenant-detail">
      <div className="toolbar">
        <h2 className="mono detail-name">{tenant}</h2>
        <BackupTenantButton schema={tenant} onError={onBackupError} />
      </div>
      {stats && (
        <p className="muted small-text">
          owner {stats.owner} · {stats.tables} tables · {bytes(stats.sizeBytes)} · ~{count(stats.estimatedRows)} rows
        </p>
      )}
      {violations.length === 0 ? <p className="ok-text">No violations: this tenant matches the reference shape and nothing crosses its boundary.</p> : <ViolationList violations={violations} />}
    </div>
  );
}

function ViolationList({ violations, collapsed = false }: { violations: Violation[]; collapsed?: boolean }) {
  const [confirming, setConfirming] = useState<Violation | null>(null);
  const [outcome, setOutcome] = useState<Record<string, { ok: boolean; text: string }>>({});
  const key = (v: Violation) => `${v.tenant}|${v.kind}|${v.object ?? ''}`;
  return (
    <ul className="violations">
      {violations.map((v) => (
        <li key={key(v)} className={`violation violation-${v.severity}`}>
          <div>
            <span className={`badge badge-${v.severity}`}>{v.severity}</span> <strong>{v.kind}</strong> <span className="mono">{v.object}</span>
          </div>
          <div className="small-text">{v.detail}</div>
          {v.fixSql && (
            <details open={!collapsed}>
              <summary className="small-text fix-sql-toggle">fix SQL</summary>
              <pre className="mono fix-sql">{v.fixSql}</pre>
              {v.fixLock && <div className="small-text muted fix-lock">Lock: {v.fixLock}</div>}
              <div className="actions">
                <button className="small" onClick={() => void navigator.clipboard?.writeText(v.fixSql!)}>
                  Copy SQL
                </button>
                <button className="small danger" onClick={() => setConfirming(v)}>
                  Run fix…
                </button>
                {outcome[key(v)] && <span className={outcome[key(v)]!.ok ? 'ok-text small-text' : 'error-text small-text'}>{outcome[key(v)]!.text}</span>}
              </div>
            </details>
          )}
        </li>
      ))}
      {confirming && (
        <FixDialog
          violation={confirming}
          onClose={(r) => {
            if (r) setOutcome((o) => ({ ...o, [key(confirming)]: r }));
            setConfirming(null);
          }}
        />
      )}
    </ul>
  );
}

function FixDialog({ violation, onClose }: { violation: Violation; onClose(r?: { ok: boolean; text: string }): void }) {
  const profile = useActiveProfile();
  const fix = useTenantsStore((s) => s.fix);
  const verify = useTenantsStore((s) => s.verify);
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label="Run fix">
      <div className="dialog wide">
        <h2>Run this fix on {profile?.database}?</h2>
        <pre className="mono fix-sql">{violation.fixSql}</pre>
        {violation.fixLock && <p className="small-text fix-lock">Lock: {violation.fixLock}</p>}
        <p className="small-text muted">
          {/CONCURRENTLY/i.test(violation.fixSql ?? '')
            ? 'It runs on the admin connection statement by statement, outside a transaction (CONCURRENTLY cannot run inside one). It is recorded in the fix journal.'
            : 'It runs on the admin connection in one transaction: all of it or nothing. It is recorded in the fix journal.'}
        </p>
        <DangerConfirm
          label="Run fix"
          busyLabel="Running…"
          onCancel={() => onClose()}
          run={async (confirm) => {
            const r = await fix(violation, confirm);
            if (!r.ok) return r.error;
            onClose({ ok: true, text: 'Applied. Verifying again…' });
            void verify();
            return undefined;
          }}
        />
      </div>
    </div>
  );
}
