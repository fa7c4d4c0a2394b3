-- DR evidence: a snapshot of pg_stat_activity, every session with its client, role, state and query.
-- Query texts may hold a password (ALTER ROLE … PASSWORD '…'): the console masks them before writing.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_activity | psql URL
SELECT a.pid, a.datname AS database, a.usename AS role, a.application_name, a.client_addr::text AS client_addr,
       a.client_hostname, a.client_port, a.backend_start, a.xact_start, a.query_start, a.state_change,
       a.wait_event_type, a.wait_event, a.state, a.backend_type, a.query
FROM pg_catalog.pg_stat_activity a
ORDER BY a.pid;
