-- DR evidence: the last bytes of one server log file (pg_read_file: superusers and pg_read_server_files
-- members). The console masks passwords in the lines before writing them.
-- @param $1 file text = 'postgresql.log': the file, relative to the data directory (log_directory/name)
-- @param $2 bytes int = 262144: how many bytes from its end
-- Run it in psql: podcastflow-ops sql print dr_log_tail --param file=log/postgresql.log | psql URL
SELECT pg_catalog.pg_read_file($1::text, greatest(0, (pg_catalog.pg_stat_file($1::text, true)).size - $2::int), $2::int, true) AS text;
