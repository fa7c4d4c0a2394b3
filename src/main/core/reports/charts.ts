/**
 * Charts as a few vector shapes in a box of the chart's own units, so that the HTML (inline SVG) and the
 * PDF (pdfkit paths) draw exactly the same picture from one piece of layout code.
 */

export type Shape =
  | { t: 'rect'; x: number; y: number; w: number; h: number; fill: string }
  | { t: 'line'; points: Array<[number, number]>; stroke: string; width: number; dash?: boolean }
  | { t: 'text'; x: number; y: number; text: string; size: number; anchor: 'start' | 'middle' | 'end'; fill: string };

export interface Chart {
  title: string;
  width: number;
  height: number;
  shapes: Shape[];
  /** Colour key under the chart. */
  legend?: Array<{ label: string; color: string }>;
}

export const COLORS = { critical: '#c0392b', warn: '#d68910', info: '#7f8c8d', ok: '#1e8449', bar: '#2e86c1', grid: '#d5d8dc', text: '#2c3e50', target: '#8e44ad' } as const;

const W = 520;
const LEFT = 150;
const RIGHT = 60;

/** Shorten a label to about n characters (the chart's column is fixed). */
function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Horizontal stacked bars: one row per label, one segment per series. */
export function stackedBars(title: string, rows: Array<{ label: string; values: number[] }>, series: Array<{ label: string; color: string }>, format: (v: number) => string = String): Chart {
  const rowH = 18;
  const top = 6;
  const height = top + Math.max(1, rows.length) * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r.values.reduce((a, v) => a + v, 0)));
  const scale = (W - LEFT - RIGHT) / max;
  const shapes: Shape[] = [{ t: 'line', points: [[LEFT, top - 2], [LEFT, height - 6]], stroke: COLORS.grid, width: 1 }];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    shapes.push({ t: 'text', x: LEFT - 6, y: y + 12, text: cut(r.label, 26), size: 9, anchor: 'end', fill: COLORS.text });
    let x = LEFT;
    r.values.forEach((v, k) => {
      if (v <= 0) return;
      const w = Math.max(1, v * scale);
      shapes.push({ t: 'rect', x, y: y + 2, w, h: rowH - 5, fill: series[k]?.color ?? COLORS.bar });
      x += w;
    });
    shapes.push({ t: 'text', x: x + 4, y: y + 12, text: format(r.values.reduce((a, v) => a + v, 0)), size: 9, anchor: 'start', fill: COLORS.text });
  });
  return { title, width: W, height, shapes, ...(series.length > 1 ? { legend: series } : {}) };
}

/** Measured values against a target per row (drills: RTO against the runbook's). */
export function targetBars(title: string, rows: Array<{ label: string; value: number; target: number; ok: boolean }>, format: (v: number) => string): Chart {
  const rowH = 20;
  const top = 6;
  const height = top + Math.max(1, rows.length) * rowH + 8;
  const max = Math.max(1, ...rows.flatMap((r) => [r.value, r.target]));
  const scale = (W - LEFT - RIGHT) / max;
  const shapes: Shape[] = [];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    shapes.push({ t: 'text', x: LEFT - 6, y: y + 13, text: cut(r.label, 26), size: 9, anchor: 'end', fill: COLORS.text });
    shapes.push({ t: 'rect', x: LEFT, y: y + 3, w: Math.max(1, r.value * scale), h: rowH - 7, fill: r.ok ? COLORS.ok : COLORS.critical });
    const tx = LEFT + r.target * scale;
    shapes.push({ t: 'line', points: [[tx, y], [tx, y + rowH - 1]], stroke: COLORS.target, width: 2 });
    shapes.push({ t: 'text', x: Math.max(tx, LEFT + r.value * scale) + 4, y: y + 13, text: `${format(r.value)} / ${format(r.target)}`, size: 9, anchor: 'start', fill: COLORS.text });
  });
  return { title, width: W, height, shapes, legend: [{ label: 'measured (met)', color: COLORS.ok }, { label: 'measured (missed)', color: COLORS.critical }, { label: 'target', color: COLORS.target }] };
}

/** A time series as a line with its min and max marked, and the first and last time under it. */
export function lineChart(title: string, points: Array<{ at: string; v: number }>, format: (v: number) => string): Chart {
  const height = 120;
  const [l, r, t, b] = [60, 12, 10, 22];
  const values = points.map((p) => p.v);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || Math.abs(max) || 1;
  const t0 = Date.parse(points[0]!.at);
  const t1 = Date.parse(points[points.length - 1]!.at);
  const x = (at: string) => l + (t1 === t0 ? (W - l - r) / 2 : ((Date.parse(at) - t0) / (t1 - t0)) * (W - l - r));
  const y = (v: number) => t + (1 - (v - min) / span) * (height - t - b);
  const shapes: Shape[] = [
    { t: 'line', points: [[l, t], [W - r, t]], stroke: COLORS.grid, width: 0.5, dash: true },
    { t: 'line', points: [[l, height - b], [W - r, height - b]], stroke: COLORS.grid, width: 1 },
    { t: 'text', x: l - 4, y: t + 4, text: format(max), size: 8, anchor: 'end', fill: COLORS.text },
    { t: 'text', x: l - 4, y: height - b, text: format(min), size: 8, anchor: 'end', fill: COLORS.text },
    { t: 'text', x: l, y: height - 6, text: points[0]!.at.slice(0, 16).replace('T', ' '), size: 8, anchor: 'start', fill: COLORS.text },
    { t: 'text', x: W - r, y: height - 6, text: points[points.length - 1]!.at.slice(0, 16).replace('T', ' '), size: 8, anchor: 'end', fill: COLORS.text },
  ];
  if (points.length === 1) shapes.push({ t: 'rect', x: x(points[0]!.at) - 2, y: y(points[0]!.v) - 2, w: 4, h: 4, fill: COLORS.bar });
  else shapes.push({ t: 'line', points: points.map((p) => [x(p.at), y(p.v)]), stroke: COLORS.bar, width: 1.5 });
  return { title, width: W, height, shapes };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number) => (Math.round(v * 10) / 10).toString();

/** Inline SVG: no script, no external reference, a title for screen readers. */
export function toSvg(c: Chart): string {
  const body = c.shapes
    .map((s) => {
      if (s.t === 'rect') return `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="${s.fill}"/>`;
      if (s.t === 'line') return `<polyline fill="none" stroke="${s.stroke}" stroke-width="${s.width}"${s.dash ? ' stroke-dasharray="3 3"' : ''} points="${s.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}"/>`;
      return `<text x="${n(s.x)}" y="${n(s.y)}" font-size="${s.size}" text-anchor="${s.anchor}" fill="${s.fill}">${esc(s.text)}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${c.width} ${n(c.height)}" width="${c.width}" height="${n(c.height)}" role="img" aria-label="${esc(c.title)}"><title>${esc(c.title)}</title>${body}</svg>`;
}
