import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { VIOLATION_KINDS, type Violation, type ViolationKind } from '../../../../shared/domain/tenants';
import { columnsOf, fitToWidth, hitTest, layoutHeatmap, MIN_MARK, paintRows, zoomed, type Grouping, type HeatColumn } from '../../../../shared/heatmap';

export type { Grouping } from '../../../../shared/heatmap';

const ROW_H = 14;
const LABEL_W = 200;
const HEAD_H = 16;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * Tenants × checks on one canvas, drawn only for the visible slice, so 10,000 tenants stay fluid:
 * columns are tenants (grouped by worst severity or by initial), rows are violation kinds. Zoom 0 fits
 * the fleet to the width (clean tenants share pixels, a violating one keeps a visible mark); above that
 * it is px per tenant. Hover names the cell; a click selects the tenant. Memoised: a keystroke in the
 * page's search does not redraw it until the deferred filter has run.
 */
export const TenantHeatmap = memo(function TenantHeatmap(props: {
  tenants: string[];
  byTenant: Map<string, Violation[]>;
  grouping: Grouping;
  /** 0: fit to the width; else CSS px per tenant. */
  zoom: number;
  kinds: readonly ViolationKind[];
  selected?: string | undefined;
  onSelect(tenant: string): void;
}) {
  const { tenants, byTenant, grouping, zoom, kinds, selected, onSelect } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null);

  const cols = useMemo(() => columnsOf(tenants, byTenant, grouping), [tenants, byTenant, grouping]);
  const spacing = useMemo(() => (zoom > 0 ? zoomed(zoom) : fitToWidth(cols, width)), [cols, zoom, width]);
  const layout = useMemo(() => layoutHeatmap(cols, spacing), [cols, spacing]);

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
    const colours = { text: cssVar('--muted'), accent: cssVar('--accent') };
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = colours.text;
    for (const g of layout.groups) {
      const gx = g.x - scrollLeft;
      const gend = g.end - scrollLeft;
      if (gx > w || gend < 0) continue;
      // A label that does not fit the visible part of its group is shortened, then left out, rather than
      // overlap the next one.
      const left = Math.max(gx, 0);
      const room = Math.min(gend, w) - left + spacing.gap - 4;
      const label = [`${g.label} (${g.n})`, g.label, g.label[0] ?? ''].find((l) => ctx.measureText(l).width <= room);
      if (label) ctx.fillText(label, left + 1, 11);
    }
    // Cells in device pixels, each the worst state of the tenants it covers: runs of one state are one rect.
    const fills = [cssVar('--grid'), cssVar('--c-warn'), cssVar('--c-fail')];
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    paintRows(layout, kinds, scrollLeft, w, dpr, spacing.cellW).forEach((row, r) => {
      const y = Math.round((HEAD_H + r * ROW_H) * dpr);
      const h = Math.round((ROW_H - 1) * dpr);
      let start = 0;
      for (let b = 1; b <= row.length; b++) {
        if (b < row.length && row[b] === row[start]) continue;
        const state = row[start]!;
        if (state >= 0) {
          ctx.fillStyle = fills[state]!;
          ctx.fillRect(start, y, b - start, h);
        }
        start = b;
      }
    });
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const i = selected === undefined ? -1 : layout.cols.findIndex((c) => c.tenant === selected);
    if (i >= 0) {
      // Around the column, not over it: a 2 px mark keeps its colours when selected.
      ctx.strokeStyle = colours.accent;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(layout.xs[i]! - scrollLeft - 1.5, HEAD_H - 1.5, layout.ws[i]! + 3, kinds.length * ROW_H + 2);
    }
  }, [layout, spacing, scrollLeft, width, height, kinds, selected]);

  function at(clientX: number, clientY: number): { col?: HeatColumn; shared: number; kind?: ViolationKind } {
    const rect = canvasRef.current!.getBoundingClientRect();
    const r = Math.floor((clientY - rect.top - HEAD_H) / ROW_H);
    const kind = r >= 0 && r < kinds.length ? kinds[r] : undefined;
    // Zoomed out, a mark 2 px wide is hit from a pixel or two away.
    const hit = hitTest(layout, clientX - rect.left + scrollLeft, spacing.cellW < MIN_MARK ? 2 : 0, kind);
    return { ...(hit ? { col: hit.col } : {}), shared: hit?.shared ?? 0, ...(kind ? { kind } : {}) };
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
            const { col, shared, kind } = at(e.clientX, e.clientY);
            if (!col) return setHover(null);
            const c = kind ? col.counts[kind] : undefined;
            const where = shared > 1 ? ` (1 of ${shared} tenants here: zoom in for the others)` : '';
            setHover({ x: e.clientX, y: e.clientY, text: `${col.tenant}${kind ? ` · ${kind}: ${c ? `${c.n} violation${c.n === 1 ? '' : 's'}` : 'ok'}` : ''}${where}` });
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
});

export const ALL_KINDS = VIOLATION_KINDS;
