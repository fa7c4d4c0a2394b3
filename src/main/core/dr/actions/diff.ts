/**
 * Diff a restored copy against the live tenant (DR-REFERENCE B.5): per table of the copy, row counts on both
 * sides and, by primary key, the rows missing in live (deleted after the backup), changed in live, and added
 * in live after the backup, with a few keys of each. Tables without a primary key compare whole rows
 * (EXCEPT ALL, so duplicates count): missing and added, never "changed" (without a key a changed row is one
 * missing plus one added). The table list and keys come from one catalog query; then one statement per table
 * counts (a FULL JOIN on the key), and small LIMITed statements fetch samples only where there is something
 * to show. Everything runs in one REPEATABLE READ READ ONLY transaction: every table as of one moment.
 */
import pg, { type PoolClient } from 'pg';
import type { Database } from '../../db/database';
import { OpsError } from '../../util/errors';
import { copyAndLive, inTransaction, requireSchemas } from './session';
import { cols, commonColumns, copyTables, joinKey, keyJoin, q, qualified, type CopyTable } from './tables';

export interface TableDiff {
  table: string;
  /** The key rows were matched on; null: whole rows (the table has no primary key). */
  key: string[] | null;
  /** false: the live tenant has no such table (dropped after the backup). */
  inLive: boolean;
  copyRows: number;
  liveRows: number;
  missingInLive: number;
  /** Rows whose key is on both sides with other values; null without a key. */
  changedInLive: number | null;
  addedInLive: number;
  /** Keys ({column: value}) of missing / changed / added rows; whole rows for a table without a key. */
  samples: { missing: unknown[]; changed: unknown[]; added: unknown[] };
  /** What the reader must know: no key, columns only one side has. */
  notes: string[];
}

export interface DiffResult {
  copy: string;
  live: string;
  tables: TableDiff[];
  droppedInLive: string[];
  totals: { tables: number; copyRows: number; liveRows: number; missingInLive: number; changedInLive: number; addedInLive: number };
}

interface Counts {
  copy_rows: number;
  live_rows: number;
  missing: number;
  changed: number | null;
  added: number;
}

const rowText = (alias: string, names: string[]) => `ROW(${cols(alias, names)})::text`;
const keyObject = (alias: string, key: string[]) => `json_build_object(${key.map((k) => `${pg.escapeLiteral(k)}, ${alias}.${q(k)}`).join(', ')})`;

async function keyedDiff(client: PoolClient, copy: string, live: string, t: CopyTable, key: string[], names: string[], n: number): Promise<Omit<TableDiff, 'table' | 'key' | 'inLive' | 'notes'>> {
  const c = qualified(copy, t.table);
  const l = qualified(live, t.table);
  const first = q(key[0]!); // key columns are NOT NULL: a NULL one means "no row on that side"
  const differs = `${rowText('c', names)} IS DISTINCT FROM ${rowText('l', names)}`;
  const counts = (
    await client.query<Counts>(
      `SELECT count(c.${first}) AS copy_rows, count(l.${first}) AS live_rows,
              count(*) FILTER (WHERE l.${first} IS NULL) AS missing,
              count(*) FILTER (WHERE c.${first} IS NOT NULL AND l.${first} IS NOT NULL AND ${differs}) AS changed,
              count(*) FILTER (WHERE c.${first} IS NULL) AS added
       FROM ONLY ${c} c FULL JOIN ONLY ${l} l ON ${keyJoin('c', 'l', key)}`,
    )
  ).rows[0]!;
  const order = cols('x', key);
  const sample = async (count: number, sql: string) => (count > 0 && n > 0 ? (await client.query<{ k: unknown }>(`${sql} ORDER BY ${order} LIMIT ${n}`)).rows.map((r) => r.k) : []);
  return {
    copyRows: counts.copy_rows,
    liveRows: counts.live_rows,
    missingInLive: counts.missing,
    changedInLive: counts.changed,
    addedInLive: counts.added,
    samples: {
      missing: await sample(counts.missing, `SELECT ${keyObject('x', key)} AS k FROM ONLY ${c} x WHERE NOT EXISTS (SELECT 1 FROM ONLY ${l} l WHERE ${keyJoin('l', 'x', key)})`),
      changed: await sample(counts.changed ?? 0, `SELECT ${keyObject('x', key)} AS k FROM ONLY ${c} x JOIN ONLY ${l} l ON ${keyJoin('x', 'l', key)} WHERE ${rowText('x', names)} IS DISTINCT FROM ${rowText('l', names)}`),
      added: await sample(counts.added, `SELECT ${keyObject('x', key)} AS k FROM ONLY ${l} x WHERE NOT EXISTS (SELECT 1 FROM ONLY ${c} c WHERE ${keyJoin('c', 'x', key)})`),
    },
  };
}

async function wholeRowDiff(client: PoolClient, copy: string, live: string, t: CopyTable, names: string[], n: number): Promise<Omit<TableDiff, 'table' | 'key' | 'inLive' | 'notes'>> {
  const c = qualified(copy, t.table);
  const l = qualified(live, t.table);
  const list = cols('t', names);
  const sql = `WITH m AS (SELECT ${list} FROM ONLY ${c} t EXCEPT ALL SELECT ${list} FROM ONLY ${l} t),
                    a AS (SELECT ${list} FROM ONLY ${l} t EXCEPT ALL SELECT ${list} FROM ONLY ${c} t)
               SELECT (SELECT count(*) FROM ONLY ${c}) AS copy_rows, (SELECT count(*) FROM ONLY ${l}) AS live_rows,
                      (SELECT count(*) FROM m) AS missing, NULL::bigint AS changed, (SELECT count(*) FROM a) AS added,
                      (SELECT coalesce(json_agg(row_to_json(s)), '[]') FROM (SELECT * FROM m ORDER BY m::text LIMIT ${n}) s) AS missing_sample,
                      (SELECT coalesce(json_agg(row_to_json(s)), '[]') FROM (SELECT * FROM a ORDER BY a::text LIMIT ${n}) s) AS added_sample`;
  let r: Counts & { missing_sample: unknown[]; added_sample: unknown[] };
  try {
    r = (await client.query<typeof r>(sql)).rows[0]!;
  } catch (err) {
    if ((err as { code?: string }).code === '42883') {
      throw new OpsError('diff_failed', `Table ${t.table} has no primary key, and its rows cannot be compared whole: ${(err as Error).message}.`, 'Give the table a primary key (or compare it by hand with a cast to text); nothing was changed.');
    }
    throw err;
  }
  return { copyRows: r.copy_rows, liveRows: r.live_rows, missingInLive: r.missing, changedInLive: null, addedInLive: r.added, samples: { missing: r.missing_sample, changed: [], added: r.added_sample } };
}

function sampleSize(value: unknown): number {
  if (value === undefined) return 5;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) throw new OpsError('invalid_input', `sampleSize must be a whole number from 0 to 100, got ${JSON.stringify(value)}.`, 'Nothing was changed.');
  return value;
}

/** Notes on what a table's comparison can and cannot see. */
export function tableNotes(t: CopyTable): string[] {
  const notes: string[] = [];
  if (!t.key) notes.push('no primary key: rows compared whole (EXCEPT ALL); a changed row counts as one missing and one added');
  else if (!joinKey(t)) notes.push(`the live table lacks a primary key column (${t.key.join(', ')}): rows compared whole`);
  const live = new Set((t.liveColumns ?? []).map((c) => c.name));
  const copy = new Set(t.copyColumns.map((c) => c.name));
  const onlyCopy = t.copyColumns.filter((c) => !live.has(c.name)).map((c) => c.name);
  const onlyLive = (t.liveColumns ?? []).filter((c) => !copy.has(c.name)).map((c) => c.name);
  if (t.liveColumns && onlyCopy.length) notes.push(`columns only in the copy (dropped in live): ${onlyCopy.join(', ')}`);
  if (onlyLive.length) notes.push(`columns only in live (added after the backup): ${onlyLive.join(', ')}`);
  return notes;
}

export async function diffSchemas(db: Database, input: { copy: string; live: string; sampleSize?: number }, signal?: AbortSignal): Promise<DiffResult> {
  const { copy, live } = copyAndLive(input);
  const n = sampleSize(input.sampleSize);
  return inTransaction(db, { what: `The diff of ${copy} against ${live}`, readOnly: true, signal }, async (client) => {
    await requireSchemas(client, [copy, live]);
    const tables: TableDiff[] = [];
    for (const t of await copyTables(client, copy, live)) {
      if (signal?.aborted) break; // inTransaction reports the cancel
      if (!t.liveColumns) {
        const rows = (await client.query<{ n: number }>(`SELECT count(*) AS n FROM ONLY ${qualified(copy, t.table)}`)).rows[0]!.n;
        const sample = n > 0 ? (await client.query<{ k: unknown }>(`SELECT row_to_json(t) AS k FROM ONLY ${qualified(copy, t.table)} t LIMIT ${n}`)).rows.map((r) => r.k) : [];
        tables.push({ table: t.table, key: t.key, inLive: false, copyRows: rows, liveRows: 0, missingInLive: rows, changedInLive: 0, addedInLive: 0, samples: { missing: sample, changed: [], added: [] }, notes: ['dropped in live: every row of the copy is missing'] });
        continue;
      }
      const names = commonColumns(t).map((c) => c.name);
      const key = joinKey(t);
      const d = key ? await keyedDiff(client, copy, live, t, key, names, n) : await wholeRowDiff(client, copy, live, t, names, n);
      tables.push({ table: t.table, key, inLive: true, ...d, notes: tableNotes(t) });
    }
    const sum = (f: (t: TableDiff) => number) => tables.reduce((s, t) => s + f(t), 0);
    return {
      copy,
      live,
      tables,
      droppedInLive: tables.filter((t) => !t.inLive).map((t) => t.table),
      totals: { tables: tables.length, copyRows: sum((t) => t.copyRows), liveRows: sum((t) => t.liveRows), missingInLive: sum((t) => t.missingInLive), changedInLive: sum((t) => t.changedInLive ?? 0), addedInLive: sum((t) => t.addedInLive) },
    };
  });
}
