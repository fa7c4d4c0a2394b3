-- Size of every ordinary table in the given schemas: pg_dump -v names each table as it starts dumping
-- it, and these sizes turn that into bytes done / bytes total (progress and ETA of a running backup).
-- From the catalog (relpages, as of the last VACUUM/ANALYZE), not pg_table_size: progress needs proportions,
-- and a stat of every table's files cost seconds at 10,000 tenants before pg_dump could start.
-- @param $1 schemas text[]: schema names
-- Run it in psql: podcastflow-ops sql print backup/table_sizes [--param NAME=VALUE …] | psql URL
SELECT n.nspname AS schema, c.relname AS table, (c.relpages::bigint * current_setting('block_size')::bigint) AS bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname = ANY ($1::text[]);
