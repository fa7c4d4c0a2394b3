/**
 * Freeze and thaw a tenant (DR-REFERENCE B.2, "stop the damage"): revoke the write privileges of the
 * application roles on one tenant schema, and later grant back exactly what was taken. The catalog says who
 * may write (resources/sql/dr_write_grants.sql, one query); the freeze revokes it in one transaction and
 * reads the catalog again before committing, so a privilege REVOKE could not take (granted by another
 * grantor, say) refuses the freeze instead of leaving a half-frozen tenant.
 *
 * Owners and superusers are left by default and reported in `stillWritable`: privilege checks do not apply
 * to a superuser, and an owner may grant itself back. Where the application connects as the schema owner
 * (the demo's podcastflow_app does), name it in `roles` and it is frozen too.
 */
import pg, { type PoolClient } from 'pg';
import type { Database } from '../../db/database';
import { loadSql } from '../../db/sql';
import { OpsError } from '../../util/errors';
import { inTransaction, requireSchemas, schemaName } from './session';

/** One object's write privileges of one role, as taken by a freeze (and given back by a thaw). */
export interface RevokedPrivilege {
  /** The grantee; 'public' is the PUBLIC pseudo-role. */
  role: string;
  /** The table, view, foreign table or sequence (for a column: its table). */
  table: string;
  privileges: string[];
  /** 'table' (views and foreign tables too), 'sequence', or 'column' (then `column` names it). */
  object: 'table' | 'sequence' | 'column';
  column?: string;
  /** The privileges of these that were held WITH GRANT OPTION. */
  grantable: string[];
}

export interface FreezeResult {
  tenant: string;
  revoked: RevokedPrivilege[];
  /** Roles that can still write after the freeze, and why they were left. */
  stillWritable: { role: string; reason: 'superuser' | 'owner' | 'not named'; objects: number }[];
}

interface GrantRow {
  role: string;
  object: RevokedPrivilege['object'];
  table: string;
  column: string | null;
  privileges: string[];
  grantable: string[];
  kept: FreezeResult['stillWritable'][number]['reason'] | null;
}

interface RoleRow {
  role: string;
  superuser: boolean;
  ours: boolean;
  sessions: number;
}

const q = (id: string) => pg.escapeIdentifier(id);
const PRIVILEGES: Record<RevokedPrivilege['object'], readonly string[]> = {
  table: ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'],
  sequence: ['USAGE', 'UPDATE'],
  column: ['INSERT', 'UPDATE'],
};

function tenantName(value: unknown): string {
  const tenant = schemaName(value, 'tenant');
  if (/^(pg_|information_schema$)/.test(tenant)) throw new OpsError('invalid_input', `${tenant} is a system schema, not a tenant.`, 'Nothing was changed.');
  return tenant;
}

const grantee = (role: string) => (role === 'public' ? 'PUBLIC' : q(role));

/** `ON TABLE s.t` / `ON SEQUENCE s.q` with the privilege list (column privileges name their column). */
function privilegeClause(tenant: string, p: RevokedPrivilege, privileges: string[]): string {
  const on = p.object === 'sequence' ? 'SEQUENCE' : 'TABLE';
  const list = p.object === 'column' ? privileges.map((x) => `${x} (${q(p.column!)})`).join(', ') : privileges.join(', ');
  return `${list} ON ${on} ${q(tenant)}.${q(p.table)}`;
}

export function revokeStatement(tenant: string, p: RevokedPrivilege): string {
  return `REVOKE ${privilegeClause(tenant, p, p.privileges)} FROM ${grantee(p.role)}`;
}

/** GRANT back; the privileges held with grant option get it back too. */
export function grantStatements(tenant: string, p: RevokedPrivilege): string[] {
  const plain = p.privileges.filter((x) => !p.grantable.includes(x));
  const withOption = p.privileges.filter((x) => p.grantable.includes(x));
  return [
    ...(plain.length ? [`GRANT ${privilegeClause(tenant, p, plain)} TO ${grantee(p.role)}`] : []),
    ...(withOption.length ? [`GRANT ${privilegeClause(tenant, p, withOption)} TO ${grantee(p.role)} WITH GRANT OPTION`] : []),
  ];
}

async function writeGrants(client: PoolClient, tenant: string, roles: string[] | null): Promise<GrantRow[]> {
  return (await client.query<GrantRow>(loadSql('dr_write_grants'), [tenant, roles])).rows;
}

async function lookUpRoles(client: PoolClient, roles: string[]): Promise<Map<string, RoleRow>> {
  return new Map((await client.query<RoleRow>(loadSql('dr_roles'), [roles])).rows.map((r) => [r.role, r]));
}

function roleList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || !value.every((r) => typeof r === 'string' && r !== '' && Buffer.byteLength(r, 'utf8') <= 63)) {
    throw new OpsError('invalid_input', 'roles must be a non-empty list of role names.', 'Leave it out to freeze every application role; nothing was changed.');
  }
  return [...new Set(value as string[])];
}

const toRevoked = (r: GrantRow): RevokedPrivilege => ({ role: r.role, table: r.table, privileges: r.privileges, object: r.object, ...(r.column !== null ? { column: r.column } : {}), grantable: r.grantable });
const label = (p: { role: string; table: string; column?: string | null }) => `${p.role} on ${p.table}${p.column ? `(${p.column})` : ''}`;

/** Revoke the write privileges of the application roles (or of `roles`, and always of PUBLIC) on one tenant. */
export async function freezeTenant(db: Database, input: { tenant: string; roles?: string[] }, signal?: AbortSignal): Promise<FreezeResult> {
  const tenant = tenantName(input.tenant);
  const roles = roleList(input.roles);
  return inTransaction(db, { what: `Freezing ${tenant}`, signal }, async (client) => {
    await requireSchemas(client, [tenant]);
    if (roles) {
      const found = await lookUpRoles(client, roles);
      const missing = roles.filter((r) => !found.has(r));
      if (missing.length) throw new OpsError('no_such_role', `No role ${missing.join(', ')} on this server.`, 'Check the role names; nothing was changed.');
      const supers = roles.filter((r) => found.get(r)!.superuser);
      if (supers.length) throw new OpsError('cannot_freeze', `${supers.join(', ')} ${supers.length > 1 ? 'are superusers' : 'is a superuser'}: privilege checks do not apply to a superuser, so revoking its privileges would not stop its writes.`, 'Stop the job or application that uses it, or terminate its sessions; nothing was changed.');
    }
    const rows = await writeGrants(client, tenant, roles);
    const take = rows.filter((r) => r.kept === null);
    for (const r of take) await client.query(revokeStatement(tenant, toRevoked(r)));
    // REVOKE says only a warning when it takes nothing (a privilege another grantor gave): check the catalog.
    const left = (await writeGrants(client, tenant, roles)).filter((r) => r.kept === null);
    if (left.length) {
      throw new OpsError('freeze_failed', `Could not revoke ${left.map(label).join('; ')}: granted by another role than the owner, REVOKE leaves it.`, 'Revoke it as the role that granted it, then freeze again; nothing was changed.');
    }
    const kept = new Map<string, FreezeResult['stillWritable'][number]>();
    for (const r of rows.filter((x) => x.kept !== null && x.kept !== 'not named')) {
      const k = kept.get(r.role) ?? { role: r.role, reason: r.kept!, objects: 0 };
      k.objects += 1;
      kept.set(r.role, k);
    }
    return { tenant, revoked: take.map(toRevoked), stillWritable: [...kept.values()] };
  }).catch((err: unknown) => {
    // Dependent privileges (the role granted on what it holds WITH GRANT OPTION): REVOKE without CASCADE refuses.
    if ((err as { code?: string }).code === '2BP01') throw new OpsError('freeze_failed', `Could not freeze ${tenant}: ${(err as Error).message}.`, 'A role passed these privileges on (WITH GRANT OPTION); revoke those grants first. Nothing was changed.');
    throw err;
  });
}

function revokedList(value: unknown): RevokedPrivilege[] {
  const ok = (p: unknown): p is RevokedPrivilege => {
    if (!p || typeof p !== 'object') return false;
    const x = p as Partial<RevokedPrivilege>;
    const allowed = x.object ? PRIVILEGES[x.object] : undefined;
    return (
      typeof x.role === 'string' && x.role !== '' &&
      typeof x.table === 'string' && x.table !== '' &&
      allowed !== undefined &&
      (x.object === 'column') === (typeof x.column === 'string' && x.column !== '') &&
      Array.isArray(x.privileges) && x.privileges.length > 0 && x.privileges.every((v) => allowed.includes(v)) &&
      Array.isArray(x.grantable) && x.grantable.every((v) => x.privileges!.includes(v))
    );
  };
  if (!Array.isArray(value) || !value.every(ok)) throw new OpsError('invalid_input', 'revoked must be the list a freeze returned.', 'Pass the freeze result’s revoked list unchanged; nothing was changed.');
  return value;
}

/** Grant back exactly what a freeze took, in one transaction; refuses (changing nothing) when an object or role is gone. */
export async function thawTenant(db: Database, input: { tenant: string; revoked: RevokedPrivilege[] }, signal?: AbortSignal): Promise<{ tenant: string; granted: RevokedPrivilege[] }> {
  const tenant = tenantName(input.tenant);
  const revoked = revokedList(input.revoked);
  return inTransaction(db, { what: `Thawing ${tenant}`, signal }, async (client) => {
    await requireSchemas(client, [tenant]);
    const named = [...new Set(revoked.map((p) => p.role).filter((r) => r !== 'public'))];
    const found = await lookUpRoles(client, named);
    const missing = named.filter((r) => !found.has(r));
    if (missing.length) throw new OpsError('no_such_role', `Role ${missing.join(', ')} no longer exists; its privileges cannot be given back.`, 'Leave its entries out of the list to thaw the rest; nothing was changed.');
    for (const p of revoked) {
      for (const sql of grantStatements(tenant, p)) {
        await client.query(sql).catch((err: unknown) => {
          if ((err as { code?: string }).code === '42P01' || (err as { code?: string }).code === '42703') {
            throw new OpsError('not_found', `${label(p)} cannot be given back: ${(err as Error).message}.`, 'The object was dropped since the freeze; leave its entry out to thaw the rest. Nothing was changed.');
          }
          throw err;
        });
      }
    }
    return { tenant, granted: revoked };
  });
}

/** End every session of a role but our own (pg_terminate_backend); refuses a superuser role and the role we run as. */
export async function terminateRoleSessions(db: Database, input: { role: string }, signal?: AbortSignal): Promise<{ role: string; terminated: number; pids: number[] }> {
  const role = input.role;
  if (typeof role !== 'string' || role === '' || Buffer.byteLength(role, 'utf8') > 63) throw new OpsError('invalid_input', 'role must be a role name.', 'Nothing was changed.');
  const found = (await db.query<RoleRow>(loadSql('dr_roles'), [[role]], { purpose: 'admin', signal })).rows[0];
  if (!found) throw new OpsError('no_such_role', `No role ${role} on this server.`, 'Check the role name; nothing was changed.');
  if (found.ours) throw new OpsError('cannot_terminate', `The console itself is connected as ${role}: ending that role's sessions would end the console's own.`, 'Connect the console as another role (an admin role), or end the application’s sessions by pid; nothing was changed.');
  if (found.superuser) throw new OpsError('cannot_terminate', `${role} is a superuser: ending all its sessions may end administration, replication or another operator's work.`, 'End the sessions you mean by pid (pg_terminate_backend); nothing was changed.');
  const rows = (await db.query<{ pid: number; terminated: boolean }>(loadSql('dr_terminate_sessions'), [role], { purpose: 'admin', signal })).rows;
  const pids = rows.filter((r) => r.terminated).map((r) => r.pid);
  return { role, terminated: pids.length, pids };
}
