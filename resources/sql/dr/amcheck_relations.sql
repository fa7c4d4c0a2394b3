-- DR corruption, the amcheck-extension fallback (when the pg_amcheck program is not installed): the
-- tables, materialized views, TOAST tables and btree indexes to check, in the schema $1 (NULL: every
-- schema but the system ones). The console checks each with dr/amcheck_heap or dr/amcheck_btree, one
-- relation per statement, so a relation whose pages cannot even be read fails alone. Invalid or not yet
-- ready indexes (a failed CREATE INDEX CONCURRENTLY) are left out, as pg_amcheck leaves them out.
-- Kept in resources/sql/dr/ because the two checks call the amcheck extension's functions, which a
-- database without the extension cannot even parse.
-- @param $1 schema text = NULL: only this schema (NULL: every non-system schema)
SELECT c.oid::bigint AS oid, n.nspname AS schema, c.relname AS name,
       CASE WHEN c.relkind = 'i' THEN 'btree' ELSE 'heap' END AS kind
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_am a ON a.oid = c.relam
LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
WHERE (c.relkind IN ('r', 'm', 't') OR (c.relkind = 'i' AND a.amname = 'btree' AND i.indisvalid AND i.indisready))
  AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND ($1::text IS NULL OR n.nspname = $1::text OR c.oid IN (SELECT reltoastrelid FROM pg_catalog.pg_class x JOIN pg_catalog.pg_namespace xn ON xn.oid = x.relnamespace WHERE xn.nspname = $1::text))
ORDER BY n.nspname, c.relname;
