-- Health check "index_bloat": statistics-based estimate of wasted space in every B-tree index, one query.
-- Expected leaf pages = index tuples (reltuples) x (8-byte index tuple header + key width from pg_stats,
-- MAXALIGNed, + 4-byte line pointer) / usable page space (fillfactor, default 90 for B-tree).
-- Expression columns have no pg_stats row under the table; they count as 8 bytes.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 50: top N by wasted bytes
-- Run it in psql: podcastflow-ops sql print health_index_bloat [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
WITH idx AS (
  SELECT i.indexrelid, i.indrelid, ic.relpages, ic.reltuples, ic.reloptions, ic.relname AS index_name,
         n.nspname, tc.relname AS table_name, i.indkey
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class tc ON tc.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
     AND ic.relpages > 1 AND ic.reltuples >= 0 AND i.indisvalid
     AND n.nspname !~ '__(restored|replaced)_'  -- restored copies (see above)
), keys AS (
  SELECT idx.indexrelid, sum(coalesce(s.avg_width, 8)) AS key_width
    FROM idx
    CROSS JOIN LATERAL unnest(idx.indkey::int2[]) AS k(attnum)
    LEFT JOIN pg_attribute a ON a.attrelid = idx.indrelid AND a.attnum = k.attnum AND k.attnum > 0
    LEFT JOIN pg_stats s ON s.schemaname = idx.nspname AND s.tablename = idx.table_name AND s.attname = a.attname
   GROUP BY idx.indexrelid
), est AS (
  SELECT idx.*, current_setting('block_size')::numeric AS bs,
         coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int FROM unnest(idx.reloptions) o WHERE o LIKE 'fillfactor=%'), 90) AS fillfactor,
         8 + ceil(keys.key_width / 8.0) * 8 + 4 AS tuple_bytes
    FROM idx JOIN keys USING (indexrelid)
), sized AS (
  SELECT nspname, index_name, table_name, relpages * bs AS index_bytes,
         -- one metapage, plus roughly 1% inner pages on top of the leaves
         greatest(relpages - 1 - ceil(reltuples / greatest(floor((bs - 24) * fillfactor / 100 / tuple_bytes), 1)) * 1.01, 0) * bs AS wasted_bytes
    FROM est
)
SELECT nspname AS schema, index_name AS name, table_name,
       CASE WHEN nspname LIKE $1 THEN nspname END AS tenant,
       index_bytes::bigint, floor(wasted_bytes)::bigint AS wasted_bytes,
       round((wasted_bytes / nullif(index_bytes, 0))::numeric, 4) AS wasted_ratio,
       floor(sum(wasted_bytes) OVER ())::bigint AS total_wasted_bytes,
       sum(index_bytes) OVER ()::bigint  AS total_index_bytes,
       count(*) OVER ()                  AS indexes_estimated
  FROM sized
 ORDER BY wasted_bytes DESC, nspname, index_name
 LIMIT $2;
