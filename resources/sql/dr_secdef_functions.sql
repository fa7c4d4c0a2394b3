-- DR baseline and persistence hunt: every SECURITY DEFINER function or procedure outside the system
-- schemas. One runs with its owner's rights whoever calls it: the classic place for a backdoor that
-- survives a password rotation.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_secdef_functions | psql URL
SELECT n.nspname AS schema,
       p.proname AS name,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS object,
       pg_catalog.pg_get_userbyid(p.proowner) AS owner,
       l.lanname AS language
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.prosecdef
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 4;
