/**
 * A report as a list of plain blocks (headings, figures, tables, charts), in reading order: summaries and
 * top-N first, every full table in the appendix. The HTML and the PDF renderers draw these blocks, so the
 * two formats always hold the same content.
 */
import type { Report, ReportFinding } from '../../../shared/domain/reports';
import { formatBytes } from '../../../shared/format';
import { COLORS, lineChart, stackedBars, targetBars, type Chart } from './charts';

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';
export type Cell = string | { text: string; tone: Tone };
export type Block =
  | { b: 'h2' | 'h3'; text: string }
  | { b: 'p'; text: string; tone?: Tone }
  | { b: 'cards'; items: Array<{ label: string; value: string; tone?: Tone }> }
  | { b: 'table'; columns: string[]; widths: number[]; rows: Cell[][]; numeric?: number[] }
  | { b: 'chart'; chart: Chart }
  | { b: 'list'; items: string[] }
  | { b: 'appendix' };

export interface Doc {
  title: string;
  /** connection and date: the running header of every page. */
  header: string;
  status: Report['status'];
  blocks: Block[];
}

export function duration(sec: number | undefined): string {
  if (sec === undefined) return '—';
  if (sec < 120) return `${Math.round(sec)} s`;
  if (sec < 7200) return `${Math.round(sec / 60)} min`;
  if (sec < 172_800) return `${Math.round((sec / 3600) * 10) / 10} h`;
  return `${Math.round((sec / 86_400) * 10) / 10} d`;
}

const STATUS_TONE: Record<string, Tone> = { pass: 'ok', ok: 'ok', healthy: 'ok', warn: 'warn', warning: 'warn', degraded: 'warn', fail: 'bad', critical: 'bad', unhealthy: 'bad', error: 'bad', unknown: 'bad', skipped: 'muted', high: 'bad', medium: 'warn', low: 'muted', info: 'muted' };
const toned = (text: string): Cell => ({ text, tone: STATUS_TONE[text] ?? 'muted' });
const yesNo = (v: boolean | null): Cell => (v === null ? { text: 'n/a', tone: 'muted' } : v ? { text: 'met', tone: 'ok' } : { text: 'MISSED', tone: 'bad' });
const when = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : '—');
const num = (v: number) => v.toLocaleString('en-US');

/** Figures of a metric as its key suggests (bytes, ratios, ms); plain numbers otherwise. */
function metricFormat(metric: string): (v: number) => string {
  if (/bytes|size\.|bloat\./i.test(metric)) return formatBytes;
  if (/^cache\.|ratio|headroom/.test(metric)) return (v) => (v <= 1 ? `${(v * 100).toFixed(1)}%` : num(Math.round(v)));
  if (/ms$|Ms$/.test(metric)) return (v) => `${Math.round(v)} ms`;
  return (v) => num(Math.round(v * 100) / 100);
}

function findingRows(list: ReportFinding[]): Cell[][] {
  return list.map((f) => [f.check, toned(f.severity), f.tenant ?? '', f.object ?? '', f.message]);
}
const FINDING_TABLE = { columns: ['check', 'severity', 'tenant', 'object', 'message'], widths: [14, 9, 17, 20, 40] };

function health(r: NonNullable<Report['sections']['health']>, blocks: Block[], appendix: Block[]): void {
  blocks.push({ b: 'h2', text: 'Health' });
  const counts = r.checks.reduce((a, c) => ({ ...a, [c.status]: (a[c.status] ?? 0) + 1 }), {} as Record<string, number>);
  blocks.push({ b: 'cards', items: [{ label: 'overall', value: r.status, tone: STATUS_TONE[r.status]! }, { label: 'checks failing', value: String(counts.fail ?? 0), tone: counts.fail ? 'bad' : 'ok' }, { label: 'warning', value: String(counts.warn ?? 0), tone: counts.warn ? 'warn' : 'ok' }, { label: 'could not run', value: String(counts.error ?? 0), tone: counts.error ? 'bad' : 'ok' }, { label: 'history samples', value: num(r.historySamples) }] });
  blocks.push({
    b: 'chart',
    chart: stackedBars(
      'Findings per check by severity',
      r.checks.filter((c) => c.counts.total).map((c) => ({ label: c.id, values: [c.counts.critical, c.counts.warn, c.counts.info] })),
      [{ label: 'critical', color: COLORS.critical }, { label: 'warning', color: COLORS.warn }, { label: 'info', color: COLORS.info }],
    ),
  });
  blocks.push({ b: 'table', columns: ['check', 'status', 'value', 'summary'], widths: [18, 9, 10, 63], numeric: [2], rows: r.checks.map((c) => [c.title, toned(c.status), c.value === undefined ? '' : num(Math.round(c.value * 1000) / 1000), c.summary]) });
  for (const c of r.checks.filter((x) => x.status !== 'pass' && x.status !== 'skipped')) {
    blocks.push({ b: 'h3', text: `${c.title}: ${c.status}` });
    blocks.push({ b: 'list', items: [...c.observations.map((o) => `Observed: ${o}`), ...c.conclusions.map((o) => `Conclusion: ${o}`), ...c.recommendations.map((o) => `Recommendation: ${o}`)] });
    if (c.top.length) blocks.push({ b: 'table', ...FINDING_TABLE, rows: findingRows(c.top) });
    if (c.counts.total > c.top.length) blocks.push({ b: 'p', text: `${c.counts.total - c.top.length} more in the appendix.`, tone: 'muted' });
  }
  const trends = r.checks.flatMap((c) => c.trends.map((t) => ({ check: c, t })));
  if (trends.length) {
    blocks.push({ b: 'h3', text: 'Trends over the period (local history)' });
    blocks.push({ b: 'table', columns: ['metric', 'min', 'mean', 'max', 'last'], widths: [32, 17, 17, 17, 17], numeric: [1, 2, 3, 4], rows: trends.map(({ t }) => { const f = metricFormat(t.metric); return [t.metric, f(t.min), f(t.mean), f(t.max), f(t.last)]; }) });
    for (const { t } of trends.filter((x) => x.t.series.length > 1).slice(0, 8)) blocks.push({ b: 'chart', chart: lineChart(t.metric, t.series, metricFormat(t.metric)) });
  } else blocks.push({ b: 'p', text: 'No local history in this period: trends appear once the app has sampled this connection.', tone: 'muted' });
  if (r.findings.length) {
    appendix.push({ b: 'h3', text: `All health findings (${num(r.findings.length)})` });
    appendix.push({ b: 'table', ...FINDING_TABLE, rows: findingRows(r.findings) });
  }
}

function tenants(t: NonNullable<Report['sections']['tenants']>, blocks: Block[], appendix: Block[]): void {
  blocks.push({ b: 'h2', text: 'Tenant isolation' });
  blocks.push({ b: 'cards', items: [{ label: 'tenants', value: num(t.tenants) }, { label: 'violations', value: num(t.violations), tone: t.violations ? 'warn' : 'ok' }, { label: 'critical', value: num(t.bySeverity.critical), tone: t.bySeverity.critical ? 'bad' : 'ok' }, { label: 'tenants affected', value: num(t.perTenant.length) }, { label: 'reference', value: t.reference }] });
  if (t.byKind.length) {
    blocks.push({ b: 'chart', chart: stackedBars('Violations by kind and severity', t.byKind.map((k) => ({ label: k.kind, values: [k.critical, k.warn, k.info] })), [{ label: 'critical', color: COLORS.critical }, { label: 'warning', color: COLORS.warn }, { label: 'info', color: COLORS.info }]) });
    blocks.push({ b: 'h3', text: `Worst tenants (top ${t.worst.length} of ${t.perTenant.length})` });
    blocks.push({ b: 'table', columns: ['tenant', 'violations', 'critical', 'warning', 'info'], widths: [44, 14, 14, 14, 14], numeric: [1, 2, 3, 4], rows: t.worst.map((w) => [w.tenant, num(w.violations), w.critical ? { text: num(w.critical), tone: 'bad' } : '0', num(w.warn), num(w.info)]) });
    appendix.push({ b: 'h3', text: `Every violation (${num(t.list.length)})` });
    appendix.push({ b: 'table', columns: ['tenant', 'kind', 'severity', 'object', 'detail'], widths: [18, 17, 9, 20, 36], rows: t.list.map((v) => [v.tenant ?? '(shared)', v.kind, toned(v.severity), v.object ?? '', v.detail]) });
  } else blocks.push({ b: 'p', text: 'No drift, no leak.', tone: 'ok' });
}

function backups(b: NonNullable<Report['sections']['backups']>, blocks: Block[], appendix: Block[]): void {
  blocks.push({ b: 'h2', text: 'Backups and RPO' });
  blocks.push({ b: 'p', text: `Destination: ${b.destination}` });
  if (b.error) {
    blocks.push({ b: 'p', text: `The destination could not be read: ${b.error}`, tone: 'bad' });
    return;
  }
  blocks.push({ b: 'cards', items: [{ label: 'backups', value: num(b.backups) }, { label: 'stored', value: formatBytes(b.bytes) }, { label: 'newest', value: when(b.newestAt) }, { label: 'never backed up', value: num(b.rpo.neverBackedUp), tone: b.rpo.neverBackedUp ? 'warn' : 'ok' }, { label: 'no verified backup', value: num(b.rpo.neverVerified), tone: b.rpo.neverVerified ? 'warn' : 'ok' }, { label: 'worst verified RPO', value: duration(b.rpo.worstVerifiedAgeSec) }, { label: 'median verified RPO', value: duration(b.rpo.medianVerifiedAgeSec) }] });
  // RPO now, bucketed: a fleet of thousands reads as a histogram, not a list.
  const buckets: Array<[string, (s: number | undefined) => boolean]> = [['≤ 1 h', (s) => s !== undefined && s <= 3600], ['≤ 1 day', (s) => s !== undefined && s > 3600 && s <= 86_400], ['≤ 7 days', (s) => s !== undefined && s > 86_400 && s <= 604_800], ['> 7 days', (s) => s !== undefined && s > 604_800], ['none verified', (s) => s === undefined]];
  if (b.rpo.rows.length) blocks.push({ b: 'chart', chart: stackedBars('Tenants by age of the newest verified backup (RPO now)', buckets.map(([label, f]) => ({ label, values: [b.rpo.rows.filter((r) => f(r.verifiedAgeSec)).length] })), [{ label: 'tenants', color: COLORS.bar }]) });
  blocks.push({ b: 'cards', items: [{ label: 'restorable', value: num(b.verification.restorable), tone: 'ok' }, { label: 'not restorable', value: num(b.verification.notRestorable), tone: b.verification.notRestorable ? 'bad' : 'ok' }, { label: 'could not verify', value: num(b.verification.couldNotVerify), tone: b.verification.couldNotVerify ? 'warn' : 'ok' }, { label: 'unverified', value: num(b.verification.unverified) }] });
  const rpoRows = (rows: typeof b.rpo.rows) => rows.map((r): Cell[] => [r.tenant ?? `${r.database} (full)`, duration(r.newestAgeSec), r.verifiedAgeSec === undefined ? { text: 'none verified', tone: 'warn' } : duration(r.verifiedAgeSec)]);
  const RPO_TABLE = { columns: ['tenant', 'newest backup age', 'newest verified age (RPO)'], widths: [50, 25, 25], numeric: [1, 2] };
  if (b.rpo.worst.length) {
    blocks.push({ b: 'h3', text: `Worst RPO (top ${b.rpo.worst.length} of ${b.rpo.rows.length})` });
    blocks.push({ b: 'table', ...RPO_TABLE, rows: rpoRows(b.rpo.worst) });
    appendix.push({ b: 'h3', text: `RPO of every tenant (${num(b.rpo.rows.length)})` });
    appendix.push({ b: 'table', ...RPO_TABLE, rows: rpoRows(b.rpo.rows) });
  }
  if (b.restores.length) {
    blocks.push({ b: 'h3', text: 'Measured restores (verify: restore into a scratch database and compare)' });
    blocks.push({ b: 'table', columns: ['backup', 'kind', 'size', 'restore time', 'verified', 'result'], widths: [36, 11, 11, 13, 17, 12], numeric: [2, 3], rows: b.restores.slice(0, 20).map((x) => [x.backupId, x.kind, formatBytes(x.bytes), duration(x.durationMs / 1000), when(x.at), x.ok ? { text: 'restorable', tone: 'ok' } : { text: 'NOT restorable', tone: 'bad' }]) });
  } else blocks.push({ b: 'p', text: 'No verified restore yet: restore times are measured by verifying a backup.', tone: 'muted' });
  if (b.retention) blocks.push({ b: 'p', text: `Retention (keep last ${b.retention.keepLast ?? '—'}, keep ${b.retention.keepDays ?? '—'} days): ${b.retention.keep} kept, ${b.retention.wouldDelete} due for deletion (${formatBytes(b.retention.wouldDeleteBytes)}).` });
}

function dr(d: NonNullable<Report['sections']['dr']>, blocks: Block[]): void {
  blocks.push({ b: 'h2', text: 'Disaster recovery readiness' });
  if (d.readinessNote) blocks.push({ b: 'p', text: d.readinessNote, tone: 'warn' });
  blocks.push({ b: 'table', columns: ['scenario', 'RTO target', 'RPO target', 'RPO now', 'judged', 'missing', 'e.g.'], widths: [18, 11, 11, 10, 9, 9, 32], numeric: [4, 5], rows: d.readiness.map((s) => [s.scenario, duration(s.rtoTargetSec), duration(s.rpoTargetSec), yesNo(s.meets), num(s.judged), num(s.missing), s.examples.join(', ')]) });
  blocks.push({ b: 'h3', text: 'Drills' });
  if (d.drills.length) {
    blocks.push({ b: 'chart', chart: targetBars('Measured RTO of each drill against its target', d.drills.slice(0, 15).map((x) => ({ label: `${x.scenario} ${x.startedAt.slice(0, 10)}`, value: x.rtoMeasuredSec, target: x.rtoTargetSec, ok: x.rtoMet })), duration) });
    blocks.push({ b: 'table', columns: ['started', 'scenario', 'outcome', 'RTO measured', 'RTO target', 'RPO achieved', 'RPO target'], widths: [18, 15, 12, 14, 13, 14, 14], numeric: [3, 4, 5, 6], rows: d.drills.map((x) => [when(x.startedAt), x.scenario, toned(x.outcome === 'succeeded' ? 'pass' : 'fail'), { text: duration(x.rtoMeasuredSec), tone: x.rtoMet ? 'ok' : 'bad' }, duration(x.rtoTargetSec), duration(x.rpoAchievedSec), duration(x.rpoTargetSec)]) });
  }
  if (d.drillsNote) blocks.push({ b: 'p', text: d.drillsNote, tone: 'muted' });
}

function secrets(s: NonNullable<Report['sections']['secrets']>, blocks: Block[], appendix: Block[]): void {
  blocks.push({ b: 'h2', text: 'Secrets audit' });
  blocks.push({ b: 'p', text: 'Masked: findings name the rule, the place and a fingerprint (SHA-256 of rule, place and value), never a value.', tone: 'muted' });
  blocks.push({ b: 'table', columns: ['category', 'critical', 'high', 'medium', 'low'], widths: [40, 15, 15, 15, 15], numeric: [1, 2, 3, 4], rows: s.byCategory.map((c) => [c.category, num(c.critical), num(c.high), num(c.medium), num(c.low)]) });
  if (!s.byCategory.length) blocks.push({ b: 'p', text: 'No findings.', tone: 'ok' });
  for (const k of s.skipped) blocks.push({ b: 'p', text: `Not audited: ${k.category}: ${k.reason}`, tone: 'muted' });
  const rows = (list: typeof s.findings) => list.map((f): Cell[] => [f.category, toned(f.severity), f.rule, f.where ?? '', f.message, f.fingerprint?.slice(0, 16) ?? '']);
  const TABLE = { columns: ['category', 'severity', 'rule', 'where', 'message', 'fingerprint'], widths: [10, 9, 16, 17, 33, 15] };
  if (s.findings.length) {
    blocks.push({ b: 'table', ...TABLE, rows: rows(s.findings.slice(0, 10)) });
    if (s.findings.length > 10) {
      appendix.push({ b: 'h3', text: `Every secrets finding (${s.findings.length})` });
      appendix.push({ b: 'table', ...TABLE, rows: rows(s.findings) });
    }
  }
}

function incident(i: NonNullable<Report['sections']['incident']>, blocks: Block[]): void {
  blocks.push({ b: 'h2', text: `${i.drill ? 'Drill' : 'Incident'} record: ${i.scenario} (runbook v${i.runbookVersion})` });
  blocks.push({ b: 'cards', items: [{ label: 'outcome', value: i.status, tone: i.status === 'succeeded' ? 'ok' : i.status === 'open' ? 'warn' : 'bad' }, { label: 'RTO achieved', value: duration(i.rto.achievedSec), tone: i.rto.met === false ? 'bad' : 'ok' }, { label: 'RTO target', value: duration(i.rto.targetSec) }, { label: 'RPO achieved', value: duration(i.rpo.achievedSec), tone: i.rpo.met === false ? 'bad' : 'ok' }, { label: 'RPO target', value: duration(i.rpo.targetSec) }] });
  blocks.push({ b: 'table', columns: ['', ''], widths: [25, 75], rows: [['incident at', when(i.incidentAt)], ['detected at', when(i.detectedAt)], ['run started', when(i.startedAt)], ['run finished', when(i.finishedAt)], ['restore point', when(i.rpo.restorePoint)], ['tenants', (i.tenants ?? []).join(', ') || '—'], ['run id', i.runId]] });
  blocks.push({ b: 'h3', text: 'Timeline' });
  blocks.push({ b: 'table', columns: ['started', 'step', 'kind', 'status', 'took', 'attempts', 'note'], widths: [16, 24, 9, 10, 8, 8, 25], numeric: [4, 5], rows: i.timeline.map((s) => [when(s.startedAt), s.title, s.kind, toned(s.status === 'succeeded' ? 'pass' : s.status === 'failed' ? 'fail' : 'skipped'), duration(s.durationSec), String(s.attempts), [s.note, s.error].filter(Boolean).join(' — ')]) });
  blocks.push({ b: 'h3', text: 'Decisions' });
  if (i.decisions.length) blocks.push({ b: 'table', columns: ['decision', 'chosen', 'recommended', 'note'], widths: [30, 18, 18, 34], rows: i.decisions.map((d) => [d.title, d.chosen ?? '—', d.recommended ?? '—', d.note ?? '']) });
  else blocks.push({ b: 'p', text: 'No decision recorded.', tone: 'muted' });
  blocks.push({ b: 'h3', text: 'Evidence (SHA-256)' });
  if (i.evidence.length) blocks.push({ b: 'table', columns: ['step', 'file', 'sha256'], widths: [18, 36, 46], rows: i.evidence.map((e) => [e.step, e.file, e.sha256]) });
  else blocks.push({ b: 'p', text: 'No evidence captured.', tone: 'muted' });
}

function diff(d: NonNullable<Report['sections']['diff']>, blocks: Block[], appendix: Block[]): void {
  blocks.push({ b: 'h2', text: 'What changed' });
  blocks.push({ b: 'p', text: `From the report of ${when(d.from.generatedAt)} (${d.from.status}) to the report of ${when(d.to.generatedAt)} (${d.to.status}).` });
  blocks.push({ b: 'cards', items: [{ label: 'checks changed', value: num(d.checks.length) }, { label: 'new findings', value: num(d.findings.new.length), tone: d.findings.new.length ? 'warn' : 'ok' }, { label: 'resolved findings', value: num(d.findings.resolved.length), tone: 'ok' }, { label: 'tenants appeared', value: num(d.tenants.appeared.length) }, { label: 'tenants disappeared', value: num(d.tenants.disappeared.length) }, { label: 'violation counts changed', value: num(d.tenants.changed.length) }, { label: 'RPO changes', value: num(d.rpo.length) }] });
  if (d.notCompared.length) blocks.push({ b: 'p', text: `Not compared (missing from one report): ${d.notCompared.join(', ')}.`, tone: 'muted' });
  if (d.checks.length) blocks.push({ b: 'table', columns: ['check', 'before', 'after'], widths: [50, 25, 25], rows: d.checks.map((c) => [c.title, toned(c.from), toned(c.to)]) });
  const list = (title: string, items: string[]) => items.length && blocks.push({ b: 'p', text: `${title}: ${items.slice(0, 50).join(', ')}${items.length > 50 ? `, … (${items.length} in all)` : ''}` });
  list('Tenants appeared', d.tenants.appeared);
  list('Tenants disappeared', d.tenants.disappeared);
  if (d.tenants.changed.length) blocks.push({ b: 'table', columns: ['tenant', 'violations before', 'after'], widths: [50, 25, 25], numeric: [1, 2], rows: d.tenants.changed.slice(0, 50).map((c) => [c.tenant, num(c.from), { text: num(c.to), tone: c.to > c.from ? 'bad' : 'ok' }]) });
  list('New tenant violations', d.tenants.violations.new);
  list('Resolved tenant violations', d.tenants.violations.resolved);
  if (d.metrics.length) blocks.push({ b: 'table', columns: ['check value', 'before', 'after', 'change'], widths: [40, 20, 20, 20], numeric: [1, 2, 3], rows: d.metrics.map((m) => [m.check, num(m.from), num(m.to), `${m.delta > 0 ? '+' : ''}${num(Math.round(m.delta * 1000) / 1000)}`]) });
  if (d.rpo.length) blocks.push({ b: 'table', columns: ['tenant', 'RPO before', 'RPO after'], widths: [50, 25, 25], numeric: [1, 2], rows: d.rpo.slice(0, 50).map((r) => [r.tenant, duration(r.fromSec), duration(r.toSec)]) });
  const F = { columns: FINDING_TABLE.columns, widths: FINDING_TABLE.widths };
  if (d.findings.new.length) {
    blocks.push({ b: 'h3', text: `New findings (${d.findings.new.length})` });
    blocks.push({ b: 'table', ...F, rows: findingRows(d.findings.new.slice(0, 20)) });
    if (d.findings.new.length > 20) appendix.push({ b: 'h3', text: 'Every new finding' }, { b: 'table', ...F, rows: findingRows(d.findings.new) });
  }
  if (d.findings.resolved.length) {
    blocks.push({ b: 'h3', text: `Resolved findings (${d.findings.resolved.length})` });
    blocks.push({ b: 'table', ...F, rows: findingRows(d.findings.resolved.slice(0, 20)) });
    if (d.findings.resolved.length > 20) appendix.push({ b: 'h3', text: 'Every resolved finding' }, { b: 'table', ...F, rows: findingRows(d.findings.resolved) });
  }
}

const TITLES: Record<Report['kind'], string> = { health: 'Health report', incident: 'Post-incident report', diff: 'Differential report' };

export function layout(r: Report): Doc {
  const blocks: Block[] = [];
  const appendix: Block[] = [];
  const c = r.connection;
  blocks.push({ b: 'cards', items: [{ label: 'status', value: r.status, tone: STATUS_TONE[r.status]! }, { label: 'database', value: c.database }, { label: 'server', value: `${c.host}:${c.port}${c.serverVersion ? ` · PostgreSQL ${c.serverVersion}` : ''}` }, { label: 'period', value: `${when(r.period.from)} – ${when(r.period.to)}` }] });
  const s = r.sections;
  if (s.incident) incident(s.incident, blocks);
  if (s.diff) diff(s.diff, blocks, appendix);
  if (s.health) health(s.health, blocks, appendix);
  if (s.tenants) tenants(s.tenants, blocks, appendix);
  if (s.backups) backups(s.backups, blocks, appendix);
  if (s.dr) dr(s.dr, blocks);
  if (s.secrets) secrets(s.secrets, blocks, appendix);
  if (appendix.length) blocks.push({ b: 'appendix' }, ...appendix);
  return { title: `${TITLES[r.kind]}: ${c.database}`, header: `${c.key} · generated ${when(r.generatedAt)}`, status: r.status, blocks };
}
