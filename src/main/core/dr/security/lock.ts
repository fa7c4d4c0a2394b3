/**
 * lock_role (issue 12 item 5, DR-REFERENCE E.3): contain a compromised role. NOLOGIN and the revokes of its
 * grants on tenant schemas commit together (all or nothing); then its sessions are terminated (after the
 * commit, so they cannot log in again). The record returned says exactly what changed, so unlockRole can
 * undo it from the run's journal: it grants back exactly those privileges, as their grantors, and LOGIN.
 * Statements are built here from validated parts (identifiers quoted, privileges from a closed list,
 * routines re-resolved by the server), never taken as text from the journal.
 */
import pg from 'pg';
import { z } from 'zod';
import { OpsError } from '../../util/errors';
import { requireRole, rows, scopeParams, throwIfAborted, type Db, type Session, type TenantScope } from './common';

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'USAGE', 'CREATE', 'EXECUTE', 'MAINTAIN'] as const;

export const RevokedGrant = z.object({
  tenant: z.string(),
  objectType: z.enum(['schema', 'table', 'sequence', 'function', 'default']),
  /** The schema, table or sequence name; a routine's regprocedure text; for default privileges TABLES, SEQUENCES… */
  object: z.string(),
  grantor: z.string(),
  privileges: z.array(z.enum(PRIVILEGES)).min(1),
  grantable: z.boolean(),
});
export type RevokedGrant = z.infer<typeof RevokedGrant>;

export const LockRecord = z.object({
  role: z.string(),
  lockedAt: z.string(),
  /** The role could log in before, and lock_role set NOLOGIN (unlock sets LOGIN again only then). */
  loginRevoked: z.boolean(),
  revoked: z.array(RevokedGrant),
  /** Sessions terminated (cannot be undone; listed for the journal). */
  terminated: z.array(z.object({ pid: z.number(), application: z.string().nullable(), client: z.string().nullable() })),
  /** What lock_role does not change and the operator should know. */
  notes: z.array(z.string()),
});
export type LockRecord = z.infer<typeof LockRecord>;

const DEFAULTS_FOR = new Set(['TABLES', 'SEQUENCES', 'FUNCTIONS', 'TYPES']);
const id = (s: string) => pg.escapeIdentifier(s);

/** The object clause of a GRANT/REVOKE for one recorded grant. */
async function objectClause(db: Db, g: RevokedGrant): Promise<string> {
  switch (g.objectType) {
    case 'schema':
      return `SCHEMA ${id(g.tenant)}`;
    case 'table':
      return `TABLE ${id(g.tenant)}.${id(g.object)}`;
    case 'sequence':
      return `SEQUENCE ${id(g.tenant)}.${id(g.object)}`;
    case 'function': {
      // The server parses the signature (a cast, never executed as SQL) and prints it quoted.
      const r = await db.query<{ sig: string }>('SELECT $1::pg_catalog.regprocedure::text AS sig', [g.object]);
      return `ROUTINE ${r.rows[0]!.sig}`;
    }
    case 'default':
      if (!DEFAULTS_FOR.has(g.object)) throw new OpsError('invalid_input', `Default privileges on ${JSON.stringify(g.object)} are not a kind PostgreSQL has.`);
      return g.object;
  }
}

async function statement(db: Db, g: RevokedGrant, role: string, op: 'grant' | 'revoke'): Promise<string> {
  const privs = g.privileges.join(', ');
  const what = await objectClause(db, g);
  const body = op === 'grant' ? `GRANT ${privs} ON ${what} TO ${id(role)}${g.grantable ? ' WITH GRANT OPTION' : ''}` : `REVOKE ${privs} ON ${what} FROM ${id(role)}`;
  return g.objectType === 'default' ? `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(g.grantor)} IN SCHEMA ${id(g.tenant)} ${body}` : body;
}

/** Runs fn in one transaction; on any failure it is rolled back, so nothing was changed. */
async function inTransaction<T>(db: Session, fn: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const out = await fn();
    await db.query('COMMIT');
    return out;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** One statement as the grant's grantor: PostgreSQL keeps each grant under the role that made it. */
async function asGrantor(db: Session, grantor: string, sql: string): Promise<void> {
  await db.query(`SET LOCAL ROLE ${id(grantor)}`);
  await db.query(sql);
  await db.query('RESET ROLE');
}

interface GrantRow { tenant: string; object_type: RevokedGrant['objectType']; object: string; target: string; grantor: string; privileges: string[]; grantable: boolean }

export interface LockOptions extends TenantScope {
  role: string;
  signal?: AbortSignal;
  now?: () => Date;
}

export async function lockRole(db: Session, opts: LockOptions): Promise<LockRecord> {
  const role = await requireRole(db, opts.role);
  const [me] = (await db.query<{ me: string }>('SELECT current_user AS me')).rows;
  if (me?.me === opts.role) throw new OpsError('invalid_input', `The console is connected as ${JSON.stringify(opts.role)}: locking it would lock the console out mid-incident.`, 'Connect as another administrative role to lock this one; nothing was changed.');
  if (opts.role.startsWith('pg_')) throw new OpsError('invalid_input', `${opts.role} is a predefined role; it cannot log in and is not locked this way.`, 'Revoke its membership from the role that holds it instead; nothing was changed.');
  const grants = (await rows<GrantRow>(db, 'dr_tenant_grants', [...scopeParams(opts), opts.role])).map(
    (r): RevokedGrant => RevokedGrant.parse({ tenant: r.tenant, objectType: r.object_type, object: r.object_type === 'function' ? r.target : r.object, grantor: r.grantor, privileges: r.privileges, grantable: r.grantable }),
  );
  throwIfAborted(opts.signal);
  const loginRevoked = role.rolcanlogin;
  await inTransaction(db, async () => {
    if (loginRevoked) await db.query(`ALTER ROLE ${id(opts.role)} NOLOGIN`);
    for (const g of grants) await asGrantor(db, g.grantor, await statement(db, g, opts.role, 'revoke'));
  });
  // After the commit: a terminated session cannot log in again. The lock stands even if this fails (no
  // pg_signal_backend, a superuser's session): the record must reach the journal, so it says so instead.
  let terminated: LockRecord['terminated'] = [];
  const failures: string[] = [];
  try {
    terminated = (
      await db.query<{ pid: number; application: string | null; client: string | null; ok: boolean }>(
        `SELECT pid, application_name AS application, client_addr::text AS client, pg_catalog.pg_terminate_backend(pid) AS ok
           FROM pg_catalog.pg_stat_activity WHERE usename = $1 AND pid <> pg_catalog.pg_backend_pid()`,
        [opts.role],
      )
    ).rows.filter((r) => r.ok).map(({ pid, application, client }) => ({ pid, application, client }));
  } catch (err) {
    failures.push(`Its sessions could not be terminated (${(err as Error).message}): end them as a superuser (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '…').`);
  }
  // Still after the commit, so best effort too: a session lost here must not lose the record of what was locked.
  let members: string[] = [];
  try {
    members = (await db.query<{ member: string }>('SELECT m.rolname AS member FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles m ON m.oid = a.member WHERE a.roleid = $1 ORDER BY 1', [role.oid])).rows.map((r) => r.member);
  } catch (err) {
    failures.push(`Its members could not be listed (${(err as Error).message}): check who can SET ROLE to it (\\du in psql).`);
  }
  const notes = [
    ...failures,
    ...(loginRevoked ? [] : [`${opts.role} could not log in before the lock (NOLOGIN already); LOGIN is left as it was.`]),
    ...(members.length ? [`Members of ${opts.role} can still SET ROLE to it: ${members.join(', ')}. Revoke those memberships too if they are compromised.`] : []),
    'Role memberships of the role itself, grants outside tenant schemas and column-level grants are unchanged; rotate its password (rotate_credentials) before unlocking.',
  ];
  return { role: opts.role, lockedAt: (opts.now?.() ?? new Date()).toISOString(), loginRevoked, revoked: grants, terminated, notes };
}

export interface UnlockResult {
  role: string;
  granted: number;
  loginRestored: boolean;
}

/** Undoes a lock from its record: the revoked grants granted back as their grantors, LOGIN if the lock took it. */
export async function unlockRole(db: Session, record: LockRecord): Promise<UnlockResult> {
  const parsed = LockRecord.safeParse(record);
  if (!parsed.success) throw new OpsError('invalid_input', `Not a lock record: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}.`, 'Pass the output of the lock_role step; nothing was changed.');
  const rec = parsed.data;
  const role = await requireRole(db, rec.role);
  if (rec.loginRevoked && role.rolcanlogin) throw new OpsError('not_locked', `${rec.role} can log in already: it was unlocked, or changed since the lock.`, 'Look at the role (\\du) before granting anything back; nothing was changed.');
  await inTransaction(db, async () => {
    for (const g of rec.revoked) await asGrantor(db, g.grantor, await statement(db, g, rec.role, 'grant'));
    if (rec.loginRevoked) await db.query(`ALTER ROLE ${id(rec.role)} LOGIN`);
  });
  return { role: rec.role, granted: rec.revoked.length, loginRestored: rec.loginRevoked };
}
