import { join } from 'node:path';
import { Thresholds, type ThresholdUnit } from '../../../shared/domain/health';
import { readJson, writeJsonAtomic } from '../store/files';

const MB = 1024 * 1024;

/** Defaults, chosen for a production OLTP database; each is documented in DOCS (shown in the editor). */
export const DEFAULT_THRESHOLDS: Thresholds = {
  checkTimeoutMs: 60_000,
  topN: 50,
  connectivityWarnMs: 200,
  connectivityFailMs: 2_000,
  cacheHitWarn: 0.99,
  cacheHitFail: 0.95,
  cacheMinBlocks: 1_000,
  bloatWarnRatio: 0.3,
  bloatFailRatio: 0.6,
  bloatMinBytes: 1 * MB,
  unusedIndexMinBytes: 1 * MB,
  seqScanMinBytes: 10 * MB,
  seqScanRatio: 0.5,
  seqScanMinScans: 100,
  slowMeanWarnMs: 500,
  slowMeanFailMs: 5_000,
  connectionsWarn: 0.8,
  connectionsFail: 0.95,
  activeWarnSec: 300,
  activeFailSec: 1_800,
  idleTxWarnSec: 60,
  idleTxFailSec: 600,
  blockedWarnSec: 10,
  blockedFailSec: 120,
  sequenceWarn: 0.75,
  sequenceFail: 0.9,
  xidWarn: 0.5,
  xidFail: 0.75,
  deadRatioWarn: 0.2,
  deadRatioFail: 0.5,
  deadMinTuples: 1_000,
  staleDays: 7,
  replicationLagWarnBytes: 64 * MB,
  replicationLagFailBytes: 1024 * MB,
  replicationLagWarnSec: 30,
  replicationLagFailSec: 300,
  slotRetainedWarnBytes: 1024 * MB,
  cheapIntervalSec: 60,
  heavyIntervalSec: 1_800,
};

export const THRESHOLD_DOCS: Record<keyof Thresholds, string> = {
  checkTimeoutMs: 'statement_timeout of each check\'s query (one slow check never holds up the others).',
  topN: 'How many rows the ranked checks (bloat, sizes, slow queries, oldest tables) report.',
  connectivityWarnMs: 'Round trip above this warns.',
  connectivityFailMs: 'Round trip above this fails.',
  cacheHitWarn: 'Heap hit ratio below this warns (cumulative, or over the last interval when it saw enough reads).',
  cacheHitFail: 'Heap hit ratio below this fails.',
  cacheMinBlocks: 'An interval with fewer block reads than this is too small to judge.',
  bloatWarnRatio: 'Estimated wasted share of a table or index above this warns (when above the minimum size).',
  bloatFailRatio: 'Estimated wasted share above this is critical.',
  bloatMinBytes: 'Wasted bytes below this never warn: small tables are noise.',
  unusedIndexMinBytes: 'Never-scanned indexes at least this large warn; smaller ones are listed as info.',
  seqScanMinBytes: 'Only tables at least this large count as seq-scan heavy.',
  seqScanRatio: 'Share of scans that are sequential above which a large table is flagged.',
  seqScanMinScans: 'A table needs at least this many sequential scans to be flagged.',
  slowMeanWarnMs: 'Statements with a mean time above this warn.',
  slowMeanFailMs: 'Statements with a mean time above this are critical.',
  connectionsWarn: 'Share of usable connection slots in use above which this warns.',
  connectionsFail: 'Share of usable connection slots in use above which this fails.',
  activeWarnSec: 'An active query running longer than this warns.',
  activeFailSec: 'An active query running longer than this is critical.',
  idleTxWarnSec: 'A session idle in transaction longer than this warns.',
  idleTxFailSec: 'A session idle in transaction longer than this is critical.',
  blockedWarnSec: 'A query waiting on a lock longer than this warns (shorter waits are listed as info).',
  blockedFailSec: 'A query waiting on a lock longer than this is critical.',
  sequenceWarn: 'Share of the usable range (the smaller of the sequence\'s and its column\'s maximum) above which this warns.',
  sequenceFail: 'Share of the usable range above which this fails.',
  xidWarn: 'Transaction ID age as a share of the 2^31 wraparound limit above which this warns.',
  xidFail: 'Transaction ID age share above which this fails.',
  deadRatioWarn: 'Dead tuples as a share of all tuples above which a table warns.',
  deadRatioFail: 'Dead tuple share above which a table is critical.',
  deadMinTuples: 'Tables with fewer dead tuples (or changes since analyze) than this are ignored.',
  staleDays: 'A changed table not vacuumed or analyzed for this many days is stale.',
  replicationLagWarnBytes: 'Replica replay lag (WAL not yet replayed) above this size warns.',
  replicationLagFailBytes: 'Replica replay lag (WAL not yet replayed) above this size fails.',
  replicationLagWarnSec: 'Replica replay lag above this time warns.',
  replicationLagFailSec: 'Replica replay lag above this time fails.',
  slotRetainedWarnBytes: 'A replication slot retaining more WAL than this warns.',
  cheapIntervalSec: 'History sampler: how often the cheap checks run.',
  heavyIntervalSec: 'History sampler: how often the heavy checks (bloat, sizes, index usage…) run.',
};

/**
 * The base unit each threshold is stored in; the editor shows it in a human one (ratio as %, bytes
 * as MB, ms as s) and converts back, so the stored values and the checks never change meaning.
 */
export const THRESHOLD_UNITS: Record<keyof Thresholds, ThresholdUnit> = {
  checkTimeoutMs: 'ms',
  topN: 'count',
  connectivityWarnMs: 'ms',
  connectivityFailMs: 'ms',
  cacheHitWarn: 'ratio',
  cacheHitFail: 'ratio',
  cacheMinBlocks: 'count',
  bloatWarnRatio: 'ratio',
  bloatFailRatio: 'ratio',
  bloatMinBytes: 'bytes',
  unusedIndexMinBytes: 'bytes',
  seqScanMinBytes: 'bytes',
  seqScanRatio: 'ratio',
  seqScanMinScans: 'count',
  slowMeanWarnMs: 'ms',
  slowMeanFailMs: 'ms',
  connectionsWarn: 'ratio',
  connectionsFail: 'ratio',
  activeWarnSec: 's',
  activeFailSec: 's',
  idleTxWarnSec: 's',
  idleTxFailSec: 's',
  blockedWarnSec: 's',
  blockedFailSec: 's',
  sequenceWarn: 'ratio',
  sequenceFail: 'ratio',
  xidWarn: 'ratio',
  xidFail: 'ratio',
  deadRatioWarn: 'ratio',
  deadRatioFail: 'ratio',
  deadMinTuples: 'count',
  staleDays: 'days',
  replicationLagWarnBytes: 'bytes',
  replicationLagFailBytes: 'bytes',
  replicationLagWarnSec: 's',
  replicationLagFailSec: 's',
  slotRetainedWarnBytes: 'bytes',
  cheapIntervalSec: 's',
  heavyIntervalSec: 's',
};

const Stored = Thresholds.partial();

/** Thresholds per connection, in <home>/health/<connectionId>/thresholds.json (only the changed values). */
export class ThresholdStore {
  constructor(private readonly home: string) {}

  private path(connectionId: string): string {
    return join(this.home, 'health', safeId(connectionId), 'thresholds.json');
  }

  async get(connectionId: string): Promise<Thresholds> {
    const stored = await readJson(this.path(connectionId), Stored, {});
    return { ...DEFAULT_THRESHOLDS, ...stored };
  }

  async save(connectionId: string, changes: Partial<Thresholds>): Promise<Thresholds> {
    const current = await readJson(this.path(connectionId), Stored, {});
    const merged = Thresholds.parse({ ...DEFAULT_THRESHOLDS, ...current, ...changes });
    // Keep only what differs from the defaults, so a later change of a default reaches everyone else.
    const diff = Object.fromEntries(Object.entries(merged).filter(([k, v]) => DEFAULT_THRESHOLDS[k as keyof Thresholds] !== v));
    await writeJsonAtomic(this.path(connectionId), diff);
    return merged;
  }
}

/** Connection ids are [a-z0-9-] already; this keeps any other id from escaping the folder. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'default';
}
