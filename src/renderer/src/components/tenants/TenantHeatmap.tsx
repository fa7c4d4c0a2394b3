import { useEffect, useMemo, useRef, useState } from 'react';
import { VIOLATION_KINDS, type Violation, type ViolationKind } from '../../../../shared/domain/tenants';
import { SEVERITY_RANK } from '../../../../shared/vocabulary';

export type Grouping = 'severity' | 'name';

interface Column {
  tenant: string;
  group: string;
  counts: Partial<Record<ViolationKind, { n: number; critical: boolean }>>;
}

const ROW_H = 14;
const LABEL_W = 200;
const GROUP_GAP = 8;
const HEAD_H = 16;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * Tenants × checks on one canvas, drawn only for the visible slice, so 2,000+ tenants stay fluid:
 * columns are tenants (grouped by worst severity or by initial), rows are violation kinds. Zoom sets the
 * cell width; hover names the cell; a click selects the tenant.
 */
export function TenantHeatmap(props: {
  tenants: string[];
  byTenant: Map<string, Violation[]>;
  grouping: Grouping;
  cellW: number;
  kinds: readonly ViolationKind[];
  selected?: string | undefined;
  onSelect(tenant: string): void;
}) {
  const { tenants, byTenant, grouping, cellW, kinds, selected, onSelect } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null);

  // Columns in display order with their x positions (groups separated by a gap).
  const layout = useMemo(() => {
    const cols: Column[] = tenants.map((tenant) => {
      const counts: Column['counts'] = {};
      let worst = 0;
      for (const v of byTenant.get(tenant) ?? []) {
        const c = (counts[v.kind] ??= { n: 0, critical: false });
        c.n++;
        if (v.severity === 'critical') c.critical = true;
        worst = Math.max(worst, SEVERITY_RANK[v.severity]);
      }
      const group = grouping === 'severity' ? (['clean', 'warnings', 'critical'][worst] ?? 'clean') : (tenant.replace(/^[a-z]+_/, '')[0] ?? '?').toUpperCase();
      return { tenant, group, counts };
    });
    const order = grouping === 'severity' ? ['critical', 'warnings', 'clean'] : null;
    cols.sort((a, b) => (order ? order.indexOf(a.group) - order.indexOf(b.group) : a.group.localeCompare(b.group)) || a.tenant.localeCompare(b.tenant));
    const xs: number[] = [];
    const ws: number[] = [];
    const groups: { label: string; x: number; n: number; end: number }[] = [];
    let x = 0;
    cols.forEach((c, i) => {
      if (i === 0 || c.group !== cols[i - 1]!.group) {
        if (i > 0) x += GROUP_GAP;
        groups.push({ label: c.group, x, n: 0, end: x });
      }
      const g = groups[groups.length - 1]!;
      g.n++;
      xs.push(x);
      // Fully zoomed out, a tenant with violations keeps 3 px so that one stays visible among 2,000.
      const w = Object.keys(c.counts).length > 0 ? Math.max(cellW, 3) : cellW;
      ws.push(w);
      x += w;
      g.end = x;
    });
    return { cols, xs, ws, groups, total: x };
  }, [tenants, byTenant, grouping, cellW]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const height = HEAD_H + kinds.length * ROW_H;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(0, width);
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, height);
    const colours = { clean: cssVar('--grid'), warn: cssVar('--c-warn'), fail: cssVar('--c-fail'), text: cssVar('--muted'), accent: cssVar('--accent') };
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = colours.text;
    for (const g of layout.groups) {
      const gx = g.x - scrollLeft;
      const gend = g.end - scrollLeft;
      if (gx > w || gend < 0) continue;
      // A label that does not fit the visible part of its group is shortened, then left out, rather than
      // overlap the next one.
      const left = Math.max(gx, 0);
      const room = Math.min(gend, w) - left + GROUP_GAP - 4;
      const label = [`${g.label} (${g.n})`, g.label, g.label[0] ?? ''].find((l) => ctx.measureText(l).width <= room);
      if (label) ctx.fillText(label, left + 1, 11);
    }
    // Binary search the first visible column: only the visible slice is drawn.
    let lo = 0;
    let hi = layout.cols.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (layout.xs[mid]! + layout.ws[mid]! < scrollLeft) lo = mid + 1;
      else hi = mid;
    }
    const gap = cellW >= 4 ? 1 : 0;
    for (let i = lo; i < layout.cols.length; i++) {
      const x = layout.xs[i]! - scrollLeft;
      if (x > w) break;
      const col = layout.cols[i]!;
      const cw = layout.ws[i]!;
      kinds.forEach((kind, r) => {
        const c = col.counts[kind];
        ctx.fillStyle = !c ? colours.clean : c.critical ? colours.fail : colours.warn;
        ctx.fillRect(x, HEAD_H + r * ROW_H, cw - gap, ROW_H - 1);
      });
      if (col.tenant === selected) {
        ctx.strokeStyle = colours.accent;
        ctx.lineWidth = 2;
        ctx.strokeRect(x, HEAD_H, Math.max(cw - gap, 2), kinds.length * ROW_H);
      }
    }
  }, [layout, scrollLeft, width, height, kinds, cellW, selected]);

  function at(clientX: number, clientY: number): { col?: Column; kind?: ViolationKind } {
    const rect = canvasRef.current!.getBoundingClientRect();
    const x = clientX - rect.left + scrollLeft;
    const r = Math.floor((clientY - rect.top - HEAD_H) / ROW_H);
    let lo = 0;
    let hi = layout.cols.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (layout.xs[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    const xi = layout.xs[lo];
    const col = xi !== undefined && x >= xi && x < xi + layout.ws[lo]! ? layout.cols[lo] : undefined;
    return { ...(col ? { col } : {}), ...(r >= 0 && r < kinds.length ? { kind: kinds[r]! } : {}) };
  }

  return (
    <div className="heatmap" data-testid="tenant-heatmap">
      <div className="heatmap-body">
        <div className="heatmap-labels" style={{ width: LABEL_W, paddingTop: HEAD_H }}>
          {kinds.map((k) => (
            <div key={k} style={{ height: ROW_H }} className="heatmap-label mono">
              {k}
            </div>
          ))}
        </div>
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={`Heatmap of ${layout.cols.length} tenants by ${kinds.length} checks`}
          onMouseMove={(e) => {
            const { col, kind } = at(e.clientX, e.clientY);
            if (!col) return setHover(null);
            const c = kind ? col.counts[kind] : undefined;
            setHover({ x: e.clientX, y: e.clientY, text: `${col.tenant}${kind ? ` · ${kind}: ${c ? `${c.n} violation${c.n === 1 ? '' : 's'}` : 'ok'}` : ''}` });
          }}
          onMouseLeave={() => setHover(null)}
          onClick={(e) => {
            const { col } = at(e.clientX, e.clientY);
            if (col) onSelect(col.tenant);
          }}
        />
      </div>
      <div ref={scrollRef} className="heatmap-scroll" style={{ marginLeft: LABEL_W }} onScroll={(e) => setScrollLeft(e.currentTarget.scrollLeft)}>
        <div style={{ width: layout.total, height: 1 }} />
      </div>
      {hover && (
        <div className="heatmap-tip" style={{ left: hover.x + 12, top: hover.y + 12 }}>
          {hover.text}
        </div>
      )}
    </div>
  );
}

export const ALL_KINDS = VIOLATION_KINDS;
