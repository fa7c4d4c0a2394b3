/**
 * Exact row counts of every ordinary table in some schemas (resources/sql/backup/row_counts.sql), a batch
 * of tables per statement: each count locks its table until its transaction ends, so 80,000 tables (10,000
 * tenants) in one statement overflow a stock lock table. Every caller's statement releases its batch's
 * locks: an autocommit statement by itself, the backup's snapshot transaction through a savepoint.
 */
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';

export interface RowCount {
  schema: string;
  table: string;
  rows: number;
}

/** Tables counted per statement; with pg_dump's own locks, what an all-tenants backup's lock table holds. */
export const COUNT_BATCH = 2000;

/** Runs row_counts.sql with these parameters as one statement. */
export type RunCounts = (text: string, params: unknown[]) => Promise<(RowCount & { oid: number })[]>;

/** The order of names in the catalog (type name sorts bytewise, as C). */
const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function countTableRows(run: RunCounts, schemas: string[]): Promise<RowCount[]> {
  const text = loadSql('backup/row_counts');
  const counts: RowCount[] = [];
  for (let after = 0; ; ) {
    const batch = await run(text, [schemas, after, COUNT_BATCH]);
    counts.push(...batch.map((r) => ({ schema: r.schema, table: r.table, rows: Number(r.rows) })));
    if (batch.length < COUNT_BATCH) break;
    after = batch[batch.length - 1]!.oid;
  }
  return counts.sort((a, b) => byBytes(a.schema, b.schema) || byBytes(a.table, b.table));
}

/** The same on a Database, each batch an autocommit statement on its admin sessions. */
export function countTableRowsIn(db: Database, schemas: string[]): Promise<RowCount[]> {
  return countTableRows(async (text, params) => (await db.query<RowCount & { oid: number }>(text, params, { purpose: 'admin' })).rows, schemas);
}
