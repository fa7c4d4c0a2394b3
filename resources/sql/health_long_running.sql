-- Health check "long_running": active queries and idle-in-transaction sessions older than a threshold.
-- @param $1 active_secs int = 300: seconds an active query may run
-- @param $2 idle_secs int = 60: seconds a session may sit idle in transaction
-- Run it in psql: podcastflow-ops sql print health_long_running [--param NAME=VALUE …] | psql URL
SELECT pid, usename AS user_name, application_name, client_addr::text AS client_addr, datname AS database, state,
       extract(epoch FROM now() - query_start)::bigint  AS query_sec,
       extract(epoch FROM now() - xact_start)::bigint   AS xact_sec,
       extract(epoch FROM now() - state_change)::bigint AS state_sec,
       wait_event_type, left(query, 500) AS query
  FROM pg_stat_activity
 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
   AND ((state = 'active' AND now() - query_start >= make_interval(secs => $1))
     OR (state LIKE 'idle in transaction%' AND now() - state_change >= make_interval(secs => $2)))
 ORDER BY coalesce(xact_start, query_start);
