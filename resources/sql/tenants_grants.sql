-- Tenant leaks: cross_tenant_grant, and drift: missing_platform_grant. A role that holds privileges (on the
-- schema itself or on objects in it) in more than one tenant but not in all of them is either
--   * platform-wide, when it is in at least $5 (share, 0.8) of the fleet and in at least $6 (3) tenants: a
--     reporting or support role meant for every tenant; each tenant that lacks it gets one
--     missing_platform_grant (warn), and the tenants that have it get nothing; or
--   * a cross-tenant grant (critical) on every tenant it touches: an agency or support role that crossed
--     tenant lines.
-- Not counted: the schema's and objects' owners, roles that own any tenant schema, superusers, and the
-- configured platform roles ($4, which always win: never a finding). Roles holding privileges in at least
-- $5 of the tenants (and in at least $6 of them) are platform roles by fact: the tenants that lack them get one
-- drift finding each (src/main/core/tenants/checks.ts: PLATFORM_ROLE_SHARE, PLATFORM_ROLE_MIN_TENANTS).
-- PUBLIC is tenants_public's business. One row per (role, tenant), so the heatmap shows each tenant touched.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- @param $4 platform_roles text[] = NULL: configured platform roles
-- @param $5 platform_share numeric = 0.8: share of tenants (0-1) from which a role is a platform role
-- @param $6 platform_min_tenants int = 3: fewest tenants a platform role is granted in
-- Run it in psql: podcastflow-ops sql print tenants_grants [--param NAME=VALUE …] | psql URL
WITH tenants AS (
  SELECT n.oid, n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text AND n.nspname !~ '__(restored|replaced)_' ELSE n.nspname = ANY ($2::text[]) END
    AND n.nspname IS DISTINCT FROM $3::text
),
-- the fleet: every tenant matching the pattern plus the listed ones, so that "more than one but not all"
-- means the same whether all tenants or a list of them are verified
fleet AS (
  SELECT n.oid, n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
  WHERE ((n.nspname LIKE $1::text AND n.nspname !~ '__(restored|replaced)_') OR n.nspname = ANY (coalesce($2::text[], '{}')))
    AND n.nspname IS DISTINCT FROM $3::text
),
acl AS (
  SELECT t.tenant, 'schema' AS objtype, quote_ident(t.tenant) AS object, x.grantee, x.privilege_type, n.nspowner AS owner
  FROM fleet t JOIN pg_catalog.pg_namespace n ON n.oid = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) AS x
  UNION ALL
  SELECT t.tenant, CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END,
         quote_ident(c.relname), x.grantee, x.privilege_type, c.relowner
  FROM fleet t JOIN pg_catalog.pg_class c ON c.relnamespace = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS x
  WHERE c.relacl IS NOT NULL
  UNION ALL
  SELECT t.tenant, 'function', quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
         x.grantee, x.privilege_type, p.proowner
  FROM fleet t JOIN pg_catalog.pg_proc p ON p.pronamespace = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) AS x
  WHERE p.proacl IS NOT NULL
),
held AS (
  SELECT acl.grantee, acl.tenant,
         string_agg(DISTINCT acl.privilege_type || ' on ' || acl.objtype || ' ' || acl.object, ', ') AS what
  FROM acl
  JOIN pg_catalog.pg_roles r ON r.oid = acl.grantee
  WHERE acl.grantee <> 0 AND acl.grantee <> acl.owner
    AND NOT r.rolsuper
    AND r.rolname <> ALL (coalesce($4::text[], '{}'))
    AND acl.grantee NOT IN (SELECT n.nspowner FROM fleet t JOIN pg_catalog.pg_namespace n ON n.oid = t.oid)
  GROUP BY acl.grantee, acl.tenant
),
spread AS (
  SELECT grantee, count(*) AS n,
         -- platform-wide: in most of the fleet, and in enough tenants for "most" to mean something
         count(*) >= $5::numeric * (SELECT count(*) FROM fleet) AND count(*) >= $6::int AS platform
  FROM held GROUP BY grantee
  HAVING count(*) > 1 AND count(*) < (SELECT count(*) FROM fleet)
)
SELECT h.tenant, 'cross_tenant_grant' AS kind, pg_catalog.pg_get_userbyid(h.grantee) AS object,
       format('role %s holds privileges in %s of %s tenants: %s', quote_ident(pg_catalog.pg_get_userbyid(h.grantee)),
              s.n, (SELECT count(*) FROM fleet), left(h.what, 500)) AS detail,
       'critical' AS severity,
       format('REVOKE ALL ON ALL TABLES IN SCHEMA %1$I FROM %2$I; REVOKE ALL ON ALL SEQUENCES IN SCHEMA %1$I FROM %2$I; '
              'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %1$I FROM %2$I; REVOKE ALL ON SCHEMA %1$I FROM %2$I;',
              h.tenant, pg_catalog.pg_get_userbyid(h.grantee)) AS fix_sql
FROM held h JOIN spread s ON s.grantee = h.grantee
WHERE NOT s.platform AND h.tenant IN (SELECT tenant FROM tenants)
UNION ALL
-- a platform-wide role missing from a tenant: no mechanical fix (which privileges it needs is the
-- application's business); the detail shows what it holds in one tenant that has it
SELECT t.tenant, 'missing_platform_grant', pg_catalog.pg_get_userbyid(s.grantee),
       format('role %s holds privileges in %s of %s tenants (a platform role) but none in this one; elsewhere, e.g. in %s: %s',
              quote_ident(pg_catalog.pg_get_userbyid(s.grantee)), s.n, (SELECT count(*) FROM fleet),
              quote_ident(x.tenant), left(x.what, 400)),
       'warn', NULL
FROM spread s
CROSS JOIN tenants t
CROSS JOIN LATERAL (SELECT h.tenant, h.what FROM held h WHERE h.grantee = s.grantee ORDER BY h.tenant LIMIT 1) x
WHERE s.platform AND NOT EXISTS (SELECT 1 FROM held h WHERE h.grantee = s.grantee AND h.tenant = t.tenant)
ORDER BY 1, 3;
