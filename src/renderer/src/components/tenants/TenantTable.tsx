import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef } from 'react';
import type { LastBackup, LastBackups } from '../../../../shared/domain/backups';
import type { TenantStats, Violation } from '../../../../shared/domain/tenants';
import { useLastBackups } from '../../api/backups';
import { bytes, count, duration } from '../../format';
import { BackupTenantButton, type BackupError } from './BackupTenantButton';

export type SortKey = 'name' | 'size' | 'rows' | 'violations' | 'backup';

/**
 * The newest backup of every tenant (the achieved RPO), read from the backup catalog; read again
 * whenever a backup finishes. No backup destination yet is simply "none".
 */
export type FetchedBackups = LastBackups & { fetchedAt: number };

export function useLastBackupsOf(connectionId: string): FetchedBackups | undefined {
  const { data, dataUpdatedAt, isError } = useLastBackups(connectionId);
  return useMemo(() => (data && !isError ? { ...data, fetchedAt: dataUpdatedAt } : undefined), [data, dataUpdatedAt, isError]);
}

export function lastOf(last: LastBackups | undefined, tenant: string): LastBackup | undefined {
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

export function worst(list: Violation[] | undefined): 'critical' | 'warn' | null {
  if (!list?.length) return null;
  return list.some((v) => v.severity === 'critical') ? 'critical' : 'warn';
}

/** Every tenant, virtualised: size, rows, violations, the last backup and a one-click backup. Memoised like the heatmap. */
export const TenantTable = memo(function TenantTable(props: { rows: TenantStats[]; byTenant: Map<string, Violation[]>; sort: { key: SortKey; desc: boolean }; onSort(s: { key: SortKey; desc: boolean }): void; selected: string | undefined; onSelect(t: string): void; lastBackups: FetchedBackups | undefined; onBackupError(e: BackupError | undefined): void }) {
  const { rows, byTenant, sort, onSort, selected, onSelect, lastBackups } = props;
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
});
