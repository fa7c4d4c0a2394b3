/**
 * breach_scope (issue 12 item 5, DR-REFERENCE E.4 and E.6): which tenants a role could read, through what,
 * and whom to notify. One query over all tenants (resources/sql/dr_breach_scope.sql), then each tenant's
 * organisation and owners from the shared tables where the database has them. Also the CSV for the
 * notification list and the GDPR Art. 33 clock.
 */
import { DEFAULT_TENANT_KEY_COLUMNS } from '../../tenants/checks';
import { OpsError } from '../../util/errors';
import type { BreachScope, TenantContacts } from '../../../../shared/breach-scope';
import { requireRole, rows, scopeParams, type Db, type TenantScope } from './common';

// The scope's shape and its CSV are shared with the renderer (its download is the same file as the evidence).
export { breachScopeCsv, csvField, type BreachScope, type ScopedTenant, type TenantContacts } from '../../../../shared/breach-scope';

export interface BreachScopeOptions extends TenantScope {
  role: string;
  keyColumns?: string[];
}

const CONTACT_TABLES = ['public.organizations', 'public.organization_members', 'public.users'];

async function contactsFor(db: Db, tenants: string[]): Promise<Map<string, TenantContacts>> {
  const out = new Map<string, TenantContacts>();
  if (!tenants.length) return out;
  const present = await db.query<{ ok: boolean }>('SELECT bool_and(to_regclass(t) IS NOT NULL) AS ok FROM unnest($1::text[]) AS t', [CONTACT_TABLES]);
  if (!present.rows[0]?.ok) return out;
  for (const r of await rows<{ tenant: string; organization: string; owners: { email: string; name: string | null }[] }>(db, 'dr_tenant_contacts', [tenants])) {
    out.set(r.tenant, { organization: r.organization, owners: r.owners.map((o) => ({ email: o.email, ...(o.name ? { name: o.name } : {}) })) });
  }
  return out;
}

export async function breachScope(db: Db, opts: BreachScopeOptions): Promise<BreachScope> {
  await requireRole(db, opts.role);
  const keys = opts.keyColumns?.length ? opts.keyColumns : DEFAULT_TENANT_KEY_COLUMNS;
  const scoped = await rows<{ tenant: string; via: string[] }>(db, 'dr_breach_scope', [...scopeParams(opts), opts.role, keys]);
  const contacts = await contactsFor(db, scoped.map((s) => s.tenant));
  return {
    role: opts.role,
    tenants: scoped.map((s) => {
      const c = contacts.get(s.tenant);
      return { tenant: s.tenant, via: s.via, ...(c ? { contacts: c } : {}) };
    }),
  };
}

/** GDPR Art. 33(1): notify the supervisory authority "not later than 72 hours after having become aware". */
export const GDPR_NOTICE_SEC = 72 * 3600;

export interface RegulatoryClock {
  awareAt: string;
  deadline: string;
  remainingSec: number;
  overdue: boolean;
}

/** The 72-hour clock from the time of awareness; pure. */
export function gdprClock(awareAt: string, now: Date): RegulatoryClock {
  const t = Date.parse(awareAt);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(awareAt) || Number.isNaN(t)) throw new OpsError('invalid_input', `The awareness time ${JSON.stringify(awareAt)} is not an ISO 8601 timestamp.`, 'e.g. 2026-11-25T09:41:00Z');
  const deadline = t + GDPR_NOTICE_SEC * 1000;
  const remainingSec = Math.round((deadline - now.getTime()) / 1000);
  return { awareAt: new Date(t).toISOString(), deadline: new Date(deadline).toISOString(), remainingSec, overdue: remainingSec < 0 };
}
