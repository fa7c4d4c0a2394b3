-- Health check "duplicate_indexes": an index identical to, or a leading-column prefix of, another valid
-- index on the same table with the same access method, operator classes, collations, expressions and
-- predicate. A unique index is never reported as redundant to a non-unique one (it enforces something).
-- Identical pairs report only one side (the later one, or the non-unique one). One self-join on indrelid.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- Run it in psql: podcastflow-ops sql print health_duplicate_indexes [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
WITH ix AS (
  SELECT i.indexrelid, i.indrelid, i.indisunique, i.indisprimary, c.relam,
         string_to_array(i.indkey::text, ' ')::int[]      AS keys,
         string_to_array(i.indclass::text, ' ')::oid[]    AS classes,
         string_to_array(i.indcollation::text, ' ')::oid[] AS colls,
         string_to_array(i.indoption::text, ' ')::int[]    AS opts,
         coalesce(pg_get_expr(i.indexprs, i.indrelid), '') AS exprs,
         coalesce(pg_get_expr(i.indpred, i.indrelid), '')  AS pred,
         c.relpages::bigint * current_setting('block_size')::bigint AS bytes
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
     AND n.nspname !~ '__(restored|replaced)_'  -- restored copies (see above)
)
SELECT n.nspname AS schema, a_c.relname AS name, t.relname AS table_name,
       b_c.relname AS covered_by,
       CASE WHEN n.nspname LIKE $1 THEN n.nspname END AS tenant,
       CASE WHEN a.keys = b.keys THEN 'identical' ELSE 'prefix' END AS kind,
       a.bytes AS index_bytes,
       pg_get_indexdef(a.indexrelid) AS definition,
       pg_get_indexdef(b.indexrelid) AS covered_by_definition
  FROM ix a
  JOIN ix b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
  JOIN pg_class a_c ON a_c.oid = a.indexrelid
  JOIN pg_class b_c ON b_c.oid = b.indexrelid
  JOIN pg_class t ON t.oid = a.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE a.relam = b.relam AND a.exprs = b.exprs AND a.pred = b.pred
   AND cardinality(a.keys) <= cardinality(b.keys)
   AND a.keys = b.keys[1:cardinality(a.keys)]
   AND a.classes = b.classes[1:cardinality(a.classes)]
   AND a.colls = b.colls[1:cardinality(a.colls)]
   AND a.opts = b.opts[1:cardinality(a.opts)]
   AND NOT a.indisprimary
   AND (NOT a.indisunique OR (b.indisunique AND a.keys = b.keys))
   -- of two identical indexes, report one: keep the primary/unique one, else the older (lower oid)
   AND (a.keys <> b.keys OR a.indisunique = b.indisunique AND a.indexrelid > b.indexrelid OR (b.indisunique AND NOT a.indisunique) OR b.indisprimary)
 ORDER BY a.bytes DESC, n.nspname, a_c.relname;
