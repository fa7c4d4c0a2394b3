-- DR evidence: the server's log files (pg_ls_logdir: superusers and pg_monitor members), newest first.
-- Where it is not allowed or logging_collector is off, the console records "not readable".
-- @param $1 files int = 3: how many of the newest files
-- Run it in psql: podcastflow-ops sql print dr_log_files | psql URL
SELECT current_setting('log_directory') AS directory, l.name, l.size, l.modification
FROM pg_catalog.pg_ls_logdir() l
ORDER BY l.modification DESC, l.name DESC
LIMIT $1::int;
