-- Health check "slow_queries", step 1: is pg_stat_statements installed in this database, and where?
-- (Loaded via shared_preload_libraries is a separate question: querying the view answers it.)
SELECT n.nspname AS schema, e.extversion AS version,
       current_setting('shared_preload_libraries') AS preload
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'pg_stat_statements';
