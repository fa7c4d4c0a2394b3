-- DR evidence, baseline and persistence hunt: the rules of pg_hba.conf as the server parsed them.
-- pg_hba_file_rules is readable by superusers only by default; elsewhere this fails with 42501 and the
-- console records "not readable" instead. A rule that did not parse has its error in `error`.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_hba_rules | psql URL
SELECT h.line_number,
       h.type,
       h.database,
       h.user_name,
       h.address,
       h.netmask,
       h.auth_method,
       h.options,
       h.error
FROM pg_catalog.pg_hba_file_rules h
ORDER BY h.line_number;
