/**
 * What the security DR actions (issue 12) share: the client they take, progress, the tenant scope, and the
 * SQL they run (every query in resources/sql/dr_*.sql).
 */
import type pg from 'pg';
import { DEFAULT_TENANT_PATTERN } from '../../../../shared/vocabulary';
import { loadSql } from '../../db/sql';
import { OpsError } from '../../util/errors';

/** A connected client (core/db/client.ts), or anything that queries like one (a pool, a test's client). */
export type Db = Pick<pg.ClientBase, 'query'>;

/**
 * One connected client, for actions that run a transaction (lock, unlock, rotation): a pool would send
 * BEGIN and COMMIT down different connections. (A pg.Pool is not a ClientBase, so the compiler refuses one.)
 */
export type Session = pg.ClientBase;

/** Task progress (DESIGN §5): at most a few calls a second. */
export type Progress = (p: { done: number; total?: number; unit: string; message?: string }) => void;

/** Which schemas are tenants: the LIKE pattern, or an explicit list. */
export interface TenantScope {
  pattern?: string;
  tenants?: string[];
}

/** The $1..$3 of include/tenant_scope.sql. */
export function scopeParams(scope: TenantScope = {}): [string, string[] | null, null] {
  return [scope.pattern ?? DEFAULT_TENANT_PATTERN, scope.tenants?.length ? scope.tenants : null, null];
}

export async function rows<R extends pg.QueryResultRow>(db: Db, file: string, params: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(loadSql(file), params)).rows;
}

const ROLE_NAME_BYTES = 63;

/** A role name as given by an operator: refused clearly when PostgreSQL could not have it. */
export function checkRoleName(role: unknown): string {
  if (typeof role !== 'string' || role.length === 0 || Buffer.byteLength(role, 'utf8') > ROLE_NAME_BYTES || role.includes('\0')) {
    throw new OpsError('invalid_input', `${JSON.stringify(role)} is not a role name (1 to 63 bytes, no NUL).`, 'Give the role exactly as pg_roles spells it; nothing was changed.');
  }
  return role;
}

/** The role, or a refusal naming it: nothing is changed for a role that does not exist. */
export async function requireRole(db: Db, role: string): Promise<{ oid: number; rolcanlogin: boolean; rolsuper: boolean }> {
  checkRoleName(role);
  const r = await db.query<{ oid: number; rolcanlogin: boolean; rolsuper: boolean }>('SELECT oid::int AS oid, rolcanlogin, rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1', [role]);
  if (!r.rows[0]) throw new OpsError('no_such_role', `There is no role ${JSON.stringify(role)} on this server.`, 'Check the name (\\du in psql lists the roles); nothing was changed.');
  return r.rows[0];
}

/** A Postgres "insufficient privilege" error: the caller records "not readable" instead of failing. */
export function isPermissionDenied(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '42501';
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new OpsError('cancelled', 'Cancelled; nothing after this point was done.');
}
