-- Ends every client session of one role (pg_terminate_backend), never this session itself: the "stop the
-- damage" step of a deletion (DR-REFERENCE B.2) once the role's writes are revoked, so no open transaction
-- of it goes on writing. One row per session signalled; `terminated` is false where the server refused
-- (the session ended by itself meanwhile). Needs superuser or membership in pg_signal_backend (and never
-- reaches a superuser's sessions without superuser). freeze.ts refuses a superuser role and our own first.
-- @param $1 role text: the role whose sessions end
-- Run it in psql: podcastflow-ops sql print dr_terminate_sessions --param role=podcastflow_app | psql URL
SELECT a.pid, a.application_name, pg_catalog.pg_terminate_backend(a.pid) AS terminated
FROM pg_catalog.pg_stat_activity a
JOIN pg_catalog.pg_roles r ON r.oid = a.usesysid
WHERE r.rolname = $1::text
  AND a.backend_type = 'client backend'
  AND a.pid <> pg_catalog.pg_backend_pid()
ORDER BY a.pid;
