-- Health check "cache_hit_ratio": cumulative block counters since the last stats reset.
-- Heap and index blocks of every relation in the user schemas (the sums pg_statio_user_tables gives), in
-- one pass over pg_class with the counter functions called directly: the view groups every table with its
-- indexes first, which cost twice as much at 10,000 tenants (360,000 relations). Plus when the
-- statistics were last reset.
-- The console turns two samples into a per-interval ratio (deltas), which shows a recent drop that the
-- cumulative figure hides. Runnable in psql as is.
SELECT coalesce(sum(pg_stat_get_blocks_hit(c.oid)) FILTER (WHERE c.relkind <> 'i'), 0) AS heap_hit,
       coalesce(sum(pg_stat_get_blocks_fetched(c.oid) - pg_stat_get_blocks_hit(c.oid)) FILTER (WHERE c.relkind <> 'i'), 0) AS heap_read,
       coalesce(sum(pg_stat_get_blocks_hit(c.oid)) FILTER (WHERE c.relkind = 'i'), 0) AS idx_hit,
       coalesce(sum(pg_stat_get_blocks_fetched(c.oid) - pg_stat_get_blocks_hit(c.oid)) FILTER (WHERE c.relkind = 'i'), 0) AS idx_read,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'm', 'p', 'i')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast';
