-- DR breach scope: the tenants a role could read, and through what, for every tenant at once.
-- The role's privileges include those of every role it inherits (pg_has_role … 'USAGE' follows
-- memberships with INHERIT). One row per tenant it could read, `via` naming each way:
--   superuser                        the role is a superuser (every tenant)
--   pg_read_all_data                 it inherits the predefined role pg_read_all_data (every tenant)
--   owner / owner:<role>             it (or a role it inherits) owns the schema or a table in it
--   grant                            SELECT on a table in the tenant granted to the role itself
--   membership:<role>                … granted to a role it inherits
--   public                           … granted to PUBLIC
--   default_privileges[:<role>]      default privileges in the tenant's schema give it (or <role>) SELECT
--                                    on tables created there from now on
--   shared:<schema.table>            it can SELECT a shared table keyed by tenant ($5) and row-level security
--                                    does not stop it (disabled, BYPASSRLS, or owner without FORCE)
--   rls_policy:<schema.table>/<policy>  … RLS is on and a permissive SELECT policy applies to it: whether
--                                    the policy limits it to one tenant depends on its predicate (e.g. a
--                                    setting the session chooses itself), so every tenant counts as readable
-- Table grants count only where the role also has USAGE on the tenant's schema (without it nothing there
-- can be read). Column-level grants are not considered.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: a schema that is not a tenant (NULL: none)
-- @param $4 role text: the role whose reach is scoped
-- @param $5 key_columns text[] = '{organization_id,org_id,tenant_id}': tenant key column names of shared tables
-- Run it in psql: podcastflow-ops sql print dr_breach_scope --param role=ROLE | psql URL
WITH
-- @include tenant_scope
,
subject AS (
  SELECT r.oid, r.rolsuper, r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = $4::text
),
-- the roles whose privileges the subject uses: itself and every role it inherits
eff AS (
  SELECT m.oid, m.rolname, m.oid = s.oid AS itself
  FROM pg_catalog.pg_roles m CROSS JOIN subject s
  WHERE pg_catalog.pg_has_role(s.oid, m.oid, 'USAGE')
),
readable_schema AS (
  SELECT t.oid, t.tenant FROM tenants t CROSS JOIN subject s
  WHERE pg_catalog.has_schema_privilege(s.oid, t.oid, 'USAGE')
),
shared AS (
  SELECT c.oid, n.nspname || '.' || c.relname AS name, c.relrowsecurity, c.relforcerowsecurity, c.relowner
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN subject s
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.oid NOT IN (SELECT oid FROM tenants)
    AND n.nspname NOT LIKE $1::text AND n.nspname IS DISTINCT FROM $3::text
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
    AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY ($5::text[]))
    AND pg_catalog.has_schema_privilege(s.oid, n.oid, 'USAGE')
    AND pg_catalog.has_table_privilege(s.oid, c.oid, 'SELECT')
),
via AS (
  SELECT t.tenant, 'superuser' AS via FROM tenants t CROSS JOIN subject s WHERE s.rolsuper
  UNION ALL
  SELECT t.tenant, 'pg_read_all_data' FROM tenants t WHERE EXISTS (SELECT 1 FROM eff WHERE eff.rolname = 'pg_read_all_data')
  UNION ALL
  SELECT t.tenant, CASE WHEN e.itself THEN 'owner' ELSE 'owner:' || e.rolname END
  FROM tenants t JOIN eff e ON e.oid = t.nspowner
  UNION ALL
  SELECT rs.tenant, CASE WHEN e.itself THEN 'owner' ELSE 'owner:' || e.rolname END
  FROM readable_schema rs JOIN pg_catalog.pg_class c ON c.relnamespace = rs.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  JOIN eff e ON e.oid = c.relowner
  UNION ALL
  SELECT rs.tenant, CASE WHEN x.grantee = 0 THEN 'public' WHEN e.itself THEN 'grant' ELSE 'membership:' || e.rolname END
  FROM readable_schema rs JOIN pg_catalog.pg_class c ON c.relnamespace = rs.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS x
  LEFT JOIN eff e ON e.oid = x.grantee
  WHERE c.relacl IS NOT NULL AND x.privilege_type = 'SELECT' AND (x.grantee = 0 OR e.oid IS NOT NULL)
  UNION ALL
  SELECT rs.tenant, CASE WHEN x.grantee = 0 OR e.itself THEN 'default_privileges' ELSE 'default_privileges:' || e.rolname END
  FROM readable_schema rs JOIN pg_catalog.pg_default_acl d ON d.defaclnamespace = rs.oid AND d.defaclobjtype = 'r'
  CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS x
  LEFT JOIN eff e ON e.oid = x.grantee
  WHERE x.privilege_type = 'SELECT' AND (x.grantee = 0 OR e.oid IS NOT NULL)
  UNION ALL
  SELECT t.tenant, 'shared:' || sh.name
  FROM shared sh CROSS JOIN subject s CROSS JOIN tenants t
  WHERE NOT sh.relrowsecurity OR s.rolbypassrls OR (sh.relowner IN (SELECT oid FROM eff) AND NOT sh.relforcerowsecurity)
  UNION ALL
  SELECT t.tenant, 'rls_policy:' || sh.name || '/' || p.polname
  FROM shared sh CROSS JOIN subject s
  JOIN pg_catalog.pg_policy p ON p.polrelid = sh.oid
  CROSS JOIN tenants t
  WHERE sh.relrowsecurity AND NOT s.rolbypassrls AND NOT (sh.relowner IN (SELECT oid FROM eff) AND NOT sh.relforcerowsecurity)
    AND p.polpermissive AND p.polcmd IN ('r', '*')
    AND (0 = ANY (p.polroles) OR EXISTS (SELECT 1 FROM eff WHERE eff.oid = ANY (p.polroles)))
)
SELECT v.tenant, array_agg(DISTINCT v.via ORDER BY v.via) AS via
FROM via v
GROUP BY v.tenant
ORDER BY v.tenant;
