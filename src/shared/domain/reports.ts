import { z } from 'zod';
import { AuditCategory, AuditSeverity } from './secrets';
import { CheckId, CheckStatus, OverallStatus } from './health';
import { Scenario, StepKind, StepStatus } from './dr';
import { Severity } from '../vocabulary';

/**
 * Exportable reports (issue 14). One JSON model is the master copy (as postgres-checkup keeps JSON and
 * derives the rest); HTML and PDF are rendered from it. `resources/report.schema.json` is generated from
 * `Report` (npm run report:schema) and only ever changes additively: a new field is optional.
 */

export const REPORT_SCHEMA = 'podcastflow-ops/report';
export const REPORT_VERSION = 1;

export const REPORT_SECTIONS = ['health', 'tenants', 'backups', 'dr', 'secrets'] as const;
export const ReportSection = z.enum(REPORT_SECTIONS);
export type ReportSection = z.infer<typeof ReportSection>;

/** Nagios words: the CLI's exit code is the worst status (ok 0, warning 1, critical 2, unknown 3). */
export const ReportStatus = z.enum(['ok', 'warning', 'critical', 'unknown']);
export type ReportStatus = z.infer<typeof ReportStatus>;

const iso = z.string();
const SeverityCounts = z.object({ info: z.number().int(), warn: z.number().int(), critical: z.number().int() });

/** A point of a chart's series: time and value. */
export const SeriesPoint = z.object({ at: iso, v: z.number() });

/** min / mean / max / last of one history metric over the period, with the series for the chart. */
export const Trend = z.object({
  metric: z.string(),
  min: z.number(),
  mean: z.number(),
  max: z.number(),
  last: z.number(),
  series: z.array(SeriesPoint),
});
export type Trend = z.infer<typeof Trend>;

export const ReportFinding = z.object({
  check: CheckId,
  severity: Severity,
  object: z.string().optional(),
  tenant: z.string().optional(),
  message: z.string(),
});
export type ReportFinding = z.infer<typeof ReportFinding>;

export const ReportCheck = z.object({
  id: CheckId,
  title: z.string(),
  status: CheckStatus,
  value: z.number().optional(),
  durationMs: z.number(),
  checkedAt: iso.optional(),
  summary: z.string(),
  observations: z.array(z.string()),
  conclusions: z.array(z.string()),
  recommendations: z.array(z.string()),
  counts: SeverityCounts.extend({ total: z.number().int() }),
  /** The most severe findings (the full list is in the section's appendix). */
  top: z.array(ReportFinding),
  /** From local history over the period; empty when there is none. */
  trends: z.array(Trend),
});
export type ReportCheck = z.infer<typeof ReportCheck>;

export const HealthSection = z.object({
  status: OverallStatus,
  durationMs: z.number(),
  checkedAt: iso.optional(),
  checks: z.array(ReportCheck),
  /** How many history samples the period holds (0: no history yet, trends empty). */
  historySamples: z.number().int(),
  /** Every finding of every check (appendix). */
  findings: z.array(ReportFinding),
});
export type HealthSection = z.infer<typeof HealthSection>;

export const TenantRow = z.object({ tenant: z.string(), violations: z.number().int(), critical: z.number().int(), warn: z.number().int(), info: z.number().int() });
export type TenantRow = z.infer<typeof TenantRow>;

export const TenantsSection = z.object({
  tenants: z.number().int(),
  reference: z.string(),
  durationMs: z.number(),
  violations: z.number().int(),
  bySeverity: SeverityCounts,
  byKind: z.array(SeverityCounts.extend({ kind: z.string(), total: z.number().int() })),
  /** The tenants with most critical, then most violations (top N). */
  worst: z.array(TenantRow),
  /** Every tenant schema verified (for "appeared / disappeared" in a diff). */
  names: z.array(z.string()),
  /** Every tenant with a violation (appendix); shared schemas as tenant "(shared)". */
  perTenant: z.array(TenantRow),
  /** Every violation (appendix). */
  list: z.array(z.object({ tenant: z.string().nullable(), kind: z.string(), severity: Severity, object: z.string().optional(), detail: z.string() })),
});
export type TenantsSection = z.infer<typeof TenantsSection>;

export const RpoRow = z.object({
  tenant: z.string().optional(),
  database: z.string(),
  /** Age of the newest backup holding it; absent: never backed up. */
  newestAgeSec: z.number().optional(),
  /** Age of the newest verified one; absent: none verified. */
  verifiedAgeSec: z.number().optional(),
});
export type RpoRow = z.infer<typeof RpoRow>;

export const BackupsSection = z.object({
  destination: z.string(),
  /** Set when the destination could not be read; the other fields are then empty. */
  error: z.string().optional(),
  backups: z.number().int(),
  bytes: z.number(),
  newestAt: iso.optional(),
  rpo: z.object({
    tenants: z.number().int(),
    neverBackedUp: z.number().int(),
    neverVerified: z.number().int(),
    worstVerifiedAgeSec: z.number().optional(),
    medianVerifiedAgeSec: z.number().optional(),
    /** Oldest first (top N); the full list is `rows`. */
    worst: z.array(RpoRow),
    rows: z.array(RpoRow),
  }),
  verification: z.object({ restorable: z.number().int(), notRestorable: z.number().int(), couldNotVerify: z.number().int(), unverified: z.number().int() }),
  /** Restores measured by verify (restore into a scratch database and compare), newest first. */
  restores: z.array(z.object({ backupId: z.string(), kind: z.string(), tenant: z.string().optional(), bytes: z.number(), durationMs: z.number(), at: iso, ok: z.boolean() })),
  retention: z.object({ keepLast: z.number().int().optional(), keepDays: z.number().int().optional(), keep: z.number().int(), wouldDelete: z.number().int(), wouldDeleteBytes: z.number() }).optional(),
});
export type BackupsSection = z.infer<typeof BackupsSection>;

export const DrillRow = z.object({
  runId: z.string(),
  scenario: Scenario,
  startedAt: iso,
  outcome: z.enum(['succeeded', 'failed', 'cancelled']),
  rtoTargetSec: z.number(),
  rtoMeasuredSec: z.number(),
  rtoMet: z.boolean(),
  rpoTargetSec: z.number().optional(),
  rpoAchievedSec: z.number().optional(),
});
export type DrillRow = z.infer<typeof DrillRow>;

export const DrSection = z.object({
  readiness: z.array(
    z.object({
      scenario: Scenario,
      title: z.string(),
      rtoTargetSec: z.number(),
      rpoTargetSec: z.number().optional(),
      basis: z.enum(['tenant', 'database', 'none']),
      meets: z.boolean().nullable(),
      judged: z.number().int(),
      missing: z.number().int(),
      /** The first few that miss the target. */
      examples: z.array(z.string()),
    }),
  ),
  drills: z.array(DrillRow),
  /** Said when readiness could not read a backup catalog (no destination given): every target then shows missed. */
  readinessNote: z.string().optional(),
  /** Said when drills are not available (no DR store wired, or none recorded). */
  drillsNote: z.string().optional(),
});
export type DrSection = z.infer<typeof DrSection>;

export const SecretsSection = z.object({
  total: z.number().int(),
  bySeverity: z.record(AuditSeverity, z.number().int()),
  byCategory: z.array(z.object({ category: AuditCategory, low: z.number().int(), medium: z.number().int(), high: z.number().int(), critical: z.number().int() })),
  skipped: z.array(z.object({ category: AuditCategory, reason: z.string() })),
  /** Masked: rule, location and fingerprint, never a value. */
  findings: z.array(z.object({ category: AuditCategory, rule: z.string(), severity: AuditSeverity, message: z.string(), where: z.string().optional(), fingerprint: z.string().optional() })),
});
export type SecretsSection = z.infer<typeof SecretsSection>;

/** The post-incident record of one DR run (report kind "incident"). */
export const IncidentSection = z.object({
  runId: z.string(),
  scenario: Scenario,
  runbookVersion: z.number().int(),
  status: z.enum(['open', 'succeeded', 'failed', 'cancelled']),
  drill: z.boolean(),
  tenants: z.array(z.string()).optional(),
  incidentAt: iso,
  detectedAt: iso.optional(),
  startedAt: iso,
  finishedAt: iso.optional(),
  rto: z.object({ targetSec: z.number(), achievedSec: z.number(), met: z.boolean().optional() }),
  rpo: z.object({ targetSec: z.number().optional(), restorePoint: iso.optional(), achievedSec: z.number().optional(), met: z.boolean().optional() }),
  timeline: z.array(z.object({ step: z.string(), title: z.string(), kind: StepKind, status: StepStatus, startedAt: iso.optional(), finishedAt: iso.optional(), durationSec: z.number().optional(), attempts: z.number().int(), note: z.string().optional(), error: z.string().optional() })),
  decisions: z.array(z.object({ step: z.string(), title: z.string(), chosen: z.string().optional(), recommended: z.string().optional(), note: z.string().optional() })),
  evidence: z.array(z.object({ step: z.string(), file: z.string(), sha256: z.string() })),
});
export type IncidentSection = z.infer<typeof IncidentSection>;

const Ref = z.object({ id: z.string().optional(), generatedAt: iso, status: ReportStatus, period: z.object({ from: iso, to: iso }) });

export const DiffSection = z.object({
  from: Ref,
  to: Ref,
  checks: z.array(z.object({ id: CheckId, title: z.string(), from: CheckStatus, to: CheckStatus })),
  findings: z.object({ new: z.array(ReportFinding), resolved: z.array(ReportFinding) }),
  metrics: z.array(z.object({ check: CheckId, from: z.number(), to: z.number(), delta: z.number() })),
  tenants: z.object({
    appeared: z.array(z.string()),
    disappeared: z.array(z.string()),
    changed: z.array(z.object({ tenant: z.string(), from: z.number().int(), to: z.number().int() })),
    violations: z.object({ new: z.array(z.string()), resolved: z.array(z.string()) }),
  }),
  rpo: z.array(z.object({ tenant: z.string(), fromSec: z.number().optional(), toSec: z.number().optional() })),
  /** Sections one of the two reports lacks (nothing compared there). */
  notCompared: z.array(ReportSection),
});
export type DiffSection = z.infer<typeof DiffSection>;

export const Report = z.object({
  schema: z.literal(REPORT_SCHEMA),
  version: z.number().int().min(1),
  kind: z.enum(['health', 'incident', 'diff']),
  /** Set once saved in the app data directory. */
  id: z.string().optional(),
  generatedAt: iso,
  generator: z.object({ app: z.literal('podcastflow-ops'), version: z.string() }),
  connection: z.object({
    /** host:port/database: what "the same connection" means for a diff. No user, no password. */
    key: z.string(),
    database: z.string(),
    host: z.string(),
    port: z.number().int(),
    serverVersion: z.string().optional(),
  }),
  period: z.object({ from: iso, to: iso }),
  status: ReportStatus,
  sections: z.object({
    health: HealthSection.optional(),
    tenants: TenantsSection.optional(),
    backups: BackupsSection.optional(),
    dr: DrSection.optional(),
    secrets: SecretsSection.optional(),
    incident: IncidentSection.optional(),
    diff: DiffSection.optional(),
  }),
});
export type Report = z.infer<typeof Report>;

/** One line of the saved-report list (the report itself is fetched when previewed). */
export const SavedReport = z.object({
  id: z.string(),
  kind: Report.shape.kind,
  generatedAt: iso,
  connection: z.string(),
  status: ReportStatus,
  sections: z.array(z.string()),
  bytes: z.number().int(),
  /** Generated by a schedule. */
  scheduled: z.boolean().optional(),
});
export type SavedReport = z.infer<typeof SavedReport>;

export const ReportFormat = z.enum(['json', 'html', 'pdf']);
export type ReportFormat = z.infer<typeof ReportFormat>;
export const PaperSize = z.enum(['A4', 'Letter']);
export type PaperSize = z.infer<typeof PaperSize>;

export const ReportSchedule = z.object({
  enabled: z.boolean(),
  every: z.enum(['daily', 'weekly']),
  /** UTC hour it runs at. */
  hour: z.number().int().min(0).max(23),
  sections: z.array(ReportSection).min(1),
  format: ReportFormat,
  /** Also written here (folder, file:///… or s3://bucket/prefix); else only saved in the app. */
  destination: z.string().max(2000).optional(),
});
export type ReportSchedule = z.infer<typeof ReportSchedule>;

export const ReportSettings = z.object({
  /** Saved reports kept: the newest N, and none older than D days. */
  retention: z.object({ keepLast: z.number().int().min(1).max(1000), keepDays: z.number().int().min(1).max(3650) }),
  schedule: ReportSchedule,
});
export type ReportSettings = z.infer<typeof ReportSettings>;

const reportId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'a report id as listed');
const connectionId = z.string().optional();

export const GenerateInput = z
  .object({
    connectionId,
    sections: z.array(ReportSection).min(1).max(REPORT_SECTIONS.length).default([...REPORT_SECTIONS]),
    /** Start of the period (trends, drills); default seven days before now. */
    since: z.string().datetime({ offset: true }).optional(),
  })
  .strict();
export type GenerateInput = z.input<typeof GenerateInput>;

export const reportsContract = {
  /** Generates a report as a task (progress per section, cancel); the task's result is the saved entry. */
  'reports.generate': { input: GenerateInput, output: z.object({ taskId: z.string() }) },
  'reports.list': { input: z.object({ connectionId }).strict(), output: z.object({ reports: z.array(SavedReport) }) },
  'reports.get': { input: z.object({ id: reportId }).strict(), output: Report },
  /** The HTML rendering (shown in a sandboxed iframe; downloaded as a file). */
  'reports.html': { input: z.object({ id: reportId }).strict(), output: z.object({ html: z.string() }) },
  /** The PDF rendering, base64. */
  'reports.pdf': { input: z.object({ id: reportId, paper: PaperSize.default('A4') }).strict(), output: z.object({ base64: z.string(), bytes: z.number().int() }) },
  'reports.delete': { input: z.object({ id: reportId }).strict(), output: z.object({ deleted: z.boolean() }) },
  /** Compares two saved reports of the same connection; the diff is saved like any report. */
  'reports.diff': { input: z.object({ from: reportId, to: reportId }).strict(), output: SavedReport },
  /** The post-incident record of a DR run (timeline, decisions, evidence, RTO/RPO achieved), saved. */
  'reports.incident': { input: z.object({ connectionId, runId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'a run id as printed by dr start') }).strict(), output: SavedReport },
  'reports.settings': { input: z.object({ connectionId }).strict(), output: z.object({ settings: ReportSettings, cronLine: z.string() }) },
  'reports.configure': { input: z.object({ connectionId, settings: ReportSettings }).strict(), output: z.object({ settings: ReportSettings, cronLine: z.string() }) },
} as const;
