-- Tenant leaks: public_privilege. PUBLIC (every role, including ones created tomorrow) holds a privilege on a
-- tenant schema or on an object in it. Functions get EXECUTE for PUBLIC by default (a NULL proacl means the
-- default ACL), so a tenant function nobody revoked counts too. One row per object.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_public [--param NAME=VALUE …] | psql URL
WITH tenants AS (
  SELECT n.oid, n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text AND n.nspname !~ '__(restored|replaced)_' ELSE n.nspname = ANY ($2::text[]) END
    AND n.nspname IS DISTINCT FROM $3::text
),
acl AS (
  SELECT t.tenant, 'SCHEMA' AS objtype, quote_ident(t.tenant) AS target, t.tenant AS object, x.privilege_type
  FROM tenants t JOIN pg_catalog.pg_namespace n ON n.oid = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) AS x
  WHERE x.grantee = 0
  UNION ALL
  SELECT t.tenant, CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
         quote_ident(t.tenant) || '.' || quote_ident(c.relname), c.relname, x.privilege_type
  FROM tenants t JOIN pg_catalog.pg_class c ON c.relnamespace = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS x
  WHERE c.relacl IS NOT NULL AND x.grantee = 0
  UNION ALL
  SELECT t.tenant, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
         quote_ident(t.tenant) || '.' || quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
         p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', x.privilege_type
  FROM tenants t JOIN pg_catalog.pg_proc p ON p.pronamespace = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS x
  WHERE x.grantee = 0 AND p.prokind IN ('f', 'p')
)
SELECT tenant, 'public_privilege' AS kind, object,
       format('PUBLIC holds %s on %s %s', string_agg(privilege_type, ', ' ORDER BY privilege_type), lower(objtype), target) AS detail,
       CASE WHEN objtype IN ('FUNCTION', 'PROCEDURE') THEN 'warn' ELSE 'critical' END AS severity,
       format('REVOKE ALL ON %s %s FROM PUBLIC;', objtype, target) AS fix_sql
FROM acl
GROUP BY tenant, objtype, target, object
ORDER BY 1, 3;
