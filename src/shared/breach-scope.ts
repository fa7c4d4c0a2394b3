/**
 * The breach scope step's output (DESIGN §3) and its notification CSV: written as evidence by the core
 * (core/dr/security/breach.ts) and downloaded from the DR page, so both are the same file.
 */

export interface TenantContacts {
  organization: string;
  owners: { email: string; name?: string }[];
}

export interface ScopedTenant {
  tenant: string;
  /** How the role could read it (see dr_breach_scope.sql): grant, membership:<role>, default_privileges, owner, … */
  via: string[];
  contacts?: TenantContacts;
}

/** The breach scope step's output (DESIGN §3). */
export interface BreachScope {
  role: string;
  tenants: ScopedTenant[];
}

/**
 * One CSV field: quoted when it must be (RFC 4180), and a value a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or carriage return) prefixed with ' (OWASP's CSV injection advice).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The notification list: one line per tenant and owner (a tenant without contacts has one line). */
export function breachScopeCsv(scope: BreachScope): string {
  const lines = [['role', 'tenant', 'via', 'organization', 'owner_email', 'owner_name']];
  for (const t of scope.tenants) {
    const owners = t.contacts?.owners.length ? t.contacts.owners : [undefined];
    for (const o of owners) lines.push([scope.role, t.tenant, t.via.join('; '), t.contacts?.organization ?? '', o?.email ?? '', o?.name ?? '']);
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
