/**
 * Merge back (DR-REFERENCE B.5): re-insert the rows of a restored copy that are missing in the live tenant,
 * never touching a row of live (rows written after the backup stay as they are; a changed row stays
 * changed). planMerge generates the SQL, to be shown and confirmed; runMerge runs exactly that in one
 * transaction. Per table, in foreign-key order (parents first, from the live schema's constraints):
 *
 *   INSERT INTO live.t (cols) [OVERRIDING SYSTEM VALUE] SELECT c.cols FROM ONLY copy.t c
 *   WHERE NOT EXISTS (SELECT 1 FROM ONLY live.t l WHERE l.key = c.key) ON CONFLICT DO NOTHING
 *
 * The anti-join keeps the statement to the missing rows (one hash join, not a conflict probe per row);
 * ON CONFLICT DO NOTHING skips a row another unique key now holds in live (it is reported as expected but
 * not inserted). Tables without a primary key insert `copy EXCEPT ALL live`. The columns are those both
 * sides have, less live's stored generated columns; GENERATED ALWAYS identity columns need OVERRIDING
 * SYSTEM VALUE. Afterwards every sequence feeding a merged table is moved past the largest value (setval,
 * never backwards), so the application's next insert does not collide with a row brought back.
 */
import pg from 'pg';
import type { Database } from '../../db/database';
import { OpsError } from '../../util/errors';
import type { DiffResult } from './diff';
import { copyAndLive, inTransaction, requireSchemas } from './session';
import { cols, commonColumns, copyTables, joinKey, keyJoin, q, qualified, type CopyTable } from './tables';

export interface MergeStatement {
  table: string;
  sql: string;
  /** Rows missing in live when planned (the diff's count): what the statement should insert. */
  expectedRows: number;
}

export interface SequenceBump {
  table: string;
  column: string;
  sequence: string;
  sql: string;
}

export interface MergePlan {
  copy: string;
  live: string;
  /** Only tables with rows to bring back, in `order`. */
  statements: MergeStatement[];
  /** Every table of the copy that live has, parents before children. */
  order: string[];
  sequences: SequenceBump[];
  /** The foreign keys among the tables form a cycle of deferrable constraints: checked at COMMIT. */
  deferConstraints: boolean;
  /** Tables of the copy that live no longer has: a merge cannot bring them back (restore and swap instead). */
  skipped: { table: string; reason: string }[];
  notes: string[];
}

export interface MergeResult {
  copy: string;
  live: string;
  inserted: { table: string; rows: number; expectedRows: number }[];
  total: number;
  sequences: { sequence: string; value: number }[];
}

interface Generated {
  insert: string;
  count: string;
  sequences: SequenceBump[];
}

/** The statements for one table: the INSERT, the count of what it would insert, and the sequence bumps. */
function generate(copy: string, live: string, t: CopyTable): Generated {
  const c = qualified(copy, t.table);
  const l = qualified(live, t.table);
  const target = commonColumns(t).filter((x) => !x.generated);
  const names = target.map((x) => x.name);
  const overriding = target.some((x) => x.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : '';
  const key = joinKey(t);
  const source = key
    ? `SELECT ${cols('c', names)} FROM ONLY ${c} c WHERE NOT EXISTS (SELECT 1 FROM ONLY ${l} l WHERE ${keyJoin('l', 'c', key)})`
    : `SELECT ${cols('c', names)} FROM ONLY ${c} c EXCEPT ALL SELECT ${cols('l', names)} FROM ONLY ${l} l`;
  const insert = `INSERT INTO ${l} (${names.map(q).join(', ')})${overriding} ${source}${key ? ' ON CONFLICT DO NOTHING' : ''}`;
  const sequences = t.sequences
    .filter((s) => s.increment > 0)
    .map((s) => ({
      table: t.table,
      column: s.column,
      sequence: s.sequence,
      // is_called false: the next nextval returns last_value itself, so last_value - 1 was "used".
      sql: `SELECT pg_catalog.setval(${pg.escapeLiteral(s.sequence)}::regclass, x.m) AS value FROM (SELECT max(${q(s.column)}) AS m FROM ONLY ${l}) x, ${s.sequence} s WHERE x.m > CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END`,
    }));
  return { insert, count: `SELECT count(*) AS n FROM (${source}) x`, sequences };
}

/** Parents before children (Kahn, ties by name); the rest of a cycle of deferrable keys last, or a refusal. */
export function foreignKeyOrder(tables: Pick<CopyTable, 'table' | 'references'>[]): { order: string[]; deferConstraints: boolean } {
  const names = new Set(tables.map((t) => t.table));
  const pending = new Map(tables.map((t) => [t.table, t.references.filter((r) => names.has(r.table))]));
  const order: string[] = [];
  for (;;) {
    const ready = [...pending].filter(([, refs]) => refs.every((r) => !pending.has(r.table))).map(([t]) => t).sort();
    if (!ready.length) break;
    for (const t of ready) {
      order.push(t);
      pending.delete(t);
    }
  }
  if (!pending.size) return { order, deferConstraints: false };
  const cycle = [...pending.keys()].sort();
  const fixed = [...pending].flatMap(([t, refs]) => refs.filter((r) => pending.has(r.table) && !r.deferrable).map((r) => `${t} -> ${r.table}`));
  if (fixed.length) {
    throw new OpsError('fk_cycle', `The foreign keys of ${cycle.join(', ')} form a cycle (${fixed.join(', ')} not deferrable): no order inserts parents before children.`, 'Make those constraints DEFERRABLE, or merge these tables by hand; nothing was changed.');
  }
  return { order: [...order, ...cycle], deferConstraints: true };
}

interface Planned {
  tables: CopyTable[];
  order: string[];
  deferConstraints: boolean;
  generated: Map<string, Generated>;
}

async function planned(client: pg.PoolClient, copy: string, live: string): Promise<Planned> {
  await requireSchemas(client, [copy, live]);
  const tables = await copyTables(client, copy, live);
  // (a live table sharing no insertable column with the copy has nothing a merge could bring back)
  const present = tables.filter((t) => t.liveColumns && commonColumns(t).some((c) => !c.generated));
  const { order, deferConstraints } = foreignKeyOrder(present);
  return { tables, order, deferConstraints, generated: new Map(present.map((t) => [t.table, generate(copy, live, t)])) };
}

function missingFrom(diff: DiffResult | undefined, copy: string, live: string): Map<string, number> | undefined {
  if (!diff) return undefined;
  if (diff.copy !== copy || diff.live !== live) throw new OpsError('invalid_input', `The diff given compares ${diff.copy} with ${diff.live}, not ${copy} with ${live}.`, 'Pass the diff of the same two schemas, or none; nothing was changed.');
  return new Map(diff.tables.filter((t) => t.inLive).map((t) => [t.table, t.missingInLive]));
}

/**
 * The merge, as SQL to show: only read. `diff` (of the same schemas) supplies the expected counts;
 * without it each table's missing rows are counted here.
 */
export async function planMerge(db: Database, input: { copy: string; live: string; diff?: DiffResult }, signal?: AbortSignal): Promise<MergePlan> {
  const { copy, live } = copyAndLive(input);
  const known = missingFrom(input.diff, copy, live);
  return inTransaction(db, { what: `Planning the merge of ${copy} into ${live}`, readOnly: true, signal }, async (client) => {
    const p = await planned(client, copy, live);
    const statements: MergeStatement[] = [];
    for (const table of p.order) {
      const g = p.generated.get(table)!;
      const expectedRows = known?.get(table) ?? (await client.query<{ n: number }>(g.count)).rows[0]!.n;
      if (expectedRows > 0) statements.push({ table, sql: g.insert, expectedRows });
    }
    const merged = new Set(statements.map((s) => s.table));
    const notes: string[] = [];
    for (const t of p.tables.filter((x) => x.liveColumns)) {
      const onlyCopy = t.copyColumns.filter((c) => !t.liveColumns!.some((l) => l.name === c.name)).map((c) => c.name);
      if (merged.has(t.table) && onlyCopy.length) notes.push(`${t.table}: columns the live table no longer has are not brought back (${onlyCopy.join(', ')})`);
      if (merged.has(t.table) && !joinKey(t)) notes.push(`${t.table}: no primary key, rows of the copy not in live (EXCEPT ALL) are inserted`);
    }
    if (p.deferConstraints) notes.push('the foreign keys form a cycle of deferrable constraints: they are checked at COMMIT (SET CONSTRAINTS ALL DEFERRED)');
    return {
      copy,
      live,
      statements,
      order: p.order,
      sequences: statements.flatMap((s) => p.generated.get(s.table)!.sequences),
      deferConstraints: p.deferConstraints,
      skipped: p.tables
        .filter((t) => !p.generated.has(t.table))
        .map((t) => ({ table: t.table, reason: t.liveColumns ? 'the live table has none of its columns any more' : 'not in the live tenant (dropped after the backup): restore the tenant beside it and swap, or recreate the table first' })),
      notes,
    };
  });
}

function planInput(plan: unknown): MergePlan {
  const p = plan as Partial<MergePlan> | null;
  const statementsOk = Array.isArray(p?.statements) && p.statements.every((s) => s && typeof s.table === 'string' && typeof s.sql === 'string' && Number.isInteger(s.expectedRows));
  if (!p || typeof p !== 'object' || !statementsOk || !Array.isArray(p.sequences)) throw new OpsError('invalid_input', 'The merge plan is not one planMerge made.', 'Plan the merge again and pass it unchanged; nothing was changed.');
  return p as MergePlan;
}

const failed = (err: unknown, table?: string) =>
  new OpsError('merge_failed', `The merge was rolled back${table ? ` at ${table}` : ''}: ${(err as Error).message}.`, 'Nothing was inserted. A foreign key or unique constraint of live refused a row; look at the diff, fix the row in live or merge the table by hand.');

/**
 * Run a plan in one transaction: the statements (checked against what the schemas give now: a plan edited or
 * made for other tables is refused), then the sequence bumps. All or nothing.
 */
export async function runMerge(db: Database, plan: MergePlan, signal?: AbortSignal): Promise<MergeResult> {
  const given = planInput(plan);
  const { copy, live } = copyAndLive(given);
  return inTransaction(db, { what: `The merge of ${copy} into ${live}`, signal }, async (client) => {
    const now = await planned(client, copy, live);
    const stale = given.statements.filter((s) => now.generated.get(s.table)?.insert !== s.sql);
    const sequences = given.statements.flatMap((s) => now.generated.get(s.table)?.sequences ?? []);
    if (stale.length || JSON.stringify(sequences) !== JSON.stringify(given.sequences) || now.deferConstraints !== given.deferConstraints) {
      throw new OpsError('plan_stale', `The merge plan no longer matches ${copy} and ${live}${stale.length ? ` (${stale.map((s) => s.table).join(', ')})` : ''}: the tables changed since it was made, or it was edited.`, 'Plan the merge again and confirm the new statements; nothing was changed.');
    }
    if (now.deferConstraints) await client.query('SET CONSTRAINTS ALL DEFERRED');
    const byTable = new Map(given.statements.map((s) => [s.table, s]));
    const inserted: MergeResult['inserted'] = [];
    for (const table of now.order.filter((t) => byTable.has(t))) {
      const s = byTable.get(table)!;
      const r = await client.query(s.sql).catch((err: unknown) => {
        throw (err as { code?: string }).code?.startsWith('23') ? failed(err, table) : err;
      });
      inserted.push({ table, rows: r.rowCount ?? 0, expectedRows: s.expectedRows });
    }
    const bumped: MergeResult['sequences'] = [];
    for (const s of sequences) {
      const r = await client.query<{ value: number }>(s.sql);
      if (r.rows[0]) bumped.push({ sequence: s.sequence, value: r.rows[0].value });
    }
    return { copy, live, inserted, total: inserted.reduce((n, x) => n + x.rows, 0), sequences: bumped };
  }).catch((err: unknown) => {
    // A deferred foreign key fails at COMMIT.
    throw (err as { code?: string }).code?.startsWith('23') ? failed(err) : err;
  });
}
