-- Health check "slow_queries", step 2: top statements of this database by total and by mean execution
-- time, from pg_stat_statements (texts are already normalised: constants become $n). Read only: the
-- console never resets these statistics. The console schema-qualifies pg_stat_statements with the
-- extension's schema from step 1. The console's own statements are left out unless $3 is true: they would
-- otherwise rank themselves. pg_stat_statements records no application_name, so the console starts every
-- statement it sends with the comment /* podcastflow-ops */ (Database.query), which the recorded text keeps;
-- $2 is that tag as a LIKE prefix. (A statement another client also runs shares its entry, and its text is
-- whichever came first.)
-- @param $1 top int = 20: top N of each ranking
-- @param $2 own_tag text = '/* podcastflow-ops */ %': the console's statement tag, as a LIKE prefix
-- @param $3 include_own bool = false: include the console's own statements
-- Run it in psql: podcastflow-ops sql print health_slow_queries [--param NAME=VALUE …] | psql URL
WITH s AS (
  SELECT queryid, query, calls, total_exec_time, mean_exec_time, rows,
         shared_blks_hit, shared_blks_read, r.rolname AS role_name,
         rank() OVER (ORDER BY total_exec_time DESC) AS by_total,
         rank() OVER (ORDER BY mean_exec_time DESC)  AS by_mean
    FROM pg_stat_statements p
    LEFT JOIN pg_roles r ON r.oid = p.userid
   WHERE p.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND p.calls > 0
     AND ($3::boolean OR p.query NOT LIKE $2::text)
)
SELECT queryid::text AS queryid, left(query, 2000) AS query, calls,
       round(total_exec_time::numeric, 3) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms, rows,
       shared_blks_hit, shared_blks_read, role_name, by_total, by_mean
  FROM s
 WHERE by_total <= $1 OR by_mean <= $1
 ORDER BY total_exec_time DESC;
