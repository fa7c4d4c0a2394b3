-- DR evidence, baseline and persistence hunt: installed extensions, their versions and schemas.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_extensions | psql URL
SELECT x.extname AS name,
       x.extversion AS version,
       n.nspname AS schema,
       pg_catalog.pg_get_userbyid(x.extowner) AS owner
FROM pg_catalog.pg_extension x
JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
ORDER BY x.extname;
