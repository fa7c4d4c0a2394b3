-- Tenant verification: does the database define the application's own isolation check
-- (a function named verify_tenant_isolation taking no arguments)? Its qualified name, quoted, or no row.
-- In psql: run as is.
SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS qualified
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.proname = 'verify_tenant_isolation' AND p.pronargs = 0
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY n.nspname = 'public' DESC, n.nspname
LIMIT 1;
