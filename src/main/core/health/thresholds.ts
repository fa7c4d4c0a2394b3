import { join } from 'node:path';
import { Thresholds, type ThresholdUnit } from '../../../shared/domain/health';
import { readJson, writeJsonAtomic } from '../store/files';
import { CHECKS } from './registry';
import { ms, seconds, TOP_N, type ThresholdKey, type ThresholdSpec, type ThresholdSpecs } from './types';

/** Thresholds of the suite rather than of one check: the statement timeout and the sampler's cadence. */
const SUITE_FIRST: ThresholdSpecs = { checkTimeoutMs: ms(60_000, "statement_timeout of each check's query (one slow check never holds up the others)."), topN: TOP_N };
const SUITE_LAST: ThresholdSpecs = { cheapIntervalSec: seconds(60, 'History sampler: how often the cheap checks run.'), heavyIntervalSec: seconds(1_800, 'History sampler: how often the heavy checks (bloat, sizes, index usage…) run.') };

/**
 * Every threshold with its spec, in the editor's order: the suite's, then each check's (CHECK_IDS order).
 * Derived from the check definitions; a key two checks both list must be the same spec object, and the
 * keys must be exactly those of the Thresholds schema (checked here, at load).
 */
export const THRESHOLD_SPECS: Readonly<Record<ThresholdKey, ThresholdSpec>> = (() => {
  const specs = new Map<ThresholdKey, ThresholdSpec>();
  for (const group of [SUITE_FIRST, ...CHECKS.map((c) => c.thresholds), SUITE_LAST]) {
    for (const [key, spec] of Object.entries(group) as [ThresholdKey, ThresholdSpec][]) {
      const known = specs.get(key);
      if (known && known !== spec) throw new Error(`Threshold ${key} is defined twice, differently.`);
      specs.set(key, spec);
    }
  }
  const schemaKeys = Object.keys(Thresholds.shape);
  const missing = schemaKeys.filter((k) => !specs.has(k as ThresholdKey));
  const unknown = [...specs.keys()].filter((k) => !schemaKeys.includes(k));
  if (missing.length || unknown.length) throw new Error(`Threshold definitions and the Thresholds schema differ: missing ${missing.join(', ') || 'none'}, unknown ${unknown.join(', ') || 'none'}.`);
  return Object.fromEntries(specs) as Record<ThresholdKey, ThresholdSpec>;
})();

const each = <V>(f: (spec: ThresholdSpec) => V): Record<ThresholdKey, V> => Object.fromEntries(Object.entries(THRESHOLD_SPECS).map(([k, spec]) => [k, f(spec)])) as Record<ThresholdKey, V>;

/** Defaults, chosen for a production OLTP database (validated against the schema at load). */
export const DEFAULT_THRESHOLDS: Thresholds = each((s) => s.default);
Thresholds.parse(DEFAULT_THRESHOLDS);

/** What each threshold means (shown in the editor). */
export const THRESHOLD_DOCS: Record<ThresholdKey, string> = each((s) => s.doc);

/**
 * The base unit each threshold is stored in; the editor shows it in a human one (ratio as %, bytes
 * as MB, ms as s) and converts back, so the stored values and the checks never change meaning.
 */
export const THRESHOLD_UNITS: Record<ThresholdKey, ThresholdUnit> = each((s) => s.unit);

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
