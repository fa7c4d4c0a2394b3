/**
 * The report as a PDF, drawn with pdfkit from the same blocks as the HTML: no browser needed (cron on a
 * bastion host). The text face is DejaVu Sans from resources/fonts, embedded as a subset (pdfkit's
 * standard 14 fonts would not be embedded). Charts are vector paths; A4 or Letter; every page carries
 * the connection and date on top and "page i of n" below.
 */
import PDFDocument from 'pdfkit';
import type { PaperSize, Report } from '../../../shared/domain/reports';
import { resourcePath } from '../util/paths';
import type { Chart } from './charts';
import { layout, type Block, type Cell, type Tone } from './layout';

const TONE: Record<Tone | 'ink', string> = { ok: '#1e8449', warn: '#b9770e', bad: '#c0392b', muted: '#707b7c', ink: '#1c2833' };
// The document's default font is the regular face, opened by its path; font() caches a face under the
// name it was first opened by, so the regular face is always named by that path (a second name for the
// same file would open and parse the TTF again on every switch).
const REGULAR = resourcePath('fonts', 'DejaVuSans.ttf');
const BOLD = resourcePath('fonts', 'DejaVuSans-Bold.ttf');
const MARGIN = { top: 48, bottom: 44, left: 40, right: 40 };
const TABLE_FONT = 7.5;
const MAX_CELL_LINES = 3;
/** A bound on DejaVu Sans's mean glyph width over a short string, in em (lower-case text is ~0.55). */
const WIDEST_AVERAGE_EM = 0.75;
const fitsOnOneLine = (t: string, width: number) => !t.includes('\n') && t.length * TABLE_FONT * WIDEST_AVERAGE_EM < width;

type Doc = PDFKit.PDFDocument;

class Writer {
  private face = '';
  constructor(readonly doc: Doc) {}

  /** Switch the face only when it changes (cheap either way now, but it keeps the content stream small). */
  font(face: string): Doc {
    if (face !== this.face) {
      this.doc.font(face);
      this.face = face;
    }
    return this.doc;
  }

  get width(): number {
    return this.doc.page.width - MARGIN.left - MARGIN.right;
  }
  get bottom(): number {
    return this.doc.page.height - MARGIN.bottom;
  }

  /** Start a new page unless `h` points still fit on this one. */
  ensure(h: number): void {
    if (this.doc.y + h > this.bottom) this.doc.addPage();
  }

  text(s: string, opts: { size: number; bold?: boolean; tone?: Tone; gap?: number }): void {
    const { doc } = this;
    this.font(opts.bold ? BOLD : REGULAR).fontSize(opts.size).fillColor(TONE[opts.tone ?? 'ink']);
    this.ensure(doc.heightOfString(s, { width: this.width }));
    doc.text(s, MARGIN.left, doc.y, { width: this.width });
    doc.y += opts.gap ?? 4;
  }

  heading(s: string, level: 'h2' | 'h3'): void {
    const size = level === 'h2' ? 14 : 10.5;
    // Keep a heading with at least a few lines of what follows it.
    this.ensure(size + 60);
    this.doc.y += level === 'h2' ? 10 : 6;
    this.text(s, { size, bold: true, gap: 2 });
    if (level === 'h2') {
      this.doc.moveTo(MARGIN.left, this.doc.y).lineTo(MARGIN.left + this.width, this.doc.y).lineWidth(1).strokeColor(TONE.ink).stroke();
      this.doc.y += 6;
    }
  }

  /** Cards flow left to right, each as wide as its value needs (at least 110 pt), wrapping to a new row. */
  cards(items: Array<{ label: string; value: string; tone?: Tone }>): void {
    const { doc } = this;
    const h = 34;
    const gap = 6;
    const widths = items.map((it) => Math.min(this.width, Math.max(110, this.font(BOLD).fontSize(9.5).widthOfString(it.value) + 14)));
    let x = MARGIN.left;
    this.ensure(h + gap);
    let y = doc.y;
    items.forEach((it, i) => {
      const w = widths[i]!;
      if (x > MARGIN.left && x + w > MARGIN.left + this.width) {
        x = MARGIN.left;
        y += h + gap;
        if (y + h > this.bottom) {
          doc.addPage();
          y = doc.y;
        }
      }
      doc.roundedRect(x, y, w, h, 3).lineWidth(0.6).strokeColor('#d5d8dc').stroke();
      this.font(REGULAR).fontSize(6.5).fillColor(TONE.muted).text(it.label.toUpperCase(), x + 6, y + 5, { width: w - 12, lineBreak: false, ellipsis: true });
      this.font(BOLD).fontSize(9.5).fillColor(TONE[it.tone ?? 'ink']).text(it.value, x + 6, y + 16, { width: w - 12, height: 14, lineBreak: false, ellipsis: true });
      x += w + gap;
    });
    doc.y = y + h + gap;
  }

  list(items: string[]): void {
    for (const it of items) this.text(`•  ${it}`, { size: 8.5, gap: 1 });
    this.doc.y += 3;
  }

  table(b: Extract<Block, { b: 'table' }>): void {
    const { doc } = this;
    const total = b.widths.reduce((a, w) => a + w, 0);
    const widths = b.widths.map((w) => (w / total) * this.width);
    const numeric = new Set(b.numeric ?? []);
    const pad = 3;
    const lineH = this.font(REGULAR).fontSize(TABLE_FONT).currentLineHeight(true);
    const header = () => {
      const h = lineH + 2 * pad;
      this.ensure(h + lineH + 2 * pad);
      const y = doc.y;
      doc.rect(MARGIN.left, y, this.width, h).fill('#f4f6f7');
      let x = MARGIN.left;
      this.font(BOLD).fontSize(TABLE_FONT - 0.5).fillColor(TONE.muted);
      b.columns.forEach((c, i) => {
        doc.text(c.toUpperCase(), x + pad, y + pad, { width: widths[i]! - 2 * pad, lineBreak: false, ellipsis: true, align: numeric.has(i) ? 'right' : 'left' });
        x += widths[i]!;
      });
      doc.y = y + h;
    };
    header();
    this.font(REGULAR).fontSize(TABLE_FONT);
    for (const row of b.rows) {
      const texts = row.map((c) => (typeof c === 'string' ? c : c.text));
      // Measured only where the text may not fit on one line: most cells are short, and measuring is
      // a full text layout (half the time of a 2,000-row table otherwise).
      const needs = (t: string, w: number) => (fitsOnOneLine(t, w) ? 1 : Math.ceil(doc.heightOfString(t, { width: w }) / lineH));
      const lines = Math.min(MAX_CELL_LINES, Math.max(1, ...texts.map((t, i) => needs(t, widths[i]! - 2 * pad))));
      const h = lines * lineH + 2 * pad;
      if (doc.y + h > this.bottom) {
        doc.addPage();
        header();
        this.font(REGULAR).fontSize(TABLE_FONT);
      }
      const y = doc.y;
      let x = MARGIN.left;
      row.forEach((c: Cell, i) => {
        const tone = typeof c === 'string' ? 'ink' : c.tone;
        this.font(tone === 'bad' ? BOLD : REGULAR).fillColor(TONE[tone]);
        const w = widths[i]! - 2 * pad;
        const align = numeric.has(i) ? 'right' : 'left';
        // A cell that fits on one line skips pdfkit's line wrapper (the rest of a large table's time).
        if (fitsOnOneLine(texts[i]!, w)) doc.text(texts[i]!, x + pad, y + pad, { width: w, lineBreak: false, align });
        else doc.text(texts[i]!, x + pad, y + pad, { width: w, height: lines * lineH, ellipsis: true, align });
        x += widths[i]!;
      });
      doc.moveTo(MARGIN.left, y + h).lineTo(MARGIN.left + this.width, y + h).lineWidth(0.4).strokeColor('#d5d8dc').stroke();
      doc.y = y + h;
    }
    doc.y += 6;
  }

  chart(c: Chart): void {
    const { doc } = this;
    const scale = Math.min(1, this.width / c.width);
    this.ensure(c.height * scale + 34);
    this.text(c.title, { size: 8.5, bold: true, gap: 2 });
    const ox = MARGIN.left;
    const oy = doc.y;
    for (const s of c.shapes) {
      if (s.t === 'rect') doc.rect(ox + s.x * scale, oy + s.y * scale, s.w * scale, s.h * scale).fill(s.fill);
      else if (s.t === 'line') {
        const [first, ...rest] = s.points;
        if (!first) continue;
        doc.moveTo(ox + first[0] * scale, oy + first[1] * scale);
        for (const [x, y] of rest) doc.lineTo(ox + x * scale, oy + y * scale);
        if (s.dash) doc.dash(2, { space: 2 });
        doc.lineWidth(s.width * scale).strokeColor(s.stroke).stroke();
        if (s.dash) doc.undash();
      } else {
        const size = s.size * scale;
        this.font(REGULAR).fontSize(size).fillColor(s.fill);
        const w = doc.widthOfString(s.text);
        const x = ox + s.x * scale - (s.anchor === 'end' ? w : s.anchor === 'middle' ? w / 2 : 0);
        // SVG places text by its baseline; pdfkit by the top of the line.
        doc.text(s.text, x, oy + s.y * scale - size * 0.85, { lineBreak: false });
      }
    }
    doc.y = oy + c.height * scale + 4;
    if (c.legend) {
      let x = MARGIN.left;
      const y = doc.y;
      this.font(REGULAR).fontSize(7);
      for (const l of c.legend) {
        doc.rect(x, y + 1, 7, 7).fill(l.color);
        doc.fillColor(TONE.ink).text(l.label, x + 10, y, { lineBreak: false });
        x += 16 + doc.widthOfString(l.label);
      }
      doc.y = y + 12;
    }
    doc.y += 6;
  }
}

export async function renderPdf(report: Report, paper: PaperSize = 'A4'): Promise<Buffer> {
  const doc = layout(report);
  const pdf = new PDFDocument({ size: paper, margins: MARGIN, bufferPages: true, font: REGULAR, info: { Title: doc.title, Author: 'podcastflow-ops', Subject: doc.header, Creator: `podcastflow-ops ${report.generator.version}` } });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    pdf.on('end', () => resolve());
    pdf.on('error', reject);
  });
  const w = new Writer(pdf);
  w.text(doc.title, { size: 18, bold: true, gap: 2 });
  w.text(`${doc.header} · report model v${report.version}`, { size: 8.5, tone: 'muted', gap: 8 });
  for (const b of doc.blocks) {
    if (b.b === 'h2' || b.b === 'h3') w.heading(b.text, b.b);
    else if (b.b === 'p') w.text(b.text, { size: 8.5, ...(b.tone ? { tone: b.tone } : {}) });
    else if (b.b === 'cards') w.cards(b.items);
    else if (b.b === 'list') w.list(b.items);
    else if (b.b === 'table') w.table(b);
    else if (b.b === 'chart') w.chart(b.chart);
    else {
      pdf.addPage();
      w.heading('Appendix: full tables', 'h2');
    }
  }
  // Running header and footer, written once the page count is known.
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const bottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    w.font(REGULAR).fontSize(7).fillColor(TONE.muted);
    pdf.text(doc.header, MARGIN.left, 22, { width: w.width, lineBreak: false, ellipsis: true });
    pdf.text(`page ${i + 1} of ${range.count}`, MARGIN.left, pdf.page.height - 28, { width: w.width, align: 'right', lineBreak: false });
    pdf.page.margins.bottom = bottom;
  }
  pdf.end();
  await ended;
  return Buffer.concat(chunks);
}
