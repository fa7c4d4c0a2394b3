-- Tenant leaks: security_definer_search_path. A SECURITY DEFINER function (in a tenant or a shared schema)
-- without a search_path of its own: it runs with its owner's rights but resolves unqualified names through
-- the caller's search_path, so a caller can make it read or run objects of their choosing.
-- The fix pins search_path to pg_catalog and the function's own schema.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_secdef [--param NAME=VALUE …] | psql URL
WITH tenants AS (
  SELECT n.oid, n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text AND n.nspname !~ '__(restored|replaced)_' ELSE n.nspname = ANY ($2::text[]) END
    AND n.nspname IS DISTINCT FROM $3::text
)
SELECT t.tenant, 'security_definer_search_path' AS kind,
       CASE WHEN t.tenant IS NULL THEN n.nspname || '.' ELSE '' END
         || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS object,
       format('SECURITY DEFINER %s %s.%s(%s) owned by %s has no fixed search_path',
              CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
              quote_ident(n.nspname), quote_ident(p.proname), pg_catalog.pg_get_function_identity_arguments(p.oid),
              quote_ident(pg_catalog.pg_get_userbyid(p.proowner))) AS detail,
       'critical' AS severity,
       format('ALTER %s %I.%I(%s) SET search_path = pg_catalog, %I;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
              n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), n.nspname) AS fix_sql
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN tenants t ON t.oid = n.oid
WHERE p.prosecdef
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  -- a listed tenant, or a shared schema: not another tenant of the fleet (when a list is verified), not the template
  AND (t.tenant IS NOT NULL
       OR (n.nspname NOT LIKE $1::text AND NOT (n.nspname = ANY (coalesce($2::text[], '{}'))) AND n.nspname IS DISTINCT FROM $3::text))
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS cfg WHERE cfg LIKE 'search\_path=%')
ORDER BY 1, 3;
