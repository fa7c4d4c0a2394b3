-- Tenant leaks: shared_table_without_rls. A table in a shared schema (not a tenant, not the template, not a
-- system schema) with a tenant key column ($4, e.g. organization_id, org_id, tenant_id) whose row-level
-- security is not both enabled and forced: any session can read every tenant's rows.
-- The fix enables and forces RLS, and when the table has no policy at all adds one keyed on the setting
-- app.current_organization_id (PodcastFlow Pro's convention): without a policy RLS would hide every row.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- @param $4 key_columns text[] = '{organization_id,org_id,tenant_id}': tenant key column names
-- Run it in psql: podcastflow-ops sql print tenants_shared_rls [--param NAME=VALUE …] | psql URL
WITH tenants AS (
  SELECT n.oid, n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text AND n.nspname !~ '__(restored|replaced)_' ELSE n.nspname = ANY ($2::text[]) END
    AND n.nspname IS DISTINCT FROM $3::text
),
shared AS (
  SELECT n.oid, n.nspname
  FROM pg_catalog.pg_namespace n
  WHERE n.oid NOT IN (SELECT oid FROM tenants)
    AND n.nspname NOT LIKE $1::text           -- other tenants of the fleet are not shared schemas
    AND n.nspname IS DISTINCT FROM $3::text
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
)
SELECT NULL::text AS tenant, 'shared_table_without_rls' AS kind,
       s.nspname || '.' || c.relname AS object,
       format('%s.%s has tenant key %s but row-level security is %s%s', quote_ident(s.nspname), quote_ident(c.relname),
              quote_ident(a.attname),
              CASE WHEN NOT c.relrowsecurity THEN 'disabled' ELSE 'enabled but not forced (the owner bypasses it)' END,
              CASE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid) THEN ', and it has no policy' ELSE '' END) AS detail,
       'critical' AS severity,
       concat(
         CASE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid) THEN
           format('CREATE POLICY %I ON %I.%I USING (%I = nullif(current_setting(''app.current_organization_id'', true), '''')::%s) '
                  'WITH CHECK (%I = nullif(current_setting(''app.current_organization_id'', true), '''')::%s); ',
                  c.relname || '_tenant_isolation', s.nspname, c.relname,
                  a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)) END,
         format('ALTER TABLE %1$I.%2$I ENABLE ROW LEVEL SECURITY; ALTER TABLE %1$I.%2$I FORCE ROW LEVEL SECURITY;', s.nspname, c.relname)) AS fix_sql
FROM shared s
JOIN pg_catalog.pg_class c ON c.relnamespace = s.oid AND c.relkind IN ('r', 'p') AND NOT c.relispartition
JOIN LATERAL (
  SELECT a.attname, a.atttypid, a.atttypmod FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY ($4::text[])
  ORDER BY array_position($4::text[], a.attname::text) LIMIT 1
) a ON true
WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity)
ORDER BY 3;
