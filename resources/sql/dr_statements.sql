-- DR evidence: the statements pg_stat_statements has recorded (the extension must be installed; the
-- console checks first and records "not installed" otherwise), most time first. Texts are masked by the
-- console before writing.
-- @param $1 top int = 1000: how many statements
-- Run it in psql: podcastflow-ops sql print dr_statements [--param top=N] | psql URL
SELECT pg_catalog.pg_get_userbyid(s.userid) AS role,
       d.datname AS database,
       s.calls, s.total_exec_time, s.rows, s.query
FROM pg_stat_statements s
LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid
ORDER BY s.total_exec_time DESC
LIMIT $1::int;
