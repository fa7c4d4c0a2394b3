-- The roles a DR action names (freeze, terminate sessions): whether each exists, is a superuser, is the role
-- this session runs as (or logged in as), and how many client sessions it has now. Roles not found are
-- absent from the result.
-- @param $1 roles text[]: role names
-- Run it in psql: podcastflow-ops sql print dr_roles --param roles=podcastflow_app | psql URL
SELECT r.rolname::text AS role,
       r.rolsuper AS superuser,
       (r.rolname = current_user OR r.rolname = session_user) AS ours,
       (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.usesysid = r.oid AND a.backend_type = 'client backend')::int AS sessions
FROM pg_catalog.pg_roles r
WHERE r.rolname = ANY ($1::text[])
ORDER BY 1;
