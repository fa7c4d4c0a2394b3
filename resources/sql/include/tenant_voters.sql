-- voters: the schemas that vote on a table's reference shape (tenants_shape: tables, columns, indexes): the
-- template ($3), else every schema matching the pattern $1 (the fleet, even when only a list of tenants is
-- verified), else the listed tenants themselves. Needs the tenants CTE (include/tenant_scope.sql) before it.
-- A fragment: a CTE of a WITH list, placed by the line `-- @include tenant_voters`.
voters AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname = $3::text
  UNION ALL
  SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE $3::text IS NULL AND nspname LIKE $1::text AND nspname !~ '__(restored|replaced)_'
  UNION ALL
  SELECT oid, tenant FROM tenants
  WHERE $3::text IS NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname LIKE $1::text AND nspname !~ '__(restored|replaced)_')
)
