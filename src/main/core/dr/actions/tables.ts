/** The tables of a restored copy and their live counterparts (resources/sql/dr_copy_tables.sql), for the diff and the merge. */
import pg, { type PoolClient } from 'pg';
import { loadSql } from '../../db/sql';

export interface Column {
  name: string;
  /** A stored generated column: computed, never inserted. */
  generated: boolean;
  /** 'a' GENERATED ALWAYS AS IDENTITY, 'd' BY DEFAULT, '' none. */
  identity: '' | 'a' | 'd';
}

export interface CopyTable {
  table: string;
  /** The copy's primary key (NULL: none). */
  key: string[] | null;
  copyColumns: Column[];
  /** NULL: no such table in the live tenant (dropped after the backup). */
  liveColumns: Column[] | null;
  references: { table: string; deferrable: boolean }[];
  sequences: { column: string; sequence: string; increment: number }[];
}

interface Row {
  table: string;
  key: string[] | null;
  copy_columns: Column[];
  live_columns: Column[] | null;
  references: CopyTable['references'];
  sequences: CopyTable['sequences'];
}

export async function copyTables(client: PoolClient, copy: string, live: string): Promise<CopyTable[]> {
  const rows = (await client.query<Row>(loadSql('dr_copy_tables'), [copy, live])).rows;
  return rows.map((r) => ({ table: r.table, key: r.key, copyColumns: r.copy_columns, liveColumns: r.live_columns, references: r.references, sequences: r.sequences }));
}

/** The columns both sides have (the copy's order): what can be compared and brought back. */
export function commonColumns(t: CopyTable): Column[] {
  const live = new Map((t.liveColumns ?? []).map((c) => [c.name, c]));
  return t.copyColumns.filter((c) => live.has(c.name)).map((c) => live.get(c.name)!);
}

/** The key to join on: the copy's primary key when the live table has all its columns. */
export function joinKey(t: CopyTable): string[] | null {
  const live = new Set((t.liveColumns ?? []).map((c) => c.name));
  return t.key && t.key.every((k) => live.has(k)) ? t.key : null;
}

export const q = (id: string) => pg.escapeIdentifier(id);
export const qualified = (schema: string, table: string) => `${q(schema)}.${q(table)}`;
/** alias.col, alias.col2 */
export const cols = (alias: string, names: string[]) => names.map((n) => `${alias}.${q(n)}`).join(', ');
/** a.k1 = b.k1 AND a.k2 = b.k2 */
export const keyJoin = (a: string, b: string, key: string[]) => key.map((k) => `${a}.${q(k)} = ${b}.${q(k)}`).join(' AND ');
