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

/** A fix's statements, split on `;` outside quoted identifiers, string literals and comments. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === '"' || c === "'") {
      const end = closing(sql, i, c);
      cur += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl; // a comment belongs to no statement
    } else if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Index of the quote closing the one at `start` (a doubled quote is an escaped one). */
function closing(sql: string, start: number, q: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] !== q) continue;
    if (sql[i + 1] === q) i++;
    else return i;
  }
  return sql.length - 1;
}

/** CREATE INDEX CONCURRENTLY, REINDEX … CONCURRENTLY, DROP INDEX CONCURRENTLY: never inside a transaction. */
export function isConcurrent(statement: string): boolean {
  return /^(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|REINDEX\s+(INDEX|TABLE)\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY)\b/i.test(statement);
}

/** The lock each kind of statement the checks generate takes, in words an on-call DBA can act on. */
const LOCKS: [RegExp, string][] = [
  [/^(CREATE\s+(UNIQUE\s+)?INDEX|REINDEX\s+INDEX)\s+CONCURRENTLY\b/i, 'SHARE UPDATE EXCLUSIVE on the table; reads and writes continue while the index builds'],
  [/^CREATE\s+(UNIQUE\s+)?INDEX\b/i, 'SHARE on the table: writes wait while the index builds'],
  [/^ALTER\s+TABLE\b.*\bUSING\s+INDEX\b/is, 'ACCESS EXCLUSIVE on the table, briefly (the index already exists)'],
  [/^ALTER\s+TABLE\b.*\bADD\s+CONSTRAINT\b/is, 'ACCESS EXCLUSIVE on the table while the constraint\'s index builds: reads and writes wait'],
  [/^ALTER\s+TABLE\b.*\bADD\s+COLUMN\b/is, 'ACCESS EXCLUSIVE on the table, briefly (no rewrite for a constant default)'],
  [/^ALTER\s+TABLE\b/i, 'ACCESS EXCLUSIVE on the table, briefly'],
  [/^CREATE\s+POLICY\b/i, 'ACCESS EXCLUSIVE on the table, briefly'],
  [/^CREATE\s+TABLE\b/i, 'ACCESS SHARE on the model table; the new table is nobody else\'s yet'],
  [/^(GRANT|REVOKE)\b/i, 'none on table data: catalog updates only'],
  [/^ALTER\s+(FUNCTION|PROCEDURE)\b/i, 'none on table data: a catalog update of the function'],
  [/^ALTER\s+(SEQUENCE|VIEW|MATERIALIZED\s+VIEW)\b/i, 'ACCESS EXCLUSIVE on the object, briefly'],
  [/^ALTER\s+SCHEMA\b/i, 'none on table data: a catalog update of the schema'],
];

/** What a fix locks, statement by statement where they differ (for the UI beside the SQL, and the JSON). */
export function fixLockOf(sql: string): string {
  const locks = [...new Set(splitStatements(sql).map((st) => LOCKS.find(([re]) => re.test(st))?.[1] ?? 'see the statement (not classified)'))];
  return locks.join('; then ');
}

/**
 * Run a violation's fixSql on the admin pool, after the confirmation production needs. Ordinary fixes run
 * in one transaction (all of it or nothing). A fix with a CONCURRENTLY statement cannot: its statements run
 * one by one, each on its own, in order; a failure stops there (a failed concurrent build leaves an INVALID
 * index, which the error says how to remove). Journalled in <home>/tenant-fixes.jsonl, whatever the outcome.
 */
export async function applyFix(db: Database, profile: StoredProfile, violation: Violation, confirm: string | undefined, home: string): Promise<{ applied: boolean; sql: string; lock: string; durationMs: number }> {
  const sql = violation.fixSql;
  if (!sql) throw new OpsError('no_fix', `There is no mechanical fix for ${violation.kind}.`);
  requireConfirmation(profile, confirm, 'run this fix');
  const started = performance.now();
  const lock = fixLockOf(sql);
  const entry = { at: new Date().toISOString(), connection: profile.id, database: profile.database, tenant: violation.tenant, kind: violation.kind, object: violation.object, sql, lock };
  const statements = splitStatements(sql);
  try {
    if (statements.some(isConcurrent)) await runOneByOne(db, statements);
    // timeoutMs makes Database.query wrap the statements in BEGIN … COMMIT (ROLLBACK on any error).
    else await db.query(sql, [], { purpose: 'admin', timeoutMs: 120_000 });
  } catch (err) {
    await appendJournal(join(home, 'tenant-fixes.jsonl'), { ...entry, ok: false, error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  const durationMs = Math.round(performance.now() - started);
  await appendJournal(join(home, 'tenant-fixes.jsonl'), { ...entry, ok: true, durationMs });
  return { applied: true, sql, lock, durationMs };
}

/** Each statement on its own, outside any transaction (the admin session has no statement_timeout). */
async function runOneByOne(db: Database, statements: string[]): Promise<void> {
  for (const [i, st] of statements.entries()) {
    try {
      await db.query(st, [], { purpose: 'admin' });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new OpsError(
        'fix_failed',
        `Statement ${i + 1} of ${statements.length} failed: ${message}.${i > 0 ? ` The ${i} before it ran and stay applied.` : ''}`,
        isConcurrent(st) ? 'A failed concurrent build leaves an INVALID index behind (named as the index, or …_ccnew for REINDEX): remove it with DROP INDEX CONCURRENTLY, then verify again.' : 'Verify again to see what is left to fix.',
      );
    }
  }
}
