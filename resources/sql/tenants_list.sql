-- Tenant verification: the tenant schemas, with their estimated size and rows (from pg_class statistics,
-- so it stays one cheap catalog pass at thousands of tenants: no per-relation stat() calls).
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_list [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, the console's own side schemas) are never tenants:
-- every tenant_*.sql leaves them out of the pattern (an explicit list $2 is taken as given).
WITH
-- @include tenant_scope
SELECT t.tenant,
       pg_catalog.pg_get_userbyid(t.nspowner) AS owner,
       coalesce(s.pages * current_setting('block_size')::bigint, 0) AS size_bytes,
       coalesce(s.estimated_rows, 0)::bigint AS estimated_rows,
       coalesce(s.tables, 0) AS tables
FROM tenants t
-- the relations summed per schema OID first, then joined to the tenants: grouping 340,000 relations by an
-- OID, not by the tenant's name (10,000 tenants, one core: 0.56 s against 0.69 s)
LEFT JOIN (
  SELECT c.relnamespace,
         -- a TOAST table's pages looked up by OID for the relations that have one (a join would hash every
         -- relation of the database to find a few thousand)
         sum(c.relpages::bigint + CASE WHEN c.reltoastrelid = 0 THEN 0
                                       ELSE (SELECT tc.relpages FROM pg_catalog.pg_class tc WHERE tc.oid = c.reltoastrelid) END) AS pages,
         sum(greatest(c.reltuples, 0)) FILTER (WHERE c.relkind IN ('r', 'p', 'm')) AS estimated_rows,
         count(*) FILTER (WHERE c.relkind IN ('r', 'p')) AS tables
  FROM pg_catalog.pg_class c
  WHERE c.relnamespace IN (SELECT oid FROM tenants)
  GROUP BY c.relnamespace
) AS s ON s.relnamespace = t.oid
ORDER BY t.tenant;
