-- How many locks one pg_dump of the given schemas takes, against what the server's lock table holds.
-- pg_dump locks every table it dumps (ACCESS SHARE, at the start, all in its one transaction), so an
-- all-tenants backup of 10,000 tenants of 8 tables takes 80,000 locks at once. The shared lock table has
-- room for max_locks_per_transaction x (max_connections + max_prepared_transactions) locks in all (any one
-- transaction may use more than its share): past that, pg_dump fails with "out of shared memory".
-- Counted generously: tables, partitioned tables, materialized views and foreign tables.
-- @param $1 schemas text[]: schema names
-- Run it in psql: podcastflow-ops sql print backup/lock_capacity [--param NAME=VALUE …] | psql URL
SELECT (SELECT count(*)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'm', 'f') AND n.nspname = ANY ($1::text[])) AS tables,
       current_setting('max_locks_per_transaction')::int AS max_locks_per_transaction,
       current_setting('max_connections')::int AS max_connections,
       current_setting('max_prepared_transactions')::int AS max_prepared_transactions,
       (SELECT count(*) FROM pg_locks) AS held;
