import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { CheckId, Finding } from '../../../../shared/domain/health';
import { useExactBloat, useFindings, type FindingSort } from '../../api/health';
import { errorText } from '../../bridge';
import { EmptyState, ErrorState } from '../States';

const COLUMNS: { key: FindingSort; label: string; width: string }[] = [
  { key: 'severity', label: 'Severity', width: '84px' },
  { key: 'object', label: 'Object', width: '30%' },
  { key: 'tenant', label: 'Tenant', width: '18%' },
  { key: 'message', label: 'Message', width: 'auto' },
];
const ROW_PX = 30;

/**
 * The findings of one check: server-paged (100 a page, cursor), sorted and filtered by tenant on the
 * server, virtualised here so thousands of rows stay smooth. Rows load as the list scrolls.
 */
export function FindingsTable({ checkId, checkedAt }: { checkId: CheckId; checkedAt?: string }) {
  const [sort, setSort] = useState<FindingSort>('severity');
  const [dir, setDir] = useState<'asc' | 'desc'>('desc');
  const [tenant, setTenant] = useState('');
  const [selected, setSelected] = useState<Finding>();
  const parent = useRef<HTMLDivElement>(null);
  const findings = useFindings({ checkId, sort, dir, ...(tenant.trim() ? { tenant: tenant.trim() } : {}) });
  const pages = findings.data?.pages ?? [];
  const rows = pages.flatMap((p) => p.findings);
  const total = pages.at(-1)?.total ?? 0;
  const { error, hasNextPage, isFetching, fetchNextPage, refetch } = findings;

  useEffect(() => {
    setSelected(undefined);
  }, [checkId, sort, dir, tenant, checkedAt]);

  // The virtualizer is mutable by design; this component does not rely on memoising it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW_PX, overscan: 12 });
  const items = virtual.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && hasNextPage && !isFetching && last.index >= rows.length - 20) void fetchNextPage();
  }, [last, hasNextPage, isFetching, rows.length, fetchNextPage]);

  const sortBy = (key: FindingSort) => {
    if (key === sort) setDir(dir === 'asc' ? 'desc' : 'asc');
    else {
      setSort(key);
      setDir(key === 'severity' ? 'desc' : 'asc');
    }
  };

  return (
    <div className="health-findings">
      <div className="hf-bar">
        <input aria-label="Filter by tenant" placeholder="Filter by tenant…" value={tenant} onChange={(e) => setTenant(e.target.value)} />
        <span className="muted small-text">{total} findings{tenant ? ` matching “${tenant}”` : ''}</span>
        <span className="spacer" />
        <button onClick={() => sortBy('value')} aria-pressed={sort === 'value'} title="Sort by the figure that matters most (wasted bytes, usage, time…)">
          Sort by size/value {sort === 'value' ? (dir === 'asc' ? '▲' : '▼') : ''}
        </button>
      </div>
      {error && <ErrorState error={error} onRetry={() => void refetch()} />}
      <div className="hf-head" role="row">
        {COLUMNS.map((c) => (
          <button key={c.key} role="columnheader" style={{ flexBasis: c.width, flexGrow: c.width === 'auto' ? 1 : 0 }} onClick={() => sortBy(c.key)} aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
            {c.label} {sort === c.key ? (dir === 'asc' ? '▲' : '▼') : ''}
          </button>
        ))}
      </div>
      {rows.length === 0 && !error ? (
        <EmptyState title={tenant ? 'No finding for that tenant' : 'No findings'}>
          <p>{tenant ? 'Clear the filter to see all findings of this check.' : 'This check found nothing to report.'}</p>
        </EmptyState>
      ) : (
        <div ref={parent} className="hf-body" role="table" aria-label="Findings" aria-rowcount={total}>
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const f = rows[item.index]!;
              return (
                <div key={item.key} role="row" className="hf-row" aria-selected={selected === f} style={{ transform: `translateY(${item.start}px)`, height: ROW_PX }} onClick={() => setSelected(f)}>
                  <span style={{ flexBasis: '84px' }}><span className={`hsev hsev-${f.severity}`}>{f.severity}</span></span>
                  <span className="mono" style={{ flexBasis: '30%' }} title={f.object}>{f.object ?? '–'}</span>
                  <span className="mono" style={{ flexBasis: '18%' }} title={f.tenant}>{f.tenant ?? ''}</span>
                  <span style={{ flexGrow: 1 }} title={f.message}>{f.message}</span>
                </div>
              );
            })}
          </div>
        </div>
      )}
      {selected && <FindingDetail checkId={checkId} finding={selected} onClose={() => setSelected(undefined)} />}
    </div>
  );
}

function FindingDetail({ checkId, finding, onClose }: { checkId: CheckId; finding: Finding; onClose: () => void }) {
  const [note, setNote] = useState<string>();
  const exactBloat = useExactBloat();
  const fix = (finding.data as { fixSql?: string } | undefined)?.fixSql;
  return (
    <div className="card finding-detail">
      <div className="page-head">
        <strong className="mono">{finding.object ?? 'Finding'}</strong>
        <span className="spacer" />
        {checkId === 'table_bloat' && finding.object && (
          <button
            onClick={() =>
              void exactBloat.mutateAsync({ object: finding.object! }).then(
                () => setNote('Measuring with pgstattuple: the result appears in the task tray.'),
                (err: unknown) => setNote(errorText(err).message),
              )
            }
          >
            Measure exactly (pgstattuple)
          </button>
        )}
        <button onClick={onClose}>Close</button>
      </div>
      <p>{finding.message}</p>
      {note && <div className="notice">{note}</div>}
      {fix && (
        <p>
          Suggested fix (review first): <code className="mono">{fix}</code>
        </p>
      )}
      {finding.data && <pre className="mono sql">{JSON.stringify(finding.data, null, 2)}</pre>}
    </div>
  );
}
