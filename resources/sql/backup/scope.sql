-- The schemas a backup covers and the size of their tables (for progress and ETA), in one query.
-- @param $1 schemas text[] = NULL: schema names, or NULL for every non-system schema (a full backup)
-- @param $2 pattern text = 'org_%': LIKE pattern for tenant schemas (used when $1 is NULL and $3 is true)
-- @param $3 tenants_only bool = false: true to select only the schemas matching $2 (--all-tenants), never the
--   restored copies (<tenant>__restored_… / __replaced_…: the console's own side schemas, not tenants)
-- Run it in psql: podcastflow-ops sql print backup/scope [--param NAME=VALUE …] | psql URL
SELECT n.nspname AS schema,
       coalesce(sum(pg_table_size(c.oid)) FILTER (WHERE c.relkind = 'r'), 0)::bigint AS bytes,
       count(c.oid) FILTER (WHERE c.relkind = 'r')::int AS tables
FROM pg_namespace n
LEFT JOIN pg_class c ON c.relnamespace = n.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
  AND (NOT $3::boolean OR (n.nspname LIKE $2::text AND n.nspname !~ '__(restored|replaced)_'))
GROUP BY n.nspname
ORDER BY n.nspname;
