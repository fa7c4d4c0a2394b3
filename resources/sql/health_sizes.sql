-- Health check "sizes": the database, its largest tables (with indexes and TOAST) and per-tenant totals,
-- in one pass over pg_class.
-- pg_total_relation_size needs a lock on each table: a table someone holds (or waits for) ACCESS EXCLUSIVE
-- on would stall this query until lock_timeout, so such tables are sized from relpages instead.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 20: top N of each list
-- Run it in psql: podcastflow-ops sql print health_sizes [--param NAME=VALUE …] | psql URL
WITH busy AS (
  SELECT DISTINCT relation FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
), rel AS (
  SELECT n.nspname, c.relname,
         CASE WHEN c.oid IN (SELECT relation FROM busy) THEN c.relpages::bigint * current_setting('block_size')::bigint
              ELSE pg_total_relation_size(c.oid) END AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
), tenants AS (
  SELECT nspname, sum(bytes) AS bytes, count(*) AS tables FROM rel WHERE nspname LIKE $1 AND nspname !~ '__(restored|replaced)_' GROUP BY nspname
)
SELECT 'database' AS kind, current_database() AS schema, NULL::text AS name, NULL::text AS tenant,
       pg_database_size(current_database()) AS bytes,
       (SELECT count(*) FROM tenants) AS tenant_count,
       (SELECT coalesce(sum(bytes), 0) FROM tenants) AS tenant_bytes
UNION ALL
(SELECT 'table', nspname, relname, CASE WHEN nspname LIKE $1 AND nspname !~ '__(restored|replaced)_' THEN nspname END, bytes, NULL, NULL
   FROM rel ORDER BY bytes DESC, nspname, relname LIMIT $2)
UNION ALL
(SELECT 'tenant', nspname, NULL, nspname, bytes, tables, NULL
   FROM tenants ORDER BY bytes DESC, nspname LIMIT $2);
