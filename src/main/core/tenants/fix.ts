import { join } from 'node:path';
import type { VerifyResult, Violation } from '../../../shared/domain/tenants';
import { requireConfirmation } from '../connections/service';
import type { StoredProfile } from '../connections/settings';
import type { Database } from '../db/database';
import { appendJournal } from '../store/files';
import { OpsError } from '../util/errors';

export interface FixRequest {
  tenant: string | null;
  kind: Violation['kind'];
  object?: string | undefined;
  /** The database name typed back; required on production. */
  confirm?: string | undefined;
}

/** The violation of a verification that a request names, or a clear error. */
export function findViolation(result: VerifyResult | undefined, req: FixRequest): Violation {
  if (!result) throw new OpsError('not_verified', 'There is no verification to fix from.', 'Run the verification first; nothing was changed.');
  const v = result.violations.find((x) => x.tenant === req.tenant && x.kind === req.kind && (x.object ?? undefined) === (req.object ?? undefined));
  if (!v) throw new OpsError('not_found', 'That violation is not in the last verification.', 'Run the verification again; nothing was changed.');
  if (!v.fixSql) throw new OpsError('no_fix', `There is no mechanical fix for ${v.kind}.`, 'Fix it by hand; the detail says what differs.');
  return v;
}

/**
 * Run a violation's fixSql on the admin pool, in one transaction (all of it or nothing), after the
 * confirmation production needs. Journalled in <home>/tenant-fixes.jsonl, whatever the outcome.
 */
export async function applyFix(db: Database, profile: StoredProfile, violation: Violation, confirm: string | undefined, home: string): Promise<{ applied: boolean; sql: string; durationMs: number }> {
  const sql = violation.fixSql;
  if (!sql) throw new OpsError('no_fix', `There is no mechanical fix for ${violation.kind}.`);
  requireConfirmation(profile, confirm, 'run this fix');
  const started = performance.now();
  const entry = { at: new Date().toISOString(), connection: profile.id, database: profile.database, tenant: violation.tenant, kind: violation.kind, object: violation.object, sql };
  try {
    // timeoutMs makes Database.query wrap the statements in BEGIN … COMMIT (ROLLBACK on any error).
    await db.query(sql, [], { purpose: 'admin', timeoutMs: 120_000 });
  } catch (err) {
    await appendJournal(join(home, 'tenant-fixes.jsonl'), { ...entry, ok: false, error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  const durationMs = Math.round(performance.now() - started);
  await appendJournal(join(home, 'tenant-fixes.jsonl'), { ...entry, ok: true, durationMs });
  return { applied: true, sql, durationMs };
}
