-- Health check "autovacuum": tables with many dead tuples, tables where autovacuum is switched off, and
-- changed tables not vacuumed or analyzed for a while. One pass over pg_stat_user_tables.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 min_dead int = 1000: minimum dead tuples (or changes since analyze) to consider
-- @param $3 stale_days int = 7: staleness in days
-- @param $4 top int = 50: top N
-- Run it in psql: podcastflow-ops sql print health_autovacuum [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
SELECT s.schemaname AS schema, s.relname AS name,
       CASE WHEN s.schemaname LIKE $1 THEN s.schemaname END AS tenant,
       s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze,
       round(s.n_dead_tup::numeric / nullif(s.n_live_tup + s.n_dead_tup, 0), 4) AS dead_ratio,
       greatest(s.last_vacuum, s.last_autovacuum)   AS last_vacuum,
       greatest(s.last_analyze, s.last_autoanalyze) AS last_analyze,
       coalesce(c.reloptions::text[] @> ARRAY['autovacuum_enabled=false']
             OR c.reloptions::text[] @> ARRAY['autovacuum_enabled=off'], false) AS autovacuum_disabled
  FROM pg_stat_user_tables s
  JOIN pg_class c ON c.oid = s.relid
 WHERE s.schemaname !~ '__(restored|replaced)_'  -- restored copies (see above)
   AND (s.n_dead_tup >= $2
    OR coalesce(c.reloptions::text[] && ARRAY['autovacuum_enabled=false', 'autovacuum_enabled=off'], false)
    OR (s.n_mod_since_analyze >= $2
        AND coalesce(greatest(s.last_analyze, s.last_autoanalyze), '-infinity') < now() - make_interval(days => $3::int)))
 ORDER BY s.n_dead_tup DESC, s.schemaname, s.relname
 LIMIT $4;
