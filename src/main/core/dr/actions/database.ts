/**
 * The full-restore path of a system failure (DR-REFERENCE C.5-6): after pg_restore into the new database,
 * prove it holds what the backup held (exact counts against the manifest's, taken in the dump's own
 * snapshot), and ANALYZE it: pg_restore brings no planner statistics, and the first queries of the
 * application on a fresh database would plan blind.
 */
import type { Manifest, VerifyRecord } from '../../../../shared/domain/backups';
import { Database, databaseFromUrl } from '../../db/database';
import { compareCounts } from '../../backup/restore';
import { OpsError } from '../../util/errors';

async function opened<T>(target: string | Database, fn: (db: Database) => Promise<T>): Promise<T> {
  if (typeof target !== 'string') return fn(target);
  const db = await databaseFromUrl(target);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** ANALYZE the whole database (a URL is opened and closed here). Cancel cancels it on the server. */
export async function analyzeDatabase(target: string | Database, signal?: AbortSignal): Promise<{ database: string; durationMs: number }> {
  return opened(target, async (db) => {
    const started = Date.now();
    await db.query('ANALYZE', [], { purpose: 'admin', ...(signal ? { signal } : {}) });
    return { database: db.target.database, durationMs: Date.now() - started };
  });
}

export interface CountCheck {
  ok: boolean;
  tables: number;
  rows: number;
  /** Tables whose count differs, is missing on one side (expected or actual null). */
  mismatches: VerifyRecord['mismatches'];
}

/** Exact row counts of the manifest's schemas in this database, against the manifest's. */
export async function verifyRestoredCounts(db: Database, tables: Manifest['tables']): Promise<CountCheck> {
  const valid = Array.isArray(tables) && tables.every((t) => t && typeof t.schema === 'string' && typeof t.table === 'string' && Number.isInteger(t.rows) && t.rows >= 0);
  if (!valid) throw new OpsError('invalid_input', "tables must be the manifest's table list ({ schema, table, rows }).", 'Nothing was read.');
  const schemas = new Map([...new Set(tables.map((t) => t.schema))].map((s) => [s, s]));
  const cmp = await compareCounts(db, tables, schemas);
  return { ok: cmp.mismatches.length === 0, ...cmp };
}
