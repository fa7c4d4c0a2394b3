/**
 * The snapshot session of a backup: one admin connection, in a REPEATABLE READ READ ONLY transaction,
 * exports the snapshot pg_dump dumps (--snapshot=S) and reads, in that same snapshot, what the backup
 * covers (its schemas, table sizes for progress) and every table's row count for the manifest. So the
 * counts describe exactly the data in the dump.
 */
import type { PoolClient } from 'pg';
import type { Manifest } from '../../../shared/domain/backups';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { connectionLost, isConnectionLost, OpsError } from '../util/errors';
import { COUNT_BATCH, countTableRows, type RowCount } from './row-counts';

export interface LockCapacity {
  tables: number;
  max_locks_per_transaction: number;
  max_connections: number;
  max_prepared_transactions: number;
  held: number;
}

/** The shared lock table's room: max_locks_per_transaction x (max_connections + max_prepared_transactions). */
const lockTableSize = (c: LockCapacity): number => c.max_locks_per_transaction * (c.max_connections + c.max_prepared_transactions);

/** Would one pg_dump of these tables, with the locks others hold now, overflow the shared lock table? */
export function exceedsLockTable(c: LockCapacity): boolean {
  return c.tables + COUNT_BATCH + c.held > lockTableSize(c);
}

/** What a DBA does about a lock table too small for one pg_dump of `tables` tables (a restart is needed). */
export function lockAdvice(c: LockCapacity): string {
  const slots = c.max_connections + c.max_prepared_transactions;
  // Room for the dump, a batch of row counts, what others hold now, and a margin of a quarter.
  const needed = Math.ceil(((c.tables + COUNT_BATCH + c.held) * 1.25) / slots);
  return (
    `pg_dump locks each of the ${c.tables} tables it dumps in one transaction; the server's lock table holds ` +
    `max_locks_per_transaction (${c.max_locks_per_transaction}) x (max_connections ${c.max_connections} + max_prepared_transactions ${c.max_prepared_transactions}) = ${lockTableSize(c)} locks, ${c.held} held now. ` +
    `Set max_locks_per_transaction = ${Math.max(needed, c.max_locks_per_transaction + 1)} (ALTER SYSTEM, then a restart), or back up fewer tenants at once (per-tenant backups lock only their own tables).`
  );
}

export type BackupScope = { kind: 'tenant'; tenant: string } | { kind: 'full' } | { kind: 'all-tenants'; pattern: string };

export interface SnapshotSession {
  /** The exported snapshot, for pg_dump --snapshot. */
  snapshot: string;
  /** The schemas the backup covers, as the snapshot sees them. */
  schemas: string[];
  /** Bytes of every table ("schema.table"): pg_dump's progress is by table, shown in bytes. */
  tableBytes: Map<string, number>;
  /** The locks pg_dump will take and the server's lock table, for a clear error if it runs out. */
  locks: LockCapacity;
  /**
   * Every table's row count in the snapshot. The transaction ends once the counts are in and `held`
   * settled (pg_dump holds the snapshot by then), so a long dump leaves no idle transaction behind.
   */
  countRows(held: Promise<unknown>): Promise<Manifest['tables']>;
}

/**
 * Runs fn with the snapshot session open. A cancel cancels the session's running statement; any failure
 * rolls back and drops the connection; a session the server ended is `connection_lost`, whatever stage
 * of the backup noticed it.
 */
export async function withSnapshot<T>(db: Database, scope: BackupScope, database: string, signal: AbortSignal | undefined, fn: (session: SnapshotSession) => Promise<T>): Promise<T> {
  const client: PoolClient = await (await db.pool('admin')).connect();
  let pid: number | undefined;
  const onAbort = () => {
    if (pid) void db.query('SELECT pg_cancel_backend($1)', [pid], { purpose: 'admin' }).catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let broken = false;
  try {
    pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const schemas = await scopeSchemas(client, scope, database);
    const locks = (await client.query<LockCapacity>(loadSql('backup/lock_capacity'), [schemas])).rows[0]!;
    // A dump that cannot fit in the lock table fails minutes in, after the snapshot is held: refuse now.
    if (exceedsLockTable(locks)) {
      throw new OpsError('lock_table_too_small', `This backup cannot start: it needs more locks than the server's lock table holds.`, lockAdvice(locks));
    }
    const tableBytes = new Map<string, number>();
    for (const r of (await client.query<{ schema: string; table: string; bytes: number }>(loadSql('backup/table_sizes'), [schemas])).rows) tableBytes.set(`${r.schema}.${r.table}`, r.bytes);
    const countRows = async (held: Promise<unknown>): Promise<Manifest['tables']> => {
      // A savepoint rolled back releases a batch's locks; the snapshot is the transaction's and stays.
      const rows = await countTableRows(async (text, params) => {
        await client.query('SAVEPOINT row_counts');
        const batch = (await client.query<RowCount & { oid: number }>(text, params)).rows;
        await client.query('ROLLBACK TO SAVEPOINT row_counts');
        return batch;
      }, schemas);
      await held;
      await client.query('COMMIT');
      return rows;
    };
    return await fn({ snapshot, schemas, tableBytes, locks, countRows });
  } catch (err) {
    broken = true;
    await client.query('ROLLBACK').catch(() => {});
    throw isConnectionLost(err) ? connectionLost(err, 'The backup lost its database session') : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    client.release(broken);
  }
}

/** What this backup covers, seen in the snapshot itself; a scope that matches nothing is refused. */
async function scopeSchemas(client: PoolClient, scope: BackupScope, database: string): Promise<string[]> {
  const rows = (
    await client.query<{ schema: string; bytes: number; tables: number }>(loadSql('backup/scope'), [
      scope.kind === 'tenant' ? [scope.tenant] : null,
      scope.kind === 'all-tenants' ? scope.pattern : '',
      scope.kind === 'all-tenants',
    ])
  ).rows;
  if (scope.kind === 'tenant' && rows.length === 0) {
    throw new OpsError('no_such_tenant', `There is no schema "${scope.tenant}" in database ${database}.`, 'Check the tenant name (the schema, e.g. org_acme); nothing was written.');
  }
  if (scope.kind === 'all-tenants' && rows.length === 0) {
    throw new OpsError('no_tenants', `No schema matches the tenant pattern "${scope.pattern}" in ${database}.`, 'Check the tenant pattern of this connection.');
  }
  return rows.map((r) => r.schema);
}
