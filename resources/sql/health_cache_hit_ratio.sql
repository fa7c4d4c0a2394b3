-- Health check "cache_hit_ratio": cumulative block counters since the last stats reset.
-- Heap and index blocks of every user table in one pass over pg_statio_user_tables (its idx_blks_*
-- columns already sum each table's indexes), plus when the statistics were last reset.
-- The console turns two samples into a per-interval ratio (deltas), which shows a recent drop that the
-- cumulative figure hides. Runnable in psql as is.
SELECT coalesce(sum(heap_blks_hit), 0)  AS heap_hit,
       coalesce(sum(heap_blks_read), 0) AS heap_read,
       coalesce(sum(idx_blks_hit), 0)   AS idx_hit,
       coalesce(sum(idx_blks_read), 0)  AS idx_read,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset
  FROM pg_statio_user_tables;
