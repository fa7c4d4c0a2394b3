import { z } from 'zod';
import { Severity } from '../vocabulary';

export { Severity };

/** The 18 checks of DESIGN §3 and wal_archiving (issue 13), in the order they are shown and run. */
export const CHECK_IDS = [
  'connectivity',
  'cache_hit_ratio',
  'table_bloat',
  'index_bloat',
  'unused_indexes',
  'duplicate_indexes',
  'invalid_indexes',
  'seq_scan_heavy',
  'slow_queries',
  'connections',
  'long_running',
  'blocked_queries',
  'sequence_overflow',
  'xid_wraparound',
  'autovacuum',
  'replication_lag',
  'sizes',
  'tenant_isolation',
  'wal_archiving',
] as const;
export const CheckId = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof CheckId>;

export const CheckStatus = z.enum(['pass', 'warn', 'fail', 'error', 'skipped']);
export type CheckStatus = z.infer<typeof CheckStatus>;
export const OverallStatus = z.enum(['healthy', 'degraded', 'unhealthy']);
export type OverallStatus = z.infer<typeof OverallStatus>;

export const Finding = z.object({
  severity: Severity,
  /** Schema-qualified object name (table, index, sequence), or a database/session label. */
  object: z.string().optional(),
  /** The tenant schema when the object lives in one. */
  tenant: z.string().optional(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type Finding = z.infer<typeof Finding>;

/** One check as the CLI prints it (DESIGN §3): every finding included. */
export const CheckResult = z.object({
  id: CheckId,
  title: z.string(),
  status: CheckStatus,
  durationMs: z.number(),
  summary: z.string(),
  value: z.number().optional(),
  findings: z.array(Finding),
  /** Additive: when this check last ran (the sampler runs heavy checks less often). */
  checkedAt: z.string().optional(),
  /** Additive: figures for charts (e.g. cache ratios per interval, connections by state). */
  metrics: z.record(z.string(), z.number()).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const HealthReport = z.object({
  status: OverallStatus,
  durationMs: z.number(),
  database: z.object({ name: z.string(), serverVersion: z.string() }),
  checks: z.array(CheckResult),
  checkedAt: z.string().optional(),
});
export type HealthReport = z.infer<typeof HealthReport>;

/** A check without its findings (they are paged separately): what the status cards need. */
export const CheckCard = CheckResult.omit({ findings: true }).extend({
  findingCount: z.number().int(),
  bySeverity: z.object({ info: z.number().int(), warn: z.number().int(), critical: z.number().int() }),
  heavy: z.boolean(),
});
export type CheckCard = z.infer<typeof CheckCard>;

export const HealthSummary = z.object({
  connectionId: z.string(),
  status: OverallStatus,
  durationMs: z.number(),
  checkedAt: z.string(),
  database: z.object({ name: z.string(), serverVersion: z.string() }),
  checks: z.array(CheckCard),
});
export type HealthSummary = z.infer<typeof HealthSummary>;

export const FindingSort = z.enum(['severity', 'object', 'tenant', 'message', 'value']);

export const HistorySample = z.object({
  at: z.string(),
  /** How many raw samples this point stands for (downsampled points average several). */
  n: z.number().int(),
  status: OverallStatus,
  metrics: z.record(z.string(), z.number()),
});
export type HistorySample = z.infer<typeof HistorySample>;

/**
 * Thresholds per connection. Every field has a documented default (core/health/thresholds.ts);
 * a stored file holds only what the operator changed.
 */
export const Thresholds = z.object({
  checkTimeoutMs: z.number().int().min(100).max(600_000),
  topN: z.number().int().min(1).max(1000),
  connectivityWarnMs: z.number().min(0),
  connectivityFailMs: z.number().min(0),
  cacheHitWarn: z.number().min(0).max(1),
  cacheHitFail: z.number().min(0).max(1),
  cacheMinBlocks: z.number().int().min(0),
  bloatWarnRatio: z.number().min(0).max(1),
  bloatFailRatio: z.number().min(0).max(1),
  bloatMinBytes: z.number().int().min(0),
  unusedIndexMinBytes: z.number().int().min(0),
  seqScanMinBytes: z.number().int().min(0),
  seqScanRatio: z.number().min(0).max(1),
  seqScanMinScans: z.number().int().min(0),
  slowMeanWarnMs: z.number().min(0),
  slowMeanFailMs: z.number().min(0),
  connectionsWarn: z.number().min(0).max(1),
  connectionsFail: z.number().min(0).max(1),
  activeWarnSec: z.number().min(0),
  activeFailSec: z.number().min(0),
  idleTxWarnSec: z.number().min(0),
  idleTxFailSec: z.number().min(0),
  blockedWarnSec: z.number().min(0),
  blockedFailSec: z.number().min(0),
  sequenceWarn: z.number().min(0).max(1),
  sequenceFail: z.number().min(0).max(1),
  xidWarn: z.number().min(0).max(1),
  xidFail: z.number().min(0).max(1),
  deadRatioWarn: z.number().min(0).max(1),
  deadRatioFail: z.number().min(0).max(1),
  deadMinTuples: z.number().int().min(0),
  staleDays: z.number().min(0),
  replicationLagWarnBytes: z.number().min(0),
  replicationLagFailBytes: z.number().min(0),
  replicationLagWarnSec: z.number().min(0),
  replicationLagFailSec: z.number().min(0),
  slotRetainedWarnBytes: z.number().min(0),
  walArchiveGraceSec: z.number().min(0),
  walArchiveFailSec: z.number().min(0),
  walArchiveReadyWarn: z.number().int().min(0),
  cheapIntervalSec: z.number().int().min(10).max(86_400),
  heavyIntervalSec: z.number().int().min(60).max(86_400),
});
export type Thresholds = z.infer<typeof Thresholds>;

/** The base unit a threshold is stored in (core/health/thresholds.ts says which). */
export const ThresholdUnit = z.enum(['ratio', 'bytes', 'ms', 's', 'days', 'count']);
export type ThresholdUnit = z.infer<typeof ThresholdUnit>;

const connectionOnly = z.object({ connectionId: z.string().optional() }).strict();

export const healthContract = {
  /** Run every check now as a task; progress in the task tray, the result lands in health.summary. */
  'health.run': { input: connectionOnly, output: z.object({ taskId: z.string() }) },
  /** The latest result (from memory or the app data dir; never touches the database). */
  'health.summary': { input: connectionOnly, output: z.object({ summary: HealthSummary.nullable() }) },
  'health.findings': {
    input: z
      .object({
        connectionId: z.string().optional(),
        checkId: CheckId,
        tenant: z.string().max(255).optional(),
        sort: FindingSort.default('severity'),
        dir: z.enum(['asc', 'desc']).default('desc'),
        cursor: z.string().max(40).optional(),
        limit: z.number().int().min(1).max(100).default(100),
      })
      .strict(),
    output: z.object({ findings: z.array(Finding), total: z.number().int(), nextCursor: z.string().nullable() }),
  },
  'health.history': {
    input: z.object({ connectionId: z.string().optional(), hours: z.number().min(0.1).max(720).default(24), maxPoints: z.number().int().min(10).max(5000).default(1000) }).strict(),
    output: z.object({ samples: z.array(HistorySample) }),
  },
  'health.sql': { input: z.object({ checkId: CheckId }).strict(), output: z.object({ checkId: CheckId, files: z.array(z.object({ name: z.string(), sql: z.string() })) }) },
  'health.thresholds.get': { input: connectionOnly, output: z.object({ thresholds: Thresholds, defaults: Thresholds, docs: z.record(z.string(), z.string()), units: z.record(z.string(), ThresholdUnit).optional() }) },
  'health.thresholds.save': {
    input: z.object({ connectionId: z.string().optional(), thresholds: Thresholds.partial() }).strict(),
    output: z.object({ thresholds: Thresholds }),
  },
  /** Exact bloat of one table with pgstattuple (reads the whole table): a task. */
  'health.exactBloat': {
    input: z.object({ connectionId: z.string().optional(), object: z.string().min(3).max(300) }).strict(),
    output: z.object({ taskId: z.string() }),
  },
} as const;

export const healthEvents = {
  /** A new result for a connection (sampler tick, Run now, or /api/health). */
  'health.updated': z.object({ connectionId: z.string(), status: OverallStatus, checkedAt: z.string() }),
} as const;
