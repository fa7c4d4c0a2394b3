/**
 * What every DR data action shares: one admin session in one transaction (so a refusal or a failure
 * leaves nothing behind), a cancel that reaches the server (pg_cancel_backend from another session),
 * a session the server ended reported as `connection_lost`, and the checks of the schemas an action names.
 */
import type { PoolClient } from 'pg';
import type { Database } from '../../db/database';
import { connectionLost, isConnectionLost, OpsError } from '../../util/errors';
import { isSideSchemaName } from '../../backup/naming';

export interface TransactionOptions {
  /** REPEATABLE READ READ ONLY: one snapshot for every statement (a diff compares tables as of one moment). */
  readOnly?: boolean;
  signal?: AbortSignal | undefined;
  /** What is running, for the lost-session message ("The merge lost its database session"). */
  what: string;
}

/**
 * Runs fn in one transaction on one admin session: COMMIT when fn returns, ROLLBACK when it throws
 * (a refusal thrown by fn therefore changes nothing). Cancel cancels the running statement on the server.
 */
export async function inTransaction<T>(db: Database, opts: TransactionOptions, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const { signal } = opts;
  if (signal?.aborted) throw new OpsError('cancelled', `${opts.what} was cancelled; nothing was changed.`);
  let client: PoolClient;
  try {
    client = await (await db.pool('admin')).connect();
  } catch (err) {
    throw isConnectionLost(err) ? connectionLost(err, `${opts.what} could not open its database session`) : err;
  }
  const pid = (client as unknown as { processID?: number }).processID;
  // The monitoring pool cancels: it is read-only, and the admin pool (2 sessions) may be busy with us.
  const onAbort = () => {
    if (pid) void db.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let broken = false;
  try {
    await client.query(opts.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
    const out = await fn(client);
    if (signal?.aborted) throw new OpsError('cancelled', `${opts.what} was cancelled; nothing was changed.`);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    // A session that cannot even roll back is dead: the pool must not hand it out again.
    await client.query('ROLLBACK').catch(() => (broken = true));
    if (signal?.aborted) throw new OpsError('cancelled', `${opts.what} was cancelled; nothing was changed.`);
    if (isConnectionLost(err)) {
      broken = true;
      throw connectionLost(err, `${opts.what} lost its database session (nothing was committed)`);
    }
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    client.release(broken);
  }
}

/** A schema name an action was given: a non-empty string PostgreSQL can hold. */
export function schemaName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0') || Buffer.byteLength(value, 'utf8') > 63) {
    throw new OpsError('invalid_input', `The ${what} must be a schema name (1 to 63 bytes), got ${JSON.stringify(value)}.`, 'Nothing was changed.');
  }
  return value;
}

/**
 * The pair a diff or merge works on: the restored copy (a side schema the console made) and the live
 * tenant, different schemas. The live one may itself be a side schema: a drill recovers a scratch copy.
 */
export function copyAndLive(input: { copy: unknown; live: unknown }): { copy: string; live: string } {
  const copy = schemaName(input.copy, 'copy');
  const live = schemaName(input.live, 'live schema');
  if (copy === live) throw new OpsError('invalid_input', `The copy and the live schema are the same schema (${copy}).`, 'Name the restored copy (<tenant>__restored_…) and the live tenant; nothing was changed.');
  if (!isSideSchemaName(copy)) {
    throw new OpsError('not_a_copy', `Schema ${copy} is not a restored copy: the console reads rows back only from its own side schemas (<tenant>__restored_<stamp>).`, 'Restore the backup beside the tenant first and name that schema; nothing was changed.');
  }
  return { copy, live };
}

/** Refuses, naming them, when schemas the action needs are not in the database. */
export async function requireSchemas(client: PoolClient, names: string[]): Promise<void> {
  const found = new Set((await client.query<{ s: string }>('SELECT nspname AS s FROM pg_catalog.pg_namespace WHERE nspname = ANY ($1::text[])', [names])).rows.map((r) => r.s));
  const missing = names.filter((n) => !found.has(n));
  if (missing.length) throw new OpsError('no_such_schema', `There is no schema ${missing.map((m) => JSON.stringify(m)).join(' or ')} in this database.`, 'Check the names (the live tenant and its restored copy); nothing was changed.');
}
