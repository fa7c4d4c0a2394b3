import { describe, expect, it } from 'vitest';
import { VIOLATION_KINDS, type Violation } from '../../src/shared/domain/tenants';
import { cellState, columnsOf, fitToWidth, hitTest, layoutHeatmap, MIN_MARK, paintRows, zoomed, type Grouping, type HeatColumn, type HeatLayout } from '../../src/shared/heatmap';

const WIDTH = 1040; // CSS px of the canvas on a 1440 px window
const INITIALS = 'abcdefghijklmnopqrstuvwxyz';

/** n tenants named over 26 initials; every `every`-th has a violation in one of the kinds, alternately a warning and critical. */
function fleet(n: number, every: number): { tenants: string[]; byTenant: Map<string, Violation[]> } {
  const tenants: string[] = [];
  const byTenant = new Map<string, Violation[]>();
  for (let i = 0; i < n; i++) {
    const t = `org_${INITIALS[i % 26]}_${String(i).padStart(5, '0')}`;
    tenants.push(t);
    if (i % every === every - 1) {
      const kind = VIOLATION_KINDS[i % VIOLATION_KINDS.length]!;
      byTenant.set(t, [{ tenant: t, kind, detail: 'planted', severity: Math.floor(i / every) % 2 ? 'critical' : 'warn' }]);
    }
  }
  // In name order, as the page passes them.
  return { tenants: tenants.sort(), byTenant };
}

const v = (tenant: string, kind: Violation['kind'], severity: Violation['severity']): Violation => ({ tenant, kind, detail: 'planted', severity });

/** For each violating tenant and kind: how many device pixels of its columns are painted with its state or worse. */
function markPixels(layout: HeatLayout, dpr: number, cellW: number): { col: HeatColumn; pixels: number }[] {
  const rows = paintRows(layout, VIOLATION_KINDS, 0, WIDTH, dpr, cellW);
  const out: { col: HeatColumn; pixels: number }[] = [];
  layout.cols.forEach((col, i) => {
    if (col.worst === 0) return;
    VIOLATION_KINDS.forEach((kind, r) => {
      const state = cellState(col, kind);
      if (state === 0) return;
      const b0 = Math.floor(layout.xs[i]! * dpr);
      const b1 = Math.max(b0 + 1, Math.ceil((layout.xs[i]! + layout.ws[i]!) * dpr));
      let pixels = 0;
      for (let b = b0; b < b1; b++) if (rows[r]![b]! >= state) pixels++;
      out.push({ col, pixels });
    });
  });
  return out;
}

describe('heatmap layout at 10,000 tenants', () => {
  for (const grouping of ['severity', 'name'] as Grouping[]) {
    it(`fits 10,000 tenants to the width, grouped by ${grouping}, each violating one a mark of at least ${MIN_MARK} px`, () => {
      const { tenants, byTenant } = fleet(10_000, 250);
      const cols = columnsOf(tenants, byTenant, grouping);
      const spacing = fitToWidth(cols, WIDTH);
      const layout = layoutHeatmap(cols, spacing);
      expect(layout.total).toBeLessThanOrEqual(WIDTH + 1e-6);
      expect(layout.groups.length).toBe(grouping === 'severity' ? 3 : 26);
      const marked = cols.filter((c) => c.worst > 0);
      expect(marked).toHaveLength(40);
      for (const i of cols.keys()) if (cols[i]!.worst > 0) expect(layout.ws[i]).toBeGreaterThanOrEqual(MIN_MARK);
      for (const dpr of [1, 2]) {
        const marks = markPixels(layout, dpr, spacing.cellW);
        expect(marks).toHaveLength(40);
        for (const m of marks) expect(m.pixels, `${m.col.tenant} at dpr ${dpr}`).toBeGreaterThanOrEqual(MIN_MARK * dpr);
      }
    });
  }

  it('orders by worst severity (critical first, then warnings, then clean) or by initial, by name within a group', () => {
    const { tenants, byTenant } = fleet(10_000, 250);
    const cols = columnsOf(tenants, byTenant, 'severity');
    expect(cols.map((c) => c.group).filter((g, i, all) => g !== all[i - 1])).toEqual(['critical', 'warnings', 'clean']);
    expect(cols.slice(0, 20).every((c) => c.worst === 2)).toBe(true);
    expect(cols.slice(40).map((c) => c.tenant)).toEqual(tenants.filter((t) => !byTenant.has(t)));
    const byInitial = columnsOf([...tenants].reverse(), byTenant, 'name');
    expect(byInitial.map((c) => c.group).filter((g, i, all) => g !== all[i - 1])).toEqual([...INITIALS.toUpperCase()]);
  });

  it('keeps every violation on a device pixel even when most tenants violate and none can have its own mark', () => {
    const { tenants, byTenant } = fleet(10_000, 2);
    const cols = columnsOf(tenants, byTenant, 'name');
    const spacing = fitToWidth(cols, WIDTH);
    const layout = layoutHeatmap(cols, spacing);
    expect(layout.total).toBeLessThanOrEqual(WIDTH + 1e-6);
    const marks = markPixels(layout, 1, spacing.cellW);
    expect(marks).toHaveLength(5_000);
    for (const m of marks) expect(m.pixels, m.col.tenant).toBeGreaterThanOrEqual(1);
  });

  it('hovers and clicks the violating tenant of a pixel shared with clean ones, from a pixel away', () => {
    const { tenants, byTenant } = fleet(10_000, 250);
    const cols = columnsOf(tenants, byTenant, 'name');
    const layout = layoutHeatmap(cols, fitToWidth(cols, WIDTH));
    for (const i of cols.keys()) {
      if (cols[i]!.worst === 0) continue;
      for (const dx of [-1, 0.5, layout.ws[i]! + 1]) expect(hitTest(layout, layout.xs[i]! + dx, 2)?.col.tenant).toBe(cols[i]!.tenant);
    }
    // Two marks within reach: the row hovered decides which tenant is named.
    const near = layoutHeatmap(columnsOf(['org_a', 'org_b', 'org_c'], new Map([['org_a', [v('org_a', 'missing_table', 'critical')]], ['org_b', [v('org_b', 'extra_table', 'warn')]]]), 'severity'), { cellW: 0.1, minMark: 2, gap: 0 });
    expect(hitTest(near, 2.5, 2, 'extra_table')?.col.tenant).toBe('org_b');
    expect(hitTest(near, 2.5, 2, 'missing_table')?.col.tenant).toBe('org_a');
    // A clean stretch is a pixel of several tenants, one of which is named.
    const i = cols.findIndex((_, j) => j > 40 && cols.slice(j - 40, j + 40).every((c) => c.worst === 0));
    const clean = hitTest(layout, layout.xs[i]!);
    expect(clean?.col.worst).toBe(0);
    expect(clean?.shared).toBeGreaterThan(1);
  });

  it('zoomed in, every tenant has its whole pixels and the canvas paints only what is in view', () => {
    const { tenants, byTenant } = fleet(10_000, 250);
    const cols = columnsOf(tenants, byTenant, 'severity');
    const layout = layoutHeatmap(cols, zoomed(6));
    expect(layout.total).toBe(10_000 * 6 + 2 * 8);
    const rows = paintRows(layout, VIOLATION_KINDS, 30_000, WIDTH, 1, 6);
    expect(rows[0]).toHaveLength(WIDTH);
    // 6 px cells with a 1 px grid line: 5 painted, 1 free.
    expect(Array.from(rows[0]!.slice(0, 12)).filter((s) => s === -1)).toHaveLength(2);
  });
});
