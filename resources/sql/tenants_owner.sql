-- Tenant leaks: unexpected_owner. The tenant schema, or a table, view, sequence or function in it, owned by a
-- role other than the expected owner: the template schema's owner when $3 names one, else the most common
-- owner of the tenant schemas (all those matching the pattern, even when a list of tenants is verified). (A different owner can grant itself anything and bypasses non-forced RLS.)
-- Sequences owned by a column are left out: they follow their table's owner.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_owner [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
,
expected AS (
  SELECT coalesce((SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = $3::text),
                  (SELECT mode() WITHIN GROUP (ORDER BY nspowner) FROM pg_catalog.pg_namespace
                   WHERE (nspname LIKE $1::text AND nspname !~ '__(restored|replaced)_') OR nspname = ANY (coalesce($2::text[], '{}')))) AS owner
),
owned AS (
  SELECT t.tenant, 'SCHEMA' AS objtype, quote_ident(t.tenant) AS target, t.tenant AS object, t.nspowner AS owner
  FROM tenants t
  UNION ALL
  SELECT t.tenant,
         CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                        WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
         quote_ident(t.tenant) || '.' || quote_ident(c.relname), c.relname, c.relowner
  FROM tenants t JOIN pg_catalog.pg_class c ON c.relnamespace = t.oid
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    -- one pg_depend lookup per sequence of another owner (LIMIT 1 keeps it a lookup): as EXISTS the planner
    -- hashed every relation's dependencies first (200,000 rows at 10,000 tenants) for the few rows that ask
    AND NOT (c.relkind = 'S' AND (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                                    AND d.refclassid = 'pg_class'::regclass LIMIT 1) IS NOT NULL)
  UNION ALL
  SELECT t.tenant, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
         quote_ident(t.tenant) || '.' || quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
         p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', p.proowner
  FROM tenants t JOIN pg_catalog.pg_proc p ON p.pronamespace = t.oid
)
SELECT o.tenant, 'unexpected_owner' AS kind, o.object,
       format('%s %s is owned by %s, expected %s', lower(o.objtype), o.target,
              quote_ident(pg_catalog.pg_get_userbyid(o.owner)), quote_ident(pg_catalog.pg_get_userbyid(e.owner))) AS detail,
       'warn' AS severity,
       format('ALTER %s %s OWNER TO %I;', o.objtype, o.target, pg_catalog.pg_get_userbyid(e.owner)) AS fix_sql
FROM owned o CROSS JOIN expected e
WHERE o.owner <> e.owner
ORDER BY 1, 3;
