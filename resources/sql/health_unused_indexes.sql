-- Health check "unused_indexes": indexes never scanned since the statistics were reset, that are not
-- unique, not a primary key, not backing a constraint (unique, exclusion, referenced by nothing needed),
-- and valid (invalid ones are their own check). Ranked by size; one query over every schema.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 1000: how many rows to return
-- Run it in psql: podcastflow-ops sql print health_unused_indexes [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
SELECT s.schemaname AS schema, s.indexrelname AS name, s.relname AS table_name,
       CASE WHEN s.schemaname LIKE $1 THEN s.schemaname END AS tenant,
       c.relpages::bigint * current_setting('block_size')::bigint AS index_bytes,
       count(*) OVER ()                                           AS unused_count,
       sum(c.relpages::bigint * current_setting('block_size')::bigint) OVER () AS unused_bytes,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset
  FROM pg_stat_user_indexes s
  JOIN pg_index i ON i.indexrelid = s.indexrelid
  JOIN pg_class c ON c.oid = s.indexrelid
 WHERE s.idx_scan = 0
   AND s.schemaname !~ '__(restored|replaced)_'  -- restored copies (see above)
   AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
   AND i.indisvalid
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = s.indexrelid)
 ORDER BY index_bytes DESC, s.schemaname, s.indexrelname
 LIMIT $2;
