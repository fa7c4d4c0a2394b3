/**
 * The report as one self-contained HTML file: inline CSS, inline SVG charts, no script, no reference to
 * anything outside the file (no font, image, stylesheet or link to fetch), so it opens offline and makes
 * no network request. Print CSS: A4/Letter margins, a running header and page numbers, no row split.
 */
import type { Report } from '../../../shared/domain/reports';
import { toSvg } from './charts';
import { layout, type Block, type Cell } from './layout';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A CSS string literal: quotes, backslashes and line breaks escaped (the header holds a database name). */
function cssString(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/[\r\n]+/g, ' ').replace(/</g, '\\3c ')}"`;
}

const CSS = `
:root{--ok:#1e8449;--warn:#b9770e;--bad:#c0392b;--muted:#707b7c;--line:#d5d8dc;--ink:#1c2833}
*{box-sizing:border-box}
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;color:var(--ink);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--ink);padding-bottom:2px}h3{font-size:14px;margin:18px 0 6px}
.sub{color:var(--muted);margin-bottom:12px}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:6px 10px;min-width:120px}
.card .l{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}.card .v{font-size:15px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;table-layout:fixed}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{font-size:11px;text-transform:uppercase;color:var(--muted);background:#f4f6f7}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad);font-weight:600}.muted{color:var(--muted)}
figure{margin:10px 0}figcaption{font-weight:600;font-size:12px;margin-bottom:2px}svg{max-width:100%;height:auto;font-family:inherit}
.legend span{display:inline-block;margin-right:12px;font-size:11px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
ul{margin:4px 0 8px;padding-left:20px}
.appendix{break-before:page;margin-top:40px}
@media print{body{max-width:none;padding:0;font-size:10px}h2{break-after:avoid}h3{break-after:avoid}tr,figure,.cards{break-inside:avoid}thead{display:table-header-group}}
`;

function cell(c: Cell, numeric: boolean): string {
  const [text, tone] = typeof c === 'string' ? [c, ''] : [c.text, c.tone];
  const cls = [numeric ? 'n' : '', tone].filter(Boolean).join(' ');
  return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;
}

function block(b: Block): string {
  switch (b.b) {
    case 'h2':
    case 'h3':
      return `<${b.b}>${escapeHtml(b.text)}</${b.b}>`;
    case 'p':
      return `<p${b.tone ? ` class="${b.tone}"` : ''}>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'cards':
      return `<div class="cards">${b.items.map((i) => `<div class="card"><div class="l">${escapeHtml(i.label)}</div><div class="v${i.tone ? ` ${i.tone}` : ''}">${escapeHtml(i.value)}</div></div>`).join('')}</div>`;
    case 'chart': {
      const legend = b.chart.legend ? `<div class="legend">${b.chart.legend.map((l) => `<span><i style="background:${l.color}"></i>${escapeHtml(l.label)}</span>`).join('')}</div>` : '';
      return `<figure><figcaption>${escapeHtml(b.chart.title)}</figcaption>${toSvg(b.chart)}${legend}</figure>`;
    }
    case 'table': {
      const num = new Set(b.numeric ?? []);
      const total = b.widths.reduce((a, w) => a + w, 0);
      const cols = b.widths.map((w) => `<col style="width:${((w / total) * 100).toFixed(1)}%">`).join('');
      const head = b.columns.map((c, i) => `<th${num.has(i) ? ' class="n"' : ''}>${escapeHtml(c)}</th>`).join('');
      const rows = b.rows.map((r) => `<tr>${r.map((c, i) => cell(c, num.has(i))).join('')}</tr>`).join('\n');
      return `<table><colgroup>${cols}</colgroup><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
    }
    case 'appendix':
      return '</section><section class="appendix"><h2>Appendix: full tables</h2>';
  }
}

export function renderHtml(report: Report): string {
  const doc = layout(report);
  const header = doc.header;
  const print = `@page{size:auto;margin:16mm 12mm;@top-left{content:${cssString(header)};font-size:8pt;color:#707b7c}@bottom-right{content:"page " counter(page) " of " counter(pages);font-size:8pt;color:#707b7c}}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // Belt and braces: even if a value slipped through, the page may load nothing and run nothing.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${CSS}${print}</style></head><body>`,
    `<h1>${escapeHtml(doc.title)}</h1><div class="sub">${escapeHtml(header)} · report model v${report.version}</div>`,
    '<section>',
    ...doc.blocks.map(block),
    '</section></body></html>',
    '',
  ].join('\n');
}
