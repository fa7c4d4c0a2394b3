-- Health check "sizes": the database, its largest tables (with indexes and TOAST) and per-tenant totals,
-- in one pass over pg_class.
-- Every table is first sized from the catalog (relpages of the table, its indexes, its TOAST table and the
-- TOAST index, as of the last VACUUM/ANALYZE): no file is touched. pg_total_relation_size stats every file
-- of a table; over all tables that was 14 s at 10,000 tenants (80,000 tables), the most expensive check.
-- Only the candidates for the two top-N lists ($2 x 3 by the estimate, since the statistics lag behind the
-- files) are then measured exactly; the per-tenant totals of the other tenants stay estimates (the
-- tenant_bytes of the database row says so with estimated = true).
-- pg_total_relation_size needs a lock on each table: a table someone holds (or waits for) ACCESS EXCLUSIVE
-- on would stall this query until lock_timeout, so such tables keep their estimate.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 20: top N of each list
-- Run it in psql: podcastflow-ops sql print health_sizes [--param NAME=VALUE …] | psql URL
WITH busy AS (
  SELECT DISTINCT relation FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
), index_pages AS (
  SELECT i.indrelid, sum(ic.relpages)::bigint AS pages
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
   GROUP BY i.indrelid
), rel AS (
  SELECT c.oid, n.nspname, c.relname,
         (c.relpages::bigint + coalesce(ip.pages, 0) + coalesce(t.relpages, 0) + coalesce(tp.pages, 0))
           * current_setting('block_size')::bigint AS estimate
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN index_pages ip ON ip.indrelid = c.oid
    LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
    LEFT JOIN index_pages tp ON tp.indrelid = c.reltoastrelid
   WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
), tenant_rel AS (
  SELECT * FROM rel WHERE nspname LIKE $1 AND nspname !~ '__(restored|replaced)_'
), tenants AS (
  SELECT nspname, sum(estimate) AS estimate, count(*) AS tables FROM tenant_rel GROUP BY nspname
), top_tables AS (
  SELECT r.nspname, r.relname,
         CASE WHEN r.oid IN (SELECT relation FROM busy) THEN r.estimate ELSE pg_total_relation_size(r.oid) END AS bytes
    FROM (SELECT * FROM rel ORDER BY estimate DESC, nspname, relname LIMIT $2 * 3) r
), top_tenants AS (
  SELECT r.nspname, sum(CASE WHEN r.oid IN (SELECT relation FROM busy) THEN r.estimate ELSE pg_total_relation_size(r.oid) END) AS bytes,
         count(*) AS tables
    FROM (SELECT nspname FROM tenants ORDER BY estimate DESC, nspname LIMIT $2 * 3) t
    JOIN tenant_rel r ON r.nspname = t.nspname
   GROUP BY r.nspname
)
SELECT 'database' AS kind, current_database() AS schema, NULL::text AS name, NULL::text AS tenant,
       pg_database_size(current_database()) AS bytes,
       (SELECT count(*) FROM tenants) AS tenant_count,
       (SELECT coalesce(sum(estimate), 0) FROM tenants) AS tenant_bytes,
       true AS estimated
UNION ALL
(SELECT 'table', nspname, relname, CASE WHEN nspname LIKE $1 AND nspname !~ '__(restored|replaced)_' THEN nspname END, bytes, NULL, NULL, false
   FROM top_tables ORDER BY bytes DESC, nspname, relname LIMIT $2)
UNION ALL
(SELECT 'tenant', nspname, NULL, nspname, bytes, tables, NULL, false
   FROM top_tenants ORDER BY bytes DESC, nspname LIMIT $2);
