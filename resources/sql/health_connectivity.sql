-- Health check "connectivity": the cheapest round trip that also names the server.
-- Runnable in psql as is.
SELECT current_database()                    AS database,
       current_setting('server_version')     AS server_version,
       current_setting('server_version_num')::int AS server_version_num,
       pg_is_in_recovery()                   AS in_recovery;
