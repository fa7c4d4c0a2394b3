-- user_schemas: the schemas pg_stat_user_tables and pg_stat_user_indexes cover (not pg_catalog,
-- information_schema or pg_toast*), less the console's restored copies (<tenant>__restored_… /
-- __replaced_…: they repeat their tenant's findings; the Backups page lists them). For the checks that
-- read those views' rows from the catalogs.
-- A fragment: a CTE of a WITH list, placed by the line `-- @include user_schemas` (the SQL loader,
-- src/main/core/db/sql.ts, expands it; `podcastflow-ops sql print` prints the whole query). MATERIALIZED:
-- its filters run once per schema, and the join to it is hashed, not a lookup with two regular
-- expressions per table or index (80,000 of them at 10,000 tenants).
user_schemas AS MATERIALIZED (
  SELECT n.oid, n.nspname
  FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
    AND n.nspname !~ '__(restored|replaced)_'
)
