-- tenants: the schemas a tenant check covers, one row each (oid, tenant = the schema's name, its owner).
-- Either every schema matching $1 (LIKE pattern), never a restored copy (<tenant>__restored_… /
-- __replaced_…: the console's own side schemas, see src/main/core/backup/naming.ts), or, when $2 (text[])
-- is not NULL, exactly the schemas it lists; never $3, the template schema (or NULL).
-- A fragment: the first CTE of a WITH list, placed by the line `-- @include tenant_scope` (the SQL
-- loader, src/main/core/db/sql.ts, expands it; `podcastflow-ops sql print` prints the whole query).
tenants AS (
  SELECT n.oid, n.nspname AS tenant, n.nspowner
  FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text AND n.nspname !~ '__(restored|replaced)_' ELSE n.nspname = ANY ($2::text[]) END
    AND n.nspname IS DISTINCT FROM $3::text
)
