/**
 * The catalog is read from the destination's manifests (and verify records), so a new machine sees
 * every backup. Filtered by tenant, kind and date; paged with an opaque cursor (the last name seen).
 */
import type { CatalogEntry, LastBackup, LastBackups, RetentionPlan, RetentionRule } from '../../../shared/domain/backups';
import { Manifest, VerifyRecord } from '../../../shared/domain/backups';
import { OpsError } from '../util/errors';
import type { Destination } from './destination';
import { SUFFIX } from './naming';

export interface CatalogFilter {
  tenant?: string;
  kind?: CatalogEntry['kind'];
  since?: string;
  until?: string;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (i < items.length) {
        const k = i++;
        out[k] = await fn(items[k]!);
      }
    }),
  );
  return out;
}

/** Every backup at the destination, newest first. Manifests that do not parse are skipped. */
export async function readCatalog(dest: Destination, now = Date.now()): Promise<CatalogEntry[]> {
  const names = (await dest.list(SUFFIX.manifest)).map((n) => n.slice(0, -SUFFIX.manifest.length));
  const verifyNames = new Set((await dest.list(SUFFIX.verify)).map((n) => n.slice(0, -SUFFIX.verify.length)));
  const entries = await mapLimit(names, 16, async (name): Promise<CatalogEntry | undefined> => {
    const raw = await dest.readSmall(name + SUFFIX.manifest);
    if (!raw) return undefined;
    let m: Manifest;
    try {
      m = Manifest.parse(JSON.parse(raw.toString('utf8')));
    } catch {
      return undefined;
    }
    let verified: CatalogEntry['verified'];
    let verifyAttempt: CatalogEntry['verifyAttempt'];
    if (verifyNames.has(name)) {
      try {
        const v = VerifyRecord.parse(JSON.parse((await dest.readSmall(name + SUFFIX.verify))?.toString('utf8') ?? 'null'));
        if (v.status === 'could-not-verify') verifyAttempt = { at: v.verifiedAt, reason: v.error ?? 'could not verify' };
        else verified = { ok: v.ok, at: v.verifiedAt, ...(v.ok ? {} : { detail: v.error ?? `${v.mismatches.length} tables differ` }) };
      } catch {
        // An unreadable verify record counts as not verified.
      }
    }
    return {
      id: m.id,
      kind: m.kind,
      ...(m.tenant ? { tenant: m.tenant } : {}),
      ...(m.tenants ? { tenantCount: m.tenants.length } : {}),
      database: m.database.name,
      finishedAt: m.finishedAt,
      ageSec: Math.max(0, Math.round((now - Date.parse(m.finishedAt)) / 1000)),
      bytes: m.ciphertext.bytes,
      keyId: m.encryption.keyId,
      location: dest.locate(m.files.dump),
      manifest: dest.locate(name + SUFFIX.manifest),
      ...(verified ? { verified } : {}),
      ...(verifyAttempt ? { verifyAttempt } : {}),
      // Kept for filtering by tenant; not part of the entry's shape.
      ...({ _tenants: m.tenants } as object),
    } as CatalogEntry;
  });
  return entries.filter((e): e is CatalogEntry => Boolean(e)).sort((a, b) => b.finishedAt.localeCompare(a.finishedAt) || b.id.localeCompare(a.id));
}

/** Whether a tenant or all-tenants entry holds the tenant (a full backup's tenants are not listed). */
export function covers(e: CatalogEntry, tenant: string): boolean {
  return e.tenant === tenant || Boolean((e as { _tenants?: string[] })._tenants?.includes(tenant));
}

export function filterCatalog(entries: CatalogEntry[], f: CatalogFilter): CatalogEntry[] {
  return entries.filter((e) => (!f.tenant || covers(e, f.tenant)) && (!f.kind || e.kind === f.kind) && (!f.since || e.finishedAt >= f.since) && (!f.until || e.finishedAt <= f.until));
}

/**
 * The newest backup protecting each tenant of a database (its own, or an all-tenants backup that holds it),
 * and the newest full backup, which protects them all: the achieved RPO per tenant.
 */
export function lastBackups(entries: CatalogEntry[], database: string): LastBackups {
  const byTenant: LastBackups['byTenant'] = {};
  let lastFull: LastBackup | undefined;
  // Entries are newest first: the first one seen for a tenant is its last backup.
  for (const e of entries) {
    if (e.database !== database) continue;
    const last: LastBackup = { finishedAt: e.finishedAt, kind: e.kind, ...(e.verified ? { verified: e.verified.ok } : {}) };
    if (e.kind === 'full') lastFull ??= last;
    const tenants = e.tenant ? [e.tenant] : ((e as { _tenants?: string[] })._tenants ?? []);
    for (const t of tenants) byTenant[t] ??= last;
  }
  return { byTenant, ...(lastFull ? { lastFull } : {}) };
}

/** An entry as it leaves the core: without the tenant list kept for filtering (thousands of names). */
export function publicEntry({ ...e }: CatalogEntry): CatalogEntry {
  delete (e as { _tenants?: unknown })._tenants;
  return e;
}

export function pageCatalog(entries: CatalogEntry[], cursor: string | undefined, limit = 50): { entries: CatalogEntry[]; nextCursor?: string; total: number } {
  const start = cursor ? entries.findIndex((e) => e.id === cursor) + 1 : 0;
  const page = entries.slice(start, start + Math.min(100, limit)).map(publicEntry);
  const last = page[page.length - 1];
  return { entries: page, total: entries.length, ...(last && start + page.length < entries.length ? { nextCursor: last.id } : {}) };
}

/**
 * Retention: per kind and tenant (or database), keep the last N and/or the last D days; never delete a
 * tenant's newest verified backup (nor a group's newest backup).
 */
export function planRetention(entries: CatalogEntry[], rule: RetentionRule, dryRun: boolean, now = Date.now()): RetentionPlan {
  if (!rule.keepLast && !rule.keepDays) throw new OpsError('retention_unset', 'No retention rule: give keep-last and/or keep-days.', 'e.g. --keep-last 7 --keep-days 30');
  const keep = new Map<string, string>();
  const groups = new Map<string, CatalogEntry[]>();
  for (const e of entries) {
    const g = `${e.kind}:${e.tenant ?? e.database}`;
    groups.set(g, [...(groups.get(g) ?? []), e]);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
    list.forEach((e, i) => {
      if (i === 0) keep.set(e.id, 'newest of its kind');
      else if (rule.keepLast && i < rule.keepLast) keep.set(e.id, `within the last ${rule.keepLast}`);
      else if (rule.keepDays && now - Date.parse(e.finishedAt) < rule.keepDays * 86_400_000) keep.set(e.id, `younger than ${rule.keepDays} days`);
    });
  }
  // Each tenant's newest verified backup stays, whether it is a tenant or an all-tenants backup.
  const tenants = new Set<string>();
  for (const e of entries) {
    if (e.tenant) tenants.add(e.tenant);
    for (const t of (e as { _tenants?: string[] })._tenants ?? []) tenants.add(t);
  }
  for (const t of tenants) {
    const newest = entries.filter((e) => covers(e, t) && e.verified?.ok).sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
    if (newest && !keep.has(newest.id)) keep.set(newest.id, `newest verified backup of ${t}`);
  }
  const del = entries.filter((e) => !keep.has(e.id));
  return {
    dryRun,
    keep: [...keep].map(([id, reason]) => ({ id, reason })),
    delete: del.map((e) => ({ id: e.id, kind: e.kind, ...(e.tenant ? { tenant: e.tenant } : {}), finishedAt: e.finishedAt, bytes: e.bytes })),
    deletedBytes: del.reduce((a, e) => a + e.bytes, 0),
  };
}

/** Delete a backup: the manifest first, so a half-deleted backup never looks whole. */
export async function deleteBackup(dest: Destination, id: string): Promise<void> {
  await dest.remove(id + SUFFIX.manifest);
  for (const s of [SUFFIX.dump, SUFFIX.script, SUFFIX.verify, SUFFIX.globals]) await dest.remove(id + s);
}

export async function applyRetention(dest: Destination, rule: RetentionRule, dryRun: boolean): Promise<RetentionPlan> {
  const plan = planRetention(await readCatalog(dest), rule, dryRun);
  if (!dryRun) for (const d of plan.delete) await deleteBackup(dest, d.id);
  return plan;
}
