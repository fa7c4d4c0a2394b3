-- Health check "seq_scan_heavy": large tables read mostly by sequential scans (a missing index, or a
-- query that cannot use one). Size from relpages (no file system call per table).
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 min_bytes int = 10485760: minimum table bytes
-- @param $3 min_share numeric = 0.5: minimum seq-scan share (0-1)
-- @param $4 min_scans int = 100: minimum number of seq scans
-- @param $5 top int = 50: top N
-- Run it in psql: podcastflow-ops sql print health_seq_scan_heavy [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
SELECT s.schemaname AS schema, s.relname AS name,
       CASE WHEN s.schemaname LIKE $1 THEN s.schemaname END AS tenant,
       c.relpages::bigint * current_setting('block_size')::bigint AS table_bytes,
       s.seq_scan, coalesce(s.idx_scan, 0) AS idx_scan, s.seq_tup_read,
       round(s.seq_scan::numeric / nullif(s.seq_scan + coalesce(s.idx_scan, 0), 0), 4) AS seq_ratio
  FROM pg_stat_user_tables s
  JOIN pg_class c ON c.oid = s.relid
 WHERE c.relpages::bigint * current_setting('block_size')::bigint >= $2
   AND s.schemaname !~ '__(restored|replaced)_'  -- restored copies (see above)
   AND s.seq_scan >= $4
   AND s.seq_scan::numeric / nullif(s.seq_scan + coalesce(s.idx_scan, 0), 0) >= $3
 ORDER BY s.seq_tup_read DESC, s.schemaname, s.relname
 LIMIT $5;
