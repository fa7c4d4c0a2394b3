-- DR evidence: every server setting with where its value comes from. Settings that may hold a password
-- (primary_conninfo and the like) are masked again by the console before anything is written.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_settings | psql URL
SELECT s.name, s.setting, s.unit, s.source, s.sourcefile, s.sourceline, s.pending_restart
FROM pg_catalog.pg_settings s
ORDER BY s.name;
