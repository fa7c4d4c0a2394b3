-- DR evidence and breach containment: every privilege granted on a tenant schema or on an object in one
-- (tables, views, sequences, functions) and every default privilege defined in a tenant schema, one row per
-- (object, grantor, grantee, with/without grant option). With $4 only the grants to that role: lock_role
-- revokes exactly these and keeps them in its record to grant them back (src/main/core/dr/security/lock.ts
-- builds the GRANT and REVOKE statements, identifiers quoted). Owners' implicit privileges are not grants
-- and are not listed. PostgreSQL records each grant with its grantor; it is undone as that grantor.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: a schema that is not a tenant (NULL: none)
-- @param $4 grantee text = NULL: only the grants to this role (NULL: every grantee, PUBLIC included)
-- Run it in psql: podcastflow-ops sql print dr_tenant_grants [--param grantee=ROLE] | psql URL
WITH
-- @include tenant_scope
,
items AS (
  SELECT t.tenant, 'schema'::text AS object_type, format('%I', t.tenant) AS target, t.tenant AS object,
         x.grantor, x.grantee, x.privilege_type, x.is_grantable, NULL::text AS defaults_for
  FROM tenants t JOIN pg_catalog.pg_namespace n ON n.oid = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) AS x
  UNION ALL
  SELECT t.tenant, CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END,
         format('%I.%I', t.tenant, c.relname), c.relname,
         x.grantor, x.grantee, x.privilege_type, x.is_grantable, NULL
  FROM tenants t JOIN pg_catalog.pg_class c ON c.relnamespace = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS x
  WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  UNION ALL
  -- a routine's target is its regprocedure text: the server's own quoting of name and argument types
  SELECT t.tenant, 'function', p.oid::pg_catalog.regprocedure::text,
         p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
         x.grantor, x.grantee, x.privilege_type, x.is_grantable, NULL
  FROM tenants t JOIN pg_catalog.pg_proc p ON p.pronamespace = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) AS x
  WHERE p.proacl IS NOT NULL
  UNION ALL
  -- default privileges: what objects defaclrole creates in the schema will grant from the start
  SELECT t.tenant, 'default', format('%I', t.tenant),
         CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' END,
         d.defaclrole, x.grantee, x.privilege_type, x.is_grantable,
         CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' END
  FROM tenants t JOIN pg_catalog.pg_default_acl d ON d.defaclnamespace = t.oid
  CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS x
),
grouped AS (
  SELECT i.tenant, i.object_type, i.object, i.target, i.defaults_for,
         pg_catalog.pg_get_userbyid(i.grantor) AS grantor,
         CASE WHEN i.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(i.grantee) END AS grantee,
         i.is_grantable AS grantable,
         array_agg(i.privilege_type ORDER BY i.privilege_type) AS privileges
  FROM items i
  WHERE $4::text IS NULL OR (i.grantee <> 0 AND pg_catalog.pg_get_userbyid(i.grantee) = $4::text)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
)
SELECT g.tenant, g.object_type, g.object, g.target, g.defaults_for, g.grantor, g.grantee, g.grantable, g.privileges
FROM grouped g
ORDER BY g.tenant, g.object_type, g.object, g.grantee, g.grantor, g.grantable;
