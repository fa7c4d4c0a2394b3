import type { Violation, ViolationKind } from './domain/tenants';
import { byName } from './format';

/**
 * The Tenants page heatmap's geometry, apart from its canvas so that it can be tested with 10,000 synthetic tenants:
 * columns (tenants) in display order, their x and width in CSS pixels (fractional when zoomed out), and
 * the cell states per device pixel that the canvas paints.
 */

export type Grouping = 'severity' | 'name';

/** A cell's state: 0 clean, 1 warning, 2 critical. */
export type CellState = 0 | 1 | 2;

export interface HeatColumn {
  tenant: string;
  group: string;
  /** The tenant's worst cell. */
  worst: CellState;
  counts: Partial<Record<ViolationKind, { n: number; critical: boolean }>>;
}

export interface HeatGroup {
  label: string;
  x: number;
  end: number;
  n: number;
}

export interface HeatLayout {
  cols: HeatColumn[];
  xs: Float64Array;
  ws: Float64Array;
  groups: HeatGroup[];
  total: number;
}

export interface Spacing {
  /** CSS px per tenant; below 1 when the fleet is fitted to the width. */
  cellW: number;
  /** CSS px a tenant with a violation never goes below. */
  minMark: number;
  /** CSS px between groups. */
  gap: number;
}

export const GROUP_GAP = 8;
/** A violating tenant's least width: 2 CSS px is 2 to 4 device pixels, a mark the eye finds among 10,000. */
export const MIN_MARK = 2;
/** Fitted to the width, a small fleet's cells grow no wider than this. */
export const MAX_FIT_W = 16;

const GROUP_ORDER = ['critical', 'warnings', 'clean'];

/**
 * Tenants as columns, in display order: by worst severity (critical first) or by initial, each group in
 * the order given (pass the tenants sorted by name). Grouping is one pass, not a sort of 10,000 names.
 */
export function columnsOf(tenants: readonly string[], byTenant: ReadonlyMap<string, Violation[]>, grouping: Grouping): HeatColumn[] {
  const groups = new Map<string, HeatColumn[]>(grouping === 'severity' ? GROUP_ORDER.map((g) => [g, []]) : []);
  for (const tenant of tenants) {
    const counts: HeatColumn['counts'] = {};
    let worst: CellState = 0;
    for (const v of byTenant.get(tenant) ?? []) {
      const c = (counts[v.kind] ??= { n: 0, critical: false });
      c.n++;
      if (v.severity === 'critical') c.critical = true;
      worst = Math.max(worst, c.critical ? 2 : 1) as CellState;
    }
    const group = grouping === 'severity' ? GROUP_ORDER[2 - worst]! : (tenant.replace(/^[a-z]+_/, '')[0] ?? '?').toUpperCase();
    let list = groups.get(group);
    if (!list) groups.set(group, (list = []));
    list.push({ tenant, group, worst, counts });
  }
  const order = grouping === 'severity' ? GROUP_ORDER : [...groups.keys()].sort(byName);
  return order.flatMap((g) => groups.get(g) ?? []);
}

/** How many groups the columns fall into (they are sorted, so a group is a run). */
function groupCount(cols: readonly HeatColumn[]): number {
  let n = 0;
  cols.forEach((c, i) => {
    if (i === 0 || c.group !== cols[i - 1]!.group) n++;
  });
  return n;
}

/**
 * Spacing that fits every column into `width`: clean tenants share what violating ones (at least
 * MIN_MARK each) leave. Should even the violating ones not fit at MIN_MARK, all columns get the same
 * width and the device-pixel painting keeps each violation visible as the worst state of its pixel.
 */
export function fitToWidth(cols: readonly HeatColumn[], width: number): Spacing {
  const groups = groupCount(cols);
  // Gaps take at most a quarter of the width, however many initials there are.
  const gap = groups > 1 ? Math.min(GROUP_GAP, width / 4 / (groups - 1)) : 0;
  const room = Math.max(1, width - gap * Math.max(0, groups - 1));
  const n = cols.length;
  if (n === 0) return { cellW: MAX_FIT_W, minMark: MIN_MARK, gap };
  const even = room / n;
  if (even >= MIN_MARK) return { cellW: Math.min(MAX_FIT_W, even), minMark: MIN_MARK, gap };
  const marked = cols.filter((c) => c.worst > 0).length;
  if (marked < n && marked * MIN_MARK < room) return { cellW: (room - marked * MIN_MARK) / (n - marked), minMark: MIN_MARK, gap };
  return { cellW: even, minMark: even, gap };
}

/** Zoomed in: whole pixels per tenant, violating ones never under 3 px. */
export function zoomed(cellW: number): Spacing {
  return { cellW, minMark: Math.max(cellW, 3), gap: GROUP_GAP };
}

/** Columns with their x positions (groups separated by the gap) and widths. */
export function layoutHeatmap(cols: HeatColumn[], s: Spacing): HeatLayout {
  const xs = new Float64Array(cols.length);
  const ws = new Float64Array(cols.length);
  const groups: HeatGroup[] = [];
  let x = 0;
  cols.forEach((c, i) => {
    if (i === 0 || c.group !== cols[i - 1]!.group) {
      if (i > 0) x += s.gap;
      groups.push({ label: c.group, x, n: 0, end: x });
    }
    const g = groups[groups.length - 1]!;
    g.n++;
    xs[i] = x;
    ws[i] = c.worst > 0 ? Math.max(s.cellW, s.minMark) : s.cellW;
    x += ws[i]!;
    g.end = x;
  });
  return { cols, xs, ws, groups, total: x };
}

/** The first column whose right edge is past x (binary search; columns are in x order). */
export function firstAt(layout: HeatLayout, x: number): number {
  let lo = 0;
  let hi = layout.cols.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (layout.xs[mid]! + layout.ws[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The tenant under CSS x (scrolled), and how many share that pixel (± slop px): the worst of them in the
 * hovered row (then overall, then the nearest), so that a violation drawn on a pixel shared with clean
 * tenants is the one hovered and clicked, and a 2 px mark among 10,000 tenants need not be hit exactly.
 */
export function hitTest(layout: HeatLayout, x: number, slop = 0, kind?: ViolationKind): { col: HeatColumn; shared: number } | undefined {
  const px = Math.floor(x);
  let best: { col: HeatColumn; score: number } | undefined;
  let shared = 0;
  for (let i = firstAt(layout, px - slop); i < layout.cols.length && layout.xs[i]! < px + 1 + slop; i++) {
    const col = layout.cols[i]!;
    shared++;
    const distance = Math.max(0, layout.xs[i]! - x, x - (layout.xs[i]! + layout.ws[i]!));
    const score = (kind ? cellState(col, kind) : 0) * 100 + col.worst * 10 - distance;
    if (!best || score > best.score) best = { col, score };
  }
  return best && { col: best.col, shared };
}

/** The state of one cell. */
export function cellState(col: HeatColumn, kind: ViolationKind): CellState {
  const c = col.counts[kind];
  return !c ? 0 : c.critical ? 2 : 1;
}

/**
 * What the canvas paints for the visible slice, one row per kind: for each device pixel the worst state
 * of the columns it touches (-1: no column, a group gap). Every column covers at least one device pixel,
 * so no violation disappears into a pixel shared with clean tenants. Zoomed in (cells ≥ 4 px) a cell
 * leaves one CSS px free on its right, as a grid line.
 */
export function paintRows(layout: HeatLayout, kinds: readonly ViolationKind[], scrollLeft: number, width: number, dpr: number, cellW: number): Int8Array[] {
  const bins = Math.max(0, Math.ceil(width * dpr));
  const gridLine = cellW >= 4 ? dpr : 0;
  // First where any column is (clean, 0), the same for every row; then the violating columns on top.
  const covered = new Int8Array(bins).fill(-1);
  const marked: { col: HeatColumn; b0: number; b1: number }[] = [];
  for (let i = firstAt(layout, scrollLeft); i < layout.cols.length; i++) {
    const b0 = Math.floor((layout.xs[i]! - scrollLeft) * dpr);
    if (b0 >= bins) break;
    const b1 = Math.min(bins, Math.max(b0 + 1, Math.ceil((layout.xs[i]! + layout.ws[i]! - scrollLeft) * dpr) - gridLine));
    covered.fill(0, Math.max(0, b0), b1);
    if (layout.cols[i]!.worst > 0) marked.push({ col: layout.cols[i]!, b0: Math.max(0, b0), b1 });
  }
  return kinds.map((kind) => {
    const row = covered.slice();
    for (const { col, b0, b1 } of marked) {
      const state = cellState(col, kind);
      for (let b = b0; b < b1; b++) if (row[b]! < state) row[b] = state;
    }
    return row;
  });
}
