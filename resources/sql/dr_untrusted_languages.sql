-- DR baseline and persistence hunt: procedural languages that are not trusted (plperlu, plpython3u…):
-- a function in one runs arbitrary code as the server's OS user. The built-in internal and C are left out:
-- every cluster has them and only a superuser can create functions in them.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_untrusted_languages | psql URL
SELECT l.lanname AS name,
       pg_catalog.pg_get_userbyid(l.lanowner) AS owner
FROM pg_catalog.pg_language l
WHERE NOT l.lanpltrusted
  AND l.lanname NOT IN ('internal', 'c')
ORDER BY l.lanname;
