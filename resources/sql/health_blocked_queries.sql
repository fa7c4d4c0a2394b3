-- Health check "blocked_queries": who blocks whom, on which relation, since when.
-- pg_blocking_pids() gives the blockers; the waiting lock (pg_locks, granted = false) gives the relation.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- Run it in psql: podcastflow-ops sql print health_blocked_queries [--param NAME=VALUE …] | psql URL
SELECT w.pid, w.usename AS user_name, w.application_name, w.datname AS database,
       extract(epoch FROM now() - coalesce(w.state_change, w.query_start))::numeric(12, 1) AS waiting_sec,
       w.wait_event_type, w.wait_event, left(w.query, 500) AS query,
       l.locktype, l.mode,
       rn.nspname AS schema, rc.relname AS relation,
       CASE WHEN rn.nspname LIKE $1 AND rn.nspname !~ '__(restored|replaced)_' THEN rn.nspname END AS tenant,
       pg_blocking_pids(w.pid) AS blocking_pids,
       (SELECT jsonb_agg(jsonb_build_object('pid', b.pid, 'user', b.usename, 'application', b.application_name,
                                            'state', b.state, 'xact_sec', extract(epoch FROM now() - b.xact_start)::bigint,
                                            'query', left(b.query, 300)))
          FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(w.pid))) AS blockers
  FROM pg_stat_activity w
  LEFT JOIN LATERAL (SELECT * FROM pg_locks pl WHERE pl.pid = w.pid AND NOT pl.granted LIMIT 1) l ON true
  LEFT JOIN pg_class rc ON rc.oid = l.relation
  LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
 WHERE cardinality(pg_blocking_pids(w.pid)) > 0
 ORDER BY waiting_sec DESC;
