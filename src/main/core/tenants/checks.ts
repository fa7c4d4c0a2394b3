import type { ViolationKind } from '../../../shared/domain/tenants';

/**
 * The tenant checks: each query is one set-based statement (resources/sql/tenants_<file>.sql) over every
 * tenant at once, returning rows (tenant, kind, object, detail, severity, fix_sql). Most answer one check;
 * tenants_shape answers three (tables, columns, indexes), which read the same catalog rows. The parameters
 * are always $1 pattern, $2 explicit tenant list, $3 template, plus one check-specific array for some.
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
  /** The checks this query answers, in the order they are listed. */
  ids: readonly string[];
  file: string;
  /** Runs on a session of its own (verify.ts); the others run one after another on a second. */
  heavy?: boolean;
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
  { ids: ['tables', 'columns', 'indexes'], file: 'tenants_shape', heavy: true, params: base },
  { ids: ['grants'], file: 'tenants_grants', params: (s, o) => [...base(s), o.platformRoles, PLATFORM_ROLE_SHARE, PLATFORM_ROLE_MIN_TENANTS] },
  { ids: ['public'], file: 'tenants_public', params: base },
  { ids: ['references'], file: 'tenants_references', params: base },
  { ids: ['shared_rls'], file: 'tenants_shared_rls', params: (s, o) => [...base(s), o.tenantKeyColumns] },
  { ids: ['security_definer'], file: 'tenants_secdef', params: base },
  { ids: ['owners'], file: 'tenants_owner', params: base },
];

/** Every check id, in the order results list them. */
export const CHECK_IDS: readonly string[] = CHECKS.flatMap((c) => c.ids);

/** Which check of a query answering several a violation belongs to. */
const CHECK_OF_KIND: Partial<Record<ViolationKind, string>> = {
  missing_table: 'tables',
  extra_table: 'tables',
  missing_column: 'columns',
  type_mismatch: 'columns',
  missing_index: 'indexes',
  invalid_index: 'indexes',
};

export function checkOfKind(spec: CheckSpec, kind: ViolationKind): string {
  return spec.ids.length === 1 ? spec.ids[0]! : (CHECK_OF_KIND[kind] ?? spec.ids[0]!);
}
