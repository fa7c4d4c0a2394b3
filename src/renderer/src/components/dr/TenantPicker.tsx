import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';

const ROW_H = 24;

/**
 * Pick tenants from a list that can hold 2,000: searchable, virtualised, keyboard driven (arrows move,
 * Enter or Space toggles). A name not in the list (never verified) can be typed and added.
 */
export function TenantPicker({ tenants, selected, onChange, max = 100 }: { tenants: string[]; selected: string[]; onChange(next: string[]): void; max?: number }) {
  const [search, setSearch] = useState('');
  const [active, setActive] = useState(0);
  const parentRef = useRef<HTMLDivElement>(null);
  const q = search.trim().toLowerCase();
  const rows = useMemo(() => (q ? tenants.filter((t) => t.toLowerCase().includes(q)) : tenants), [tenants, q]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW_H, overscan: 12 });
  const chosen = new Set(selected);
  const toggle = (t: string) => {
    if (chosen.has(t)) onChange(selected.filter((x) => x !== t));
    else if (selected.length < max) onChange([...selected, t]);
  };
  const typed = search.trim();
  const canAdd = typed.length > 0 && typed.length <= 63 && !tenants.includes(typed) && !chosen.has(typed);
  const move = (to: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i);
  };
  return (
    <div className="tenant-picker">
      <input
        type="search"
        placeholder={`Search ${tenants.length} tenants…`}
        value={search}
        aria-label="Search tenants"
        onChange={(e) => {
          setSearch(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            move(active + 1);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            move(active - 1);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            const t = rows[active];
            if (t) toggle(t);
            else if (canAdd) toggle(typed);
          }
        }}
      />
      {canAdd && (
        <button type="button" className="small" onClick={() => toggle(typed)}>
          Add “{typed}”
        </button>
      )}
      <div ref={parentRef} className="picker-body" role="listbox" aria-label="Tenants" aria-multiselectable="true">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const t = rows[item.index]!;
            return (
              <div
                key={t}
                role="option"
                aria-selected={chosen.has(t)}
                className={`picker-row mono${item.index === active ? ' active' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${item.start}px)` }}
                onClick={() => {
                  setActive(item.index);
                  toggle(t);
                }}
              >
                <input type="checkbox" tabIndex={-1} readOnly checked={chosen.has(t)} aria-hidden="true" /> {t}
              </div>
            );
          })}
        </div>
        {rows.length === 0 && <p className="muted small-text">{tenants.length ? 'No tenant matches.' : 'No tenant list yet: type a schema name and add it.'}</p>}
      </div>
      <div className="small-text muted">
        {selected.length ? (
          <>
            Chosen: <span className="mono">{selected.join(', ')}</span>{' '}
            <button type="button" className="link" onClick={() => onChange([])}>
              clear
            </button>
          </>
        ) : (
          'None chosen.'
        )}
      </div>
    </div>
  );
}
