/**
 * DR readiness now (issue 11, first slice): per scenario, whether every tenant's RPO *now* meets the
 * scenario's RPO target. RPO now = the age of the newest verified backup that holds the tenant (its own,
 * an all-tenants one listing it, or a full backup of its database); the newest backup of any state is
 * shown beside it. System failure is judged per database on full backups only. A breach has no RPO.
 *
 * Read from a destination's catalog only: tenants that have never been backed up are not known here
 * (that needs the database's tenant list).
 *
 * Projected RTO per scenario: the sum over the runbook's default path (steps a decision rules out by its
 * recommended option are left out, and so are those after the runbook's `rtoEndsAfter` step) of each step's duration: for the restore steps, the seconds per byte
 * drills measured times the size of the backup that would be restored; for other actions, the median
 * drills measured; else the runbook's expected duration. Deletion is projected per tenant (its newest
 * backup's size), system failure per database (its newest full backup); the worst one is the scenario's.
 */
import type { CatalogEntry } from '../../../shared/domain/backups';
import type { DrillRecord, Protection, ProjectedRto, Readiness, Runbook, ScenarioReadiness } from '../../../shared/domain/dr';
import { covers } from '../backup/catalog';
import { measuredDurations } from './journal';

export type { Protection, Readiness, ScenarioReadiness };

const age = (e: CatalogEntry, now: number) => Math.max(0, Math.round((now - Date.parse(e.finishedAt)) / 1000));

function protection(held: CatalogEntry[], now: number, key: { database: string; tenant?: string }): Protection {
  // Entries are newest first (readCatalog).
  const newest = held[0]!;
  const verified = held.find((e) => e.verified?.ok);
  return { ...key, ...(verified ? { verifiedAgeSec: age(verified, now), newestVerified: verified.id } : {}), newestAgeSec: age(newest, now), newest: newest.id };
}

/** The steps a run takes when every decision goes the recommended way, up to the one that stops the RTO clock. */
function defaultPath(r: Runbook): Runbook['steps'] {
  const end = r.rtoEndsAfter ? r.steps.findIndex((s) => s.id === r.rtoEndsAfter) : r.steps.length - 1;
  return r.steps.slice(0, end + 1).filter((s) => {
    if (!s.when) return true;
    const d = r.steps.find((x) => x.id === s.when!.step);
    return (d?.options?.find((o) => o.recommended) ?? d?.options?.[0])?.id === s.when.option;
  });
}

const RESTORES = new Set(['restore_beside', 'full_restore']);

/** Seconds per byte of each restore action, the median over the drills that measured it with a size. */
function restoreRates(drills: DrillRecord[]): Record<string, number> {
  const by = new Map<string, number[]>();
  for (const d of drills) {
    if (!d.bytes) continue;
    for (const s of d.steps) if (s.action && RESTORES.has(s.action) && s.status === 'succeeded' && s.durationSec !== undefined) by.set(s.action, [...(by.get(s.action) ?? []), s.durationSec / d.bytes]);
  }
  return Object.fromEntries([...by].map(([a, xs]) => [a, [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!]));
}

/** The bytes of the newest backup holding each tenant (a share of an all-tenants one), and of each database's newest full backup. */
function sizes(sorted: CatalogEntry[]): { tenant: Map<string, number>; database: Map<string, number> } {
  const tenant = new Map<string, number>();
  const database = new Map<string, number>();
  for (const e of sorted) {
    if (e.kind === 'full' && !database.has(e.database)) database.set(e.database, e.bytes);
    const held = e.tenant ? [e.tenant] : ((e as { _tenants?: string[] })._tenants ?? []);
    for (const t of held) if (!tenant.has(`${e.database}\0${t}`)) tenant.set(`${e.database}\0${t}`, e.bytes / Math.max(1, held.length));
  }
  return { tenant, database };
}

export interface RtoOptions {
  /** Past drills (all scenarios): their measured durations. */
  drills?: DrillRecord[];
  /** RTO targets overridden for this connection. */
  rtoTargets?: Partial<Record<string, number>>;
}

function projectRto(r: Runbook, drills: DrillRecord[], rows: { database: string; tenant?: string; bytes?: number }[], targetSec: number): ProjectedRto {
  const ofScenario = drills.filter((d) => d.scenario === r.scenario && d.outcome === 'succeeded');
  const measured = measuredDurations(ofScenario);
  const rates = restoreRates(ofScenario);
  const steps = defaultPath(r);
  const project = (bytes?: number) =>
    steps.reduce((sum, s) => {
      const rate = s.action ? rates[s.action] : undefined;
      if (rate !== undefined && bytes !== undefined) return sum + rate * bytes;
      return sum + ((s.action ? measured[s.action] : undefined) ?? s.expectedDurationSec);
    }, 0);
  const each = (rows.length ? rows : [{ database: '' }]).map((row) => ({ ...row, projectedSec: Math.round(project(row.bytes)) }));
  const worst = Math.max(...each.map((e) => e.projectedSec));
  const wouldMiss = each
    .filter((e) => e.projectedSec > targetSec && e.database)
    .sort((a, b) => b.projectedSec - a.projectedSec)
    .slice(0, 100)
    .map((e) => ({ database: e.database, ...(e.tenant ? { tenant: e.tenant } : {}), projectedSec: e.projectedSec }));
  return { targetSec, projectedSec: worst, meets: worst <= targetSec, basis: ofScenario.length ? 'drills' : 'expected', drills: ofScenario.length, wouldMiss };
}

export function readiness(entries: CatalogEntry[], runbooks: Runbook[], now = Date.now(), opts: RtoOptions = {}): Readiness {
  const sorted = [...entries].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const databases = [...new Set(sorted.map((e) => e.database))].sort();
  const tenants: Protection[] = [];
  const dbs: Protection[] = [];
  for (const database of databases) {
    const ofDb = sorted.filter((e) => e.database === database);
    const full = ofDb.filter((e) => e.kind === 'full');
    if (full.length) dbs.push(protection(full, now, { database }));
    const names = new Set(ofDb.flatMap((e) => (e.tenant ? [e.tenant] : ((e as { _tenants?: string[] })._tenants ?? []))));
    for (const tenant of [...names].sort()) {
      const held = ofDb.filter((e) => e.kind === 'full' || covers(e, tenant));
      tenants.push(protection(held, now, { database, tenant }));
    }
  }
  const judge = (rows: Protection[], target: number) => rows.filter((p) => p.verifiedAgeSec === undefined || p.verifiedAgeSec > target);
  const size = sizes(sorted);
  const scenarios = runbooks.map((r): ScenarioReadiness => {
    const projected =
      r.scenario === 'deletion' ? tenants.map((p) => ({ database: p.database, tenant: p.tenant!, bytes: size.tenant.get(`${p.database}\0${p.tenant!}`) })) : r.scenario === 'system-failure' ? databases.map((database) => ({ database, bytes: size.database.get(database) })) : [];
    const rto = projectRto(r, opts.drills ?? [], projected, opts.rtoTargets?.[r.scenario] ?? r.rto.targetSec);
    const head = { scenario: r.scenario, title: r.title, ...(r.rpo ? { rpoTargetSec: r.rpo.targetSec } : {}), rto };
    if (!r.rpo) return { ...head, basis: 'none', meets: null, judged: 0, missing: [] };
    const basis = r.scenario === 'system-failure' ? 'database' : 'tenant';
    const rows = basis === 'database' ? dbs : tenants;
    // A database with backups but no full one cannot survive the loss of its host.
    const unprotected: Protection[] = basis === 'database' ? databases.filter((d) => !dbs.some((p) => p.database === d)).map((database) => ({ database })) : [];
    const missing = [...unprotected, ...judge(rows, r.rpo.targetSec)];
    // Nothing backed up at all meets no target.
    return { ...head, basis, meets: rows.length + unprotected.length > 0 && missing.length === 0, judged: rows.length + unprotected.length, missing };
  });
  return { generatedAt: new Date(now).toISOString(), scenarios, tenants, databases: dbs };
}
