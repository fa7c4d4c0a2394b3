-- Health check "invalid_indexes": indexes left INVALID (pg_index.indisvalid = false), usually by a failed
-- CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY. They cost every write and serve no read.
-- Indexes being built right now (pg_stat_progress_create_index) are skipped: invalid is their normal state.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- Run it in psql: podcastflow-ops sql print health_invalid_indexes [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
SELECT n.nspname AS schema, c.relname AS name, t.relname AS table_name,
       CASE WHEN n.nspname LIKE $1 THEN n.nspname END AS tenant,
       c.relpages::bigint * current_setting('block_size')::bigint AS index_bytes,
       pg_get_indexdef(i.indexrelid) AS definition
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT i.indisvalid
   AND n.nspname !~ '__(restored|replaced)_'  -- restored copies (see above)
   AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid OR (p.relid = i.indrelid AND p.index_relid = 0))
 ORDER BY n.nspname, c.relname;
