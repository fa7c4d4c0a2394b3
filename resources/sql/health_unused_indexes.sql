-- Health check "unused_indexes": indexes never scanned since the statistics were reset, that are not
-- unique, not a primary key, not backing a constraint (unique, exclusion, referenced by nothing needed),
-- and valid (invalid ones are their own check). Ranked by size; one query over every schema.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 1000: how many rows to return
-- Run it in psql: podcastflow-ops sql print health_unused_indexes [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
-- The rows of pg_stat_user_indexes, read from the catalogs: the view calls pg_stat_get_numscans for every
-- relation before it is joined to pg_index (360,000 calls at 10,000 tenants), and its schema filters ran
-- two regular expressions per index; here the scan count is read for the candidate indexes only and the
-- schemas are filtered once each (10,000 tenants: 2.7-3.1 s before, 0.92-0.97 s; the same rows). No
-- constraint lookup is needed: an index a constraint uses (pg_constraint.conindid) is unique, a primary
-- key or an exclusion index, foreign keys included (theirs is the referenced table's unique index).
WITH
-- @include user_schemas
SELECT n.nspname AS schema, ic.relname AS name, tc.relname AS table_name,
       CASE WHEN n.nspname LIKE $1 THEN n.nspname END AS tenant,
       ic.relpages::bigint * current_setting('block_size')::bigint AS index_bytes,
       count(*) OVER ()                                           AS unused_count,
       sum(ic.relpages::bigint * current_setting('block_size')::bigint) OVER () AS unused_bytes,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid
  JOIN user_schemas n ON n.oid = tc.relnamespace
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
 WHERE NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
   AND i.indisvalid
   AND pg_catalog.pg_stat_get_numscans(i.indexrelid) = 0  -- idx_scan = 0
   AND tc.relkind IN ('r', 't', 'm')                       -- the tables pg_stat_all_indexes covers
 ORDER BY index_bytes DESC, n.nspname, ic.relname
 LIMIT $2;
