-- Health check "autovacuum": tables with many dead tuples, tables where autovacuum is switched off, and
-- changed tables not vacuumed or analyzed for a while. One pass over pg_stat_user_tables' rows.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 min_dead int = 1000: minimum dead tuples (or changes since analyze) to consider
-- @param $3 stale_days int = 7: staleness in days
-- @param $4 top int = 50: top N
-- Run it in psql: podcastflow-ops sql print health_autovacuum [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
-- Those rows are read from the catalogs and the statistics functions the view calls: the view also sums
-- each table's index scans (a sort of every table with its indexes, spilled to disk at 10,000 tenants) and
-- was then hashed against all of pg_class; its schema filters ran per table (10,000 tenants: 0.86-1.12 s
-- before, 0.30-0.43 s; the same rows).
WITH
-- @include user_schemas
SELECT n.nspname AS schema, c.relname AS name,
       CASE WHEN n.nspname LIKE $1 THEN n.nspname END AS tenant,
       s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze,
       round(s.n_dead_tup::numeric / nullif(s.n_live_tup + s.n_dead_tup, 0), 4) AS dead_ratio,
       s.last_vacuum, s.last_analyze,
       coalesce(c.reloptions::text[] @> ARRAY['autovacuum_enabled=false']
             OR c.reloptions::text[] @> ARRAY['autovacuum_enabled=off'], false) AS autovacuum_disabled
  FROM pg_catalog.pg_class c
  JOIN user_schemas n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT pg_catalog.pg_stat_get_live_tuples(c.oid) AS n_live_tup,
                            pg_catalog.pg_stat_get_dead_tuples(c.oid) AS n_dead_tup,
                            pg_catalog.pg_stat_get_mod_since_analyze(c.oid) AS n_mod_since_analyze,
                            greatest(pg_catalog.pg_stat_get_last_vacuum_time(c.oid),
                                     pg_catalog.pg_stat_get_last_autovacuum_time(c.oid)) AS last_vacuum,
                            greatest(pg_catalog.pg_stat_get_last_analyze_time(c.oid),
                                     pg_catalog.pg_stat_get_last_autoanalyze_time(c.oid)) AS last_analyze) AS s
 WHERE c.relkind IN ('r', 't', 'm', 'p')  -- the relations pg_stat_all_tables covers
   AND (s.n_dead_tup >= $2
    OR coalesce(c.reloptions::text[] && ARRAY['autovacuum_enabled=false', 'autovacuum_enabled=off'], false)
    OR (s.n_mod_since_analyze >= $2
        AND coalesce(s.last_analyze, '-infinity') < now() - make_interval(days => $3::int)))
 ORDER BY s.n_dead_tup DESC, n.nspname, c.relname
 LIMIT $4;
