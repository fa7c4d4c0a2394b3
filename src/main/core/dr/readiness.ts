/**
 * DR readiness now (issue 11, first slice): per scenario, whether every tenant's RPO *now* meets the
 * scenario's RPO target. RPO now = the age of the newest verified backup that holds the tenant (its own,
 * an all-tenants one listing it, or a full backup of its database); the newest backup of any state is
 * shown beside it. System failure is judged per database on full backups only. A breach has no RPO.
 *
 * Read from a destination's catalog only: tenants that have never been backed up are not known here
 * (that needs the database's tenant list), and the projected RTO is not computed yet.
 */
import type { CatalogEntry } from '../../../shared/domain/backups';
import type { Runbook, Scenario } from '../../../shared/domain/dr';
import { covers } from '../backup/catalog';

export interface Protection {
  database: string;
  tenant?: string;
  /** Age in seconds of the newest verified (restorable) backup holding it; absent: none verified. */
  verifiedAgeSec?: number;
  /** Absent: no backup of that kind at all (a database without a full backup). */
  newestAgeSec?: number;
  newestVerified?: string;
  newest?: string;
}

export interface ScenarioReadiness {
  scenario: Scenario;
  title: string;
  rpoTargetSec?: number;
  /** What is judged: each tenant, or each database (system failure: full backups). */
  basis: 'tenant' | 'database' | 'none';
  /** null: no RPO target (a breach loses no data). */
  meets: boolean | null;
  judged: number;
  missing: Protection[];
}

export interface Readiness {
  generatedAt: string;
  scenarios: ScenarioReadiness[];
  tenants: Protection[];
  databases: Protection[];
}

const age = (e: CatalogEntry, now: number) => Math.max(0, Math.round((now - Date.parse(e.finishedAt)) / 1000));

function protection(held: CatalogEntry[], now: number, key: { database: string; tenant?: string }): Protection {
  // Entries are newest first (readCatalog).
  const newest = held[0]!;
  const verified = held.find((e) => e.verified?.ok);
  return { ...key, ...(verified ? { verifiedAgeSec: age(verified, now), newestVerified: verified.id } : {}), newestAgeSec: age(newest, now), newest: newest.id };
}

export function readiness(entries: CatalogEntry[], runbooks: Runbook[], now = Date.now()): Readiness {
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
  const scenarios = runbooks.map((r): ScenarioReadiness => {
    const head = { scenario: r.scenario, title: r.title, ...(r.rpo ? { rpoTargetSec: r.rpo.targetSec } : {}) };
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
