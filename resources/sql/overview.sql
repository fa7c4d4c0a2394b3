-- Overview: live facts of the connected database, in one round trip.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- Run it in psql: podcastflow-ops sql print overview [--param NAME=VALUE …] | psql URL
SELECT
  current_database()                                           AS database,
  current_setting('server_version')                            AS server_version,
  current_setting('server_version_num')::int                   AS server_version_num,
  pg_postmaster_start_time()                                   AS started_at,
  extract(epoch FROM now() - pg_postmaster_start_time())::bigint AS uptime_sec,
  pg_database_size(current_database())                         AS database_bytes,
  (SELECT count(*) FROM pg_namespace WHERE nspname LIKE $1 AND nspname !~ '__(restored|replaced)_')    AS tenant_count,
  current_setting('max_connections')::int                      AS max_connections,
  -- Client backends by state; background workers are left out (they do not use connection slots).
  (SELECT coalesce(jsonb_object_agg(state, n), '{}'::jsonb)
     FROM (SELECT coalesce(state, 'unknown') AS state, count(*) AS n
             FROM pg_stat_activity
            WHERE backend_type = 'client backend'
            GROUP BY 1) s)                                     AS connections_by_state;
