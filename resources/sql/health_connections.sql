-- Health check "connections": client backends by state against the usable slots
-- (max_connections - superuser_reserved_connections), plus the busiest users/applications.
SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS reserved,
       (SELECT coalesce(jsonb_object_agg(state, n), '{}'::jsonb)
          FROM (SELECT coalesce(state, 'unknown') AS state, count(*) AS n
                  FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1) s) AS by_state,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('user', usename, 'application', application_name, 'database', datname, 'n', n) ORDER BY n DESC), '[]'::jsonb)
          FROM (SELECT coalesce(usename, '') AS usename, coalesce(application_name, '') AS application_name,
                       coalesce(datname, '') AS datname, count(*) AS n
                  FROM pg_stat_activity WHERE backend_type = 'client backend'
                 GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 10) u) AS top_clients;
