/**
 * Builds the report model (issue 14) from the core's own results: a fresh health run, one tenant
 * verification (shared by the health check tenant_isolation and the tenants section, so it runs once),
 * the backup destination's catalog and verify records, DR readiness and drill records, and a secrets
 * audit of the database. Nothing here writes to the database or changes how those parts behave.
 */
import type { CatalogEntry, RetentionRule, VerifyRecord } from '../../../shared/domain/backups';
import type { DrillRecord } from '../../../shared/domain/dr';
import { CHECK_IDS, type CheckId, type CheckResult, type HealthReport, type HistorySample, type Thresholds } from '../../../shared/domain/health';
import {
  REPORT_SCHEMA,
  REPORT_SECTIONS,
  REPORT_VERSION,
  type BackupsSection,
  type DrSection,
  type HealthSection,
  type Report,
  type ReportCheck,
  type ReportFinding,
  type ReportSection,
  type ReportStatus,
  type RpoRow,
  type SecretsSection,
  type TenantRow,
  type TenantsSection,
  type Trend,
} from '../../../shared/domain/reports';
import type { VerifyResult } from '../../../shared/domain/tenants';
import { SEVERITY_RANK } from '../../../shared/vocabulary';
import { covers, planRetention, readCatalog } from '../backup/catalog';
import type { Destination } from '../backup/destination';
import { SUFFIX } from '../backup/naming';
import type { Database } from '../db/database';
import { readiness } from '../dr/readiness';
import { listRunbooks } from '../dr/runbooks';
import { checkDef, overallStatus, runHealth } from '../health/registry';
import { DEFAULT_THRESHOLDS } from '../health/thresholds';
import { runAudit } from '../secrets/audit';
import { summarizeForHealth } from '../tenants/summary';
import { verifyTenants } from '../tenants/verify';
import { OpsError } from '../util/errors';
import { RECOMMENDATIONS } from './advice';
import { worstStatus } from './status';

/** How many rows a summary shows up front; the full lists go to the appendix. */
export const TOP_N = 10;

export interface ReportSources {
  db: Database;
  tenantPattern: string;
  thresholds?: Thresholds;
  /** Local history of the connection (the app's sampler); absent in the CLI without one. */
  history?: (fromMs: number, toMs: number) => Promise<HistorySample[]>;
  /** The backup destination (its manifests are the catalog's truth) and its retention rule. */
  backups?: { destination: Destination; retention?: RetentionRule };
  /** DR drill records of the connection; absent until the DR engine's store is wired. */
  drills?: (since: Date) => Promise<DrillRecord[]>;
  appVersion: string;
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface BuildOptions {
  sections: readonly ReportSection[];
  since?: Date;
}

const DAY_MS = 86_400_000;

function connectionOf(db: Database, serverVersion?: string): Report['connection'] {
  const { host, port, database } = db.target;
  return { key: `${host}:${port}/${database}`, database, host, port, ...(serverVersion ? { serverVersion } : {}) };
}

function bySeverity<T extends { severity: 'info' | 'warn' | 'critical' }>(list: readonly T[]): { info: number; warn: number; critical: number } {
  const c = { info: 0, warn: 0, critical: 0 };
  for (const x of list) c[x.severity]++;
  return c;
}

function trendOf(metric: string, samples: HistorySample[]): Trend | undefined {
  const series = samples.flatMap((s) => (s.metrics[metric] === undefined ? [] : [{ at: s.at, v: s.metrics[metric] }]));
  if (!series.length) return undefined;
  const values = series.map((p) => p.v);
  return { metric, min: Math.min(...values), max: Math.max(...values), mean: values.reduce((a, v) => a + v, 0) / values.length, last: values[values.length - 1]!, series };
}

/** The history keys a check's definition keeps ('conn.*' expands to the keys present). */
function metricsOf(id: CheckId, samples: HistorySample[]): string[] {
  const keys = Object.keys(checkDef(id).history ?? {});
  const present = new Set(samples.flatMap((s) => Object.keys(s.metrics)));
  return keys.flatMap((k) => (k.endsWith('*') ? [...present].filter((p) => p.startsWith(k.slice(0, -1))).sort() : present.has(k) ? [k] : [])).slice(0, 4);
}

function reportCheck(c: CheckResult, samples: HistorySample[]): { check: ReportCheck; findings: ReportFinding[] } {
  const findings: ReportFinding[] = c.findings.map((f) => ({ check: c.id, severity: f.severity, ...(f.object !== undefined ? { object: f.object } : {}), ...(f.tenant !== undefined ? { tenant: f.tenant } : {}), message: f.message }));
  const counts = bySeverity(findings);
  const top = [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]).slice(0, TOP_N);
  const observations = [c.summary];
  if (findings.length) observations.push(`${findings.length} finding${findings.length === 1 ? '' : 's'}: ${counts.critical} critical, ${counts.warn} warning, ${counts.info} informational.`);
  const conclusions =
    c.status === 'pass' ? ['Within the thresholds.'] : c.status === 'warn' ? ['Past a warning threshold: plan the work.'] : c.status === 'fail' ? ['Past a failure threshold: act now.'] : c.status === 'error' ? ['The check could not run; its state is unknown.'] : ['Not run.'];
  const recommendations = c.status === 'warn' || c.status === 'fail' ? [RECOMMENDATIONS[c.id]] : c.status === 'error' ? ['Run the check again; see its error in the summary.'] : [];
  const trends = metricsOf(c.id, samples).flatMap((m) => trendOf(m, samples) ?? []);
  return {
    check: { id: c.id, title: c.title, status: c.status, ...(c.value !== undefined ? { value: c.value } : {}), durationMs: c.durationMs, ...(c.checkedAt ? { checkedAt: c.checkedAt } : {}), summary: c.summary, observations, conclusions, recommendations, counts: { ...counts, total: findings.length }, top, trends },
    findings,
  };
}

export function healthSection(report: HealthReport, samples: HistorySample[]): HealthSection {
  const built = report.checks.map((c) => reportCheck(c, samples));
  return {
    status: report.status,
    durationMs: report.durationMs,
    ...(report.checkedAt ? { checkedAt: report.checkedAt } : {}),
    checks: built.map((b) => b.check),
    historySamples: samples.reduce((a, s) => a + s.n, 0),
    findings: built.flatMap((b) => b.findings),
  };
}

const SHARED = '(shared)';

export function tenantsSection(r: VerifyResult): TenantsSection {
  const kinds = new Map<string, { info: number; warn: number; critical: number }>();
  const tenants = new Map<string, TenantRow>();
  for (const v of r.violations) {
    const k = kinds.get(v.kind) ?? { info: 0, warn: 0, critical: 0 };
    k[v.severity]++;
    kinds.set(v.kind, k);
    const name = v.tenant ?? SHARED;
    const t = tenants.get(name) ?? { tenant: name, violations: 0, critical: 0, warn: 0, info: 0 };
    t.violations++;
    t[v.severity]++;
    tenants.set(name, t);
  }
  const perTenant = [...tenants.values()].sort((a, b) => b.critical - a.critical || b.violations - a.violations || a.tenant.localeCompare(b.tenant));
  return {
    tenants: r.tenants,
    reference: r.reference.mode === 'template' ? `template ${r.reference.template ?? ''}` : 'majority shape',
    durationMs: r.durationMs,
    violations: r.violations.length,
    bySeverity: bySeverity(r.violations),
    byKind: [...kinds.entries()].map(([kind, c]) => ({ kind, ...c, total: c.info + c.warn + c.critical })).sort((a, b) => b.total - a.total),
    worst: perTenant.slice(0, TOP_N),
    names: r.tenantStats.map((t) => t.name).sort(),
    perTenant,
    list: r.violations.map((v) => ({ tenant: v.tenant, kind: v.kind, severity: v.severity, ...(v.object !== undefined ? { object: v.object } : {}), detail: v.detail })),
  };
}

const age = (at: string, now: number) => Math.max(0, Math.round((now - Date.parse(at)) / 1000));

/** Verify records hold the measured restore (into a scratch database) of each verified backup. */
async function verifyRecords(dest: Destination, signal?: AbortSignal): Promise<Map<string, VerifyRecord>> {
  const out = new Map<string, VerifyRecord>();
  for (const name of await dest.list(SUFFIX.verify, signal)) {
    try {
      const raw = await dest.readSmall(name, signal);
      if (!raw) continue;
      const v = JSON.parse(raw.toString('utf8')) as VerifyRecord;
      if (typeof v.backupId === 'string' && typeof v.durationMs === 'number') out.set(v.backupId, v);
    } catch {
      // An unreadable record is left out, as the catalog does.
    }
  }
  return out;
}

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function backupsSection(src: NonNullable<ReportSources['backups']>, database: string, tenantNames: string[] | undefined, now: number, signal?: AbortSignal): Promise<{ section: BackupsSection; catalog: CatalogEntry[] }> {
  const empty = { tenants: 0, neverBackedUp: 0, neverVerified: 0, worst: [], rows: [] };
  let catalog: CatalogEntry[];
  try {
    catalog = (await readCatalog(src.destination, now)).filter((e) => e.database === database);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { section: { destination: src.destination.location, error: message, backups: 0, bytes: 0, rpo: empty, verification: { restorable: 0, notRestorable: 0, couldNotVerify: 0, unverified: 0 }, restores: [] }, catalog: [] };
  }
  const records = await verifyRecords(src.destination, signal).catch(() => new Map<string, VerifyRecord>());
  const known = new Set<string>(tenantNames ?? []);
  for (const e of catalog) {
    if (e.tenant) known.add(e.tenant);
    for (const t of (e as { _tenants?: string[] })._tenants ?? []) known.add(t);
  }
  const full = catalog.filter((e) => e.kind === 'full');
  const rows: RpoRow[] = [...known].sort().map((tenant) => {
    const held = catalog.filter((e) => e.kind === 'full' || covers(e, tenant));
    const verified = held.find((e) => e.verified?.ok);
    return { tenant, database, ...(held[0] ? { newestAgeSec: age(held[0].finishedAt, now) } : {}), ...(verified ? { verifiedAgeSec: age(verified.finishedAt, now) } : {}) };
  });
  if (!known.size && full.length) {
    const verified = full.find((e) => e.verified?.ok);
    rows.push({ database, newestAgeSec: age(full[0]!.finishedAt, now), ...(verified ? { verifiedAgeSec: age(verified.finishedAt, now) } : {}) });
  }
  const verifiedAges = rows.flatMap((r) => (r.verifiedAgeSec === undefined ? [] : [r.verifiedAgeSec]));
  // Worst first: never verified, then oldest verified.
  const worst = [...rows].sort((a, b) => (b.verifiedAgeSec ?? Infinity) - (a.verifiedAgeSec ?? Infinity) || (a.tenant ?? '').localeCompare(b.tenant ?? '')).slice(0, TOP_N);
  const restores = catalog.flatMap((e) => {
    const v = records.get(e.id);
    return v && v.status !== 'could-not-verify' ? [{ backupId: e.id, kind: e.kind, ...(e.tenant ? { tenant: e.tenant } : {}), bytes: e.bytes, durationMs: v.durationMs, at: v.verifiedAt, ok: v.ok }] : [];
  });
  const retention = src.retention && (src.retention.keepLast || src.retention.keepDays) ? planRetention(catalog, src.retention, true, now) : undefined;
  const section: BackupsSection = {
    destination: src.destination.location,
    backups: catalog.length,
    bytes: catalog.reduce((a, e) => a + e.bytes, 0),
    ...(catalog[0] ? { newestAt: catalog[0].finishedAt } : {}),
    rpo: {
      tenants: rows.length,
      neverBackedUp: rows.filter((r) => r.newestAgeSec === undefined).length,
      neverVerified: rows.filter((r) => r.verifiedAgeSec === undefined).length,
      ...(verifiedAges.length ? { worstVerifiedAgeSec: Math.max(...verifiedAges), medianVerifiedAgeSec: median(verifiedAges)! } : {}),
      worst,
      rows,
    },
    verification: {
      restorable: catalog.filter((e) => e.verified?.ok).length,
      notRestorable: catalog.filter((e) => e.verified && !e.verified.ok).length,
      couldNotVerify: catalog.filter((e) => !e.verified && e.verifyAttempt).length,
      unverified: catalog.filter((e) => !e.verified && !e.verifyAttempt).length,
    },
    restores,
    ...(retention ? { retention: { ...src.retention, keep: retention.keep.length, wouldDelete: retention.delete.length, wouldDeleteBytes: retention.deletedBytes } } : {}),
  };
  return { section, catalog };
}

export async function drSection(catalog: CatalogEntry[] | undefined, drills: ReportSources['drills'], since: Date, now: number): Promise<DrSection> {
  const runbooks = (await listRunbooks()).map((l) => l.runbook);
  const r = readiness(catalog ?? [], runbooks, now);
  const rows = drills ? (await drills(since)).filter((d) => Date.parse(d.startedAt) >= since.getTime()) : [];
  return {
    readiness: r.scenarios.map((s) => ({
      scenario: s.scenario,
      title: s.title,
      rtoTargetSec: runbooks.find((b) => b.scenario === s.scenario)!.rto.targetSec,
      ...(s.rpoTargetSec !== undefined ? { rpoTargetSec: s.rpoTargetSec } : {}),
      basis: s.basis,
      meets: s.meets,
      judged: s.judged,
      missing: s.missing.length,
      examples: s.missing.slice(0, 5).map((m) => m.tenant ?? m.database),
    })),
    drills: rows
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .map((d) => ({
        runId: d.runId,
        scenario: d.scenario,
        startedAt: d.startedAt,
        outcome: d.outcome,
        rtoTargetSec: d.rtoTargetSec,
        rtoMeasuredSec: d.rtoMeasuredSec,
        rtoMet: d.outcome === 'succeeded' && d.rtoMeasuredSec <= d.rtoTargetSec,
        ...(d.rpoTargetSec !== undefined ? { rpoTargetSec: d.rpoTargetSec } : {}),
        ...(d.rpoAchievedSec !== undefined ? { rpoAchievedSec: d.rpoAchievedSec } : {}),
      })),
    ...(!catalog ? { readinessNote: 'No backup destination was given, so no backup counts: every RPO target shows as missed.' } : {}),
    ...(!drills ? { drillsNote: 'No drills recorded: the DR drill store is not available here.' } : !rows.length ? { drillsNote: 'No drills recorded in this period.' } : {}),
  };
}

export async function secretsSection(db: Database, signal?: AbortSignal): Promise<SecretsSection> {
  const a = await runAudit({ db }, signal ? { signal } : {});
  const cats = new Map<string, { low: number; medium: number; high: number; critical: number }>();
  for (const f of a.findings) {
    const c = cats.get(f.category) ?? { low: 0, medium: 0, high: 0, critical: 0 };
    c[f.severity]++;
    cats.set(f.category, c);
  }
  return {
    total: a.summary.total,
    bySeverity: a.summary.bySeverity,
    byCategory: [...cats.entries()].map(([category, c]) => ({ category: category as SecretsSection['byCategory'][number]['category'], ...c })),
    skipped: a.summary.skipped,
    // Masked text only: rule, where, fingerprint. The masked value itself is left out too.
    findings: a.findings.map((f) => ({ category: f.category, rule: f.rule, severity: f.severity, message: f.message, ...(f.file || f.secretId ? { where: f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : f.secretId! } : {}), ...(f.fingerprint ? { fingerprint: f.fingerprint } : {}) })),
  };
}

/** The report's status: the worst of its sections, in Nagios words. */
export function reportStatus(sections: Report['sections']): ReportStatus {
  const parts: ReportStatus[] = [];
  const h = sections.health;
  if (h) {
    parts.push(h.status === 'unhealthy' ? 'critical' : h.status === 'degraded' ? 'warning' : 'ok');
    if (h.checks.some((c) => c.status === 'error')) parts.push('unknown');
  }
  const t = sections.tenants;
  if (t) parts.push(t.bySeverity.critical ? 'critical' : t.bySeverity.warn ? 'warning' : 'ok');
  const b = sections.backups;
  if (b) parts.push(b.error ? 'unknown' : b.verification.notRestorable ? 'critical' : b.rpo.neverVerified || b.rpo.neverBackedUp ? 'warning' : 'ok');
  const d = sections.dr;
  if (d) parts.push(d.readiness.some((r) => r.meets === false) || d.drills.some((x) => !x.rtoMet) ? 'warning' : 'ok');
  const s = sections.secrets;
  if (s) parts.push((s.bySeverity.critical ?? 0) + (s.bySeverity.high ?? 0) ? 'critical' : (s.bySeverity.medium ?? 0) ? 'warning' : 'ok');
  return worstStatus(parts);
}

/** Run what the sections need and build the report. Cancel (signal) stops the work in progress. */
export async function buildReport(src: ReportSources, opts: BuildOptions): Promise<Report> {
  const now = src.now ?? (() => new Date());
  const to = now();
  const from = opts.since ?? new Date(to.getTime() - 7 * DAY_MS);
  if (from.getTime() > to.getTime()) throw new OpsError('invalid_input', `The period starts after now (${from.toISOString()}).`, 'Give --since a moment in the past.');
  const want = new Set(opts.sections);
  const steps = [want.has('health') || want.has('tenants') ? 'checks' : '', want.has('backups') || want.has('dr') ? 'backups' : '', want.has('dr') ? 'dr' : '', want.has('secrets') ? 'secrets' : ''].filter(Boolean);
  let done = 0;
  const step = (what: string) => src.onProgress?.(done++, steps.length, what);
  const signal = src.signal;
  const sections: Report['sections'] = {};
  let serverVersion: string | undefined;

  let verify: VerifyResult | undefined;
  if (want.has('health') || want.has('tenants')) {
    step(want.has('health') ? 'tenant verification and health checks' : 'tenant verification');
    // The verification and the other checks run side by side, as in the health suite (where the
    // verification is the check tenant_isolation); the first failure stops the other.
    const inner = new AbortController();
    const stop = () => inner.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    const failFast = <T>(p: Promise<T>) => p.catch((err: unknown) => { inner.abort(err); throw err; });
    const started = performance.now();
    // The verification waits for the connectivity check, as tenant_isolation does in the suite: started
    // at once, its queries hold the pool while connectivity measures the round trip (4 s at 2,000 tenants,
    // past its threshold, and every other check is then skipped as unreachable).
    let connected: () => void = () => undefined;
    const afterConnectivity = want.has('health') ? new Promise<void>((resolve) => (connected = resolve)) : Promise.resolve();
    try {
      const [verified, report] = await Promise.all([
        failFast(afterConnectivity.then(() => verifyTenants(src.db, { pattern: src.tenantPattern, signal: inner.signal }))),
        want.has('health')
          ? failFast(runHealth(src.db, { tenantPattern: src.tenantPattern, thresholds: src.thresholds ?? DEFAULT_THRESHOLDS, databaseName: src.db.target.database, only: CHECK_IDS.filter((id) => id !== 'tenant_isolation'), now, signal: inner.signal, onProgress: (_d, _t, id) => id === 'connectivity' && connected() }))
          : undefined,
      ]);
      verify = verified;
      if (want.has('tenants')) sections.tenants = tenantsSection(verified);
      if (report) {
        // tenant_isolation is the verification above, summarised: the same run, not a second one.
        const isolation: CheckResult = { id: 'tenant_isolation', title: checkDef('tenant_isolation').title, durationMs: verified.durationMs, checkedAt: verified.verifiedAt, ...summarizeForHealth(verified) };
        const checks = CHECK_IDS.flatMap((id) => (id === 'tenant_isolation' ? [isolation] : report.checks.filter((c) => c.id === id)));
        const merged: HealthReport = { ...report, checks, status: overallStatus(checks), durationMs: Math.round(performance.now() - started) };
        serverVersion = report.database.serverVersion;
        const samples = src.history ? await src.history(from.getTime(), to.getTime()) : [];
        sections.health = healthSection(merged, samples);
      }
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }
  let catalog: CatalogEntry[] | undefined;
  if ((want.has('backups') || want.has('dr')) && src.backups) {
    step('backups');
    const b = await backupsSection(src.backups, src.db.target.database, verify?.tenantStats.map((t) => t.name), to.getTime(), signal);
    catalog = b.catalog;
    if (want.has('backups')) sections.backups = b.section;
  }
  if (want.has('dr')) {
    step('DR readiness');
    sections.dr = await drSection(catalog, src.drills, from, to.getTime());
  }
  if (want.has('secrets')) {
    step('secrets audit');
    sections.secrets = await secretsSection(src.db, signal);
  }
  if (signal?.aborted) throw new OpsError('cancelled', 'The report was cancelled.');
  src.onProgress?.(steps.length, steps.length, 'done');
  // Sections in their canonical order, whatever order they were computed in.
  const ordered = Object.fromEntries(REPORT_SECTIONS.flatMap((k) => (sections[k] ? [[k, sections[k]]] : []))) as Report['sections'];
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    kind: 'health',
    generatedAt: to.toISOString(),
    generator: { app: 'podcastflow-ops', version: src.appVersion },
    connection: connectionOf(src.db, serverVersion),
    period: { from: from.toISOString(), to: to.toISOString() },
    status: reportStatus(ordered),
    sections: ordered,
  };
}
