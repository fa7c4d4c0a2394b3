-- PodcastFlow Pro demo seed, after step 5: the VACUUM (ANALYZE) statement for every system catalog, as one
-- row. Seeding thousands of tenants leaves the catalogs (pg_class, pg_attribute, pg_depend, ...) holding the
-- dead row versions of its DDL and ANALYZE until autovacuum reaches them, at a moment nobody controls: the
-- console's catalog queries were up to a third slower until then. This leaves them as autovacuum keeps them
-- on a server that has been up a while. The seed runs the statement it returns (outside a transaction:
-- VACUUM cannot run in one); in psql, end the query with \gexec instead of ; to run it.
--   psql "$URL" -v ON_ERROR_STOP=1 -f 06_vacuum_catalogs.sql   (prints the statement)
SELECT 'VACUUM (ANALYZE) ' || string_agg(c.oid::regclass::text, ', ' ORDER BY c.relname) AS statement
FROM pg_catalog.pg_class c
WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r';
