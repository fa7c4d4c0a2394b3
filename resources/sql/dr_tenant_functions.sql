-- DR persistence hunt: functions and procedures in tenant schemas that are not in the reference shape
-- (the template schema's, else those more than half of the tenants have, as the tenant drift checks
-- decide it): a function only one tenant has is where a backdoor hides. SECURITY DEFINER functions are
-- left out here (dr_secdef_functions lists them all), as are functions that belong to an extension.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print dr_tenant_functions [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
,
-- @include tenant_voters
,
fn AS (
  SELECT p.oid, p.pronamespace, p.prosecdef,
         p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS signature
  FROM pg_catalog.pg_proc p
  WHERE p.pronamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
),
ref AS (
  SELECT f.signature
  FROM fn f JOIN voters v ON v.oid = f.pronamespace
  GROUP BY f.signature
  HAVING count(*) * 2 > (SELECT count(*) FROM voters)
)
SELECT t.tenant, f.signature,
       quote_ident(t.tenant) || '.' || f.signature AS object,
       pg_catalog.pg_get_userbyid(p.proowner) AS owner,
       l.lanname AS language
FROM tenants t
JOIN fn f ON f.pronamespace = t.oid
JOIN pg_catalog.pg_proc p ON p.oid = f.oid
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE NOT f.prosecdef
  AND f.signature NOT IN (SELECT signature FROM ref)
ORDER BY 1, 2;
