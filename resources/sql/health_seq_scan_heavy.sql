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
-- pg_stat_user_tables' figures, read from the catalogs and the statistics functions the view calls, for
-- the tables of at least min_bytes only: the view computes them (and sums every table's index scans)
-- for every table before the size filter (10,000 tenants: 0.44-0.66 s before, 0.20-0.23 s; the same rows).
WITH
-- @include user_schemas
SELECT n.nspname AS schema, c.relname AS name,
       CASE WHEN n.nspname LIKE $1 THEN n.nspname END AS tenant,
       c.relpages::bigint * current_setting('block_size')::bigint AS table_bytes,
       s.seq_scan, s.idx_scan, s.seq_tup_read,
       round(s.seq_scan::numeric / nullif(s.seq_scan + s.idx_scan, 0), 4) AS seq_ratio
  FROM pg_catalog.pg_class c
  JOIN user_schemas n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT pg_catalog.pg_stat_get_numscans(c.oid) AS seq_scan,
                            pg_catalog.pg_stat_get_tuples_returned(c.oid) AS seq_tup_read,
                            -- the view's idx_scan: the scans of the table's indexes (none: 0)
                            coalesce((SELECT sum(pg_catalog.pg_stat_get_numscans(i.indexrelid)) FROM pg_catalog.pg_index i
                                       WHERE i.indrelid = c.oid), 0)::bigint AS idx_scan) AS s
 WHERE c.relkind IN ('r', 't', 'm', 'p')  -- the relations pg_stat_all_tables covers
   AND c.relpages::bigint * current_setting('block_size')::bigint >= $2
   AND s.seq_scan >= $4
   AND s.seq_scan::numeric / nullif(s.seq_scan + s.idx_scan, 0) >= $3
 ORDER BY s.seq_tup_read DESC, n.nspname, c.relname
 LIMIT $5;
