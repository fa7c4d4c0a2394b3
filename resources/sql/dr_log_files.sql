-- DR evidence: the server's log files (pg_ls_logdir: superusers and pg_monitor members), newest first.
-- Only when logging_collector is on: otherwise the server logs to stderr or syslog, the log directory may
-- not exist, and there is nothing to list (the console then records "not readable").
-- @param $1 files int = 3: how many of the newest files
-- Run it in psql: podcastflow-ops sql print dr_log_files | psql URL
SELECT current_setting('log_directory') AS directory, l.name, l.size, l.modification
FROM (SELECT 1 WHERE current_setting('logging_collector')::bool) AS collecting
CROSS JOIN LATERAL pg_catalog.pg_ls_logdir() AS l
ORDER BY l.modification DESC, l.name DESC
LIMIT $1::int;
