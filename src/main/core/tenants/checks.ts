/**
 * The tenant checks: each is one set-based query (resources/sql/tenants_<file>.sql) over every tenant at
 * once, returning rows (tenant, kind, object, detail, severity, fix_sql). The parameters are always
 * $1 pattern, $2 explicit tenant list, $3 template, plus one check-specific array for some.
 */
export interface TenantScope {
  pattern: string;
  tenants: string[] | null;
  template: string | null;
}

export interface CheckOptions {
  platformRoles: string[];
  tenantKeyColumns: string[];
}

export interface CheckSpec {
  id: string;
  file: string;
  /** Parameters in order, for the query and for psql (bench/tenants.ts). */
  params(scope: TenantScope, opts: CheckOptions): unknown[];
}

const base = (s: TenantScope): unknown[] => [s.pattern, s.tenants, s.template];

/**
 * A role with privileges in at least this share of the fleet, and in at least PLATFORM_ROLE_MIN_TENANTS
 * tenants, is platform-wide (a reporting or support role meant for every tenant): the tenants lacking it
 * get a missing_platform_grant (warn) each, instead of a critical cross_tenant_grant on every tenant it is
 * in. Fewer tenants than that: a cross-tenant grant. docs/tenants.md says the rule.
 */
export const PLATFORM_ROLE_SHARE = 0.8;
export const PLATFORM_ROLE_MIN_TENANTS = 3;

/** Tenant key columns a shared table is checked for when nothing else is configured. */
export const DEFAULT_TENANT_KEY_COLUMNS = ['organization_id', 'org_id', 'tenant_id'];

export const CHECKS: readonly CheckSpec[] = [
  { id: 'tables', file: 'tenants_tables', params: base },
  { id: 'columns', file: 'tenants_columns', params: base },
  { id: 'indexes', file: 'tenants_indexes', params: base },
  { id: 'grants', file: 'tenants_grants', params: (s, o) => [...base(s), o.platformRoles, PLATFORM_ROLE_SHARE, PLATFORM_ROLE_MIN_TENANTS] },
  { id: 'public', file: 'tenants_public', params: base },
  { id: 'references', file: 'tenants_references', params: base },
  { id: 'shared_rls', file: 'tenants_shared_rls', params: (s, o) => [...base(s), o.tenantKeyColumns] },
  { id: 'security_definer', file: 'tenants_secdef', params: base },
  { id: 'owners', file: 'tenants_owner', params: base },
];
