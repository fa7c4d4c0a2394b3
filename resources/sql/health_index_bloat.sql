-- Health check "index_bloat": statistics-based estimate of wasted space in every B-tree index, one query.
-- Expected leaf pages = index tuples (reltuples) x (8-byte index tuple header + key width from pg_stats,
-- MAXALIGNed, + 4-byte line pointer) / usable page space (fillfactor, default 90 for B-tree).
-- Expression columns have no pg_stats row under the table; they count as 8 bytes.
-- Only indexes of at least $3 bytes are estimated (a smaller one cannot waste that much, so it can never
-- cross the threshold): pg_stats checks a column privilege per row, and reading it whole cost 8 s at 10,000
-- tenants. The smaller ones are counted and summed (skipped_indexes, skipped_bytes) for the summary.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 50: top N by wasted bytes
-- @param $3 min_bytes numeric = 1048576: the size floor of the wasted-bytes threshold (bloatMinBytes)
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
), big AS (
  SELECT * FROM idx WHERE relpages::numeric * current_setting('block_size')::numeric >= $3
), skipped AS (
  SELECT count(*) AS indexes, coalesce(sum(relpages), 0) * current_setting('block_size')::numeric AS bytes
    FROM idx WHERE relpages::numeric * current_setting('block_size')::numeric < $3
), keys AS (
  -- each key column's pg_stats row looked up by name (an aggregate in LATERAL is not flattened, so the
  -- lookups go through the catalog indexes), never the whole view
  SELECT big.indexrelid, w.key_width
    FROM big
   CROSS JOIN LATERAL (
     SELECT sum(coalesce(s.avg_width, 8)) AS key_width
       FROM unnest(big.indkey::int2[]) AS k(attnum)
       LEFT JOIN pg_attribute a ON a.attrelid = big.indrelid AND a.attnum = k.attnum AND k.attnum > 0
       LEFT JOIN pg_stats s ON s.schemaname = big.nspname AND s.tablename = big.table_name AND s.attname = a.attname) w
), est AS (
  SELECT big.*, current_setting('block_size')::numeric AS bs,
         coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int FROM unnest(big.reloptions) o WHERE o LIKE 'fillfactor=%'), 90) AS fillfactor,
         8 + ceil(keys.key_width / 8.0) * 8 + 4 AS tuple_bytes
    FROM big JOIN keys USING (indexrelid)
), sized AS (
  SELECT nspname, index_name, table_name, relpages * bs AS index_bytes,
         -- one metapage, plus roughly 1% inner pages on top of the leaves
         greatest(relpages - 1 - ceil(reltuples / greatest(floor((bs - 24) * fillfactor / 100 / tuple_bytes), 1)) * 1.01, 0) * bs AS wasted_bytes
    FROM est
),
totals AS (
  SELECT coalesce(sum(wasted_bytes), 0) AS wasted, coalesce(sum(index_bytes), 0) AS bytes, count(*) AS n FROM sized
)
-- one row even when no index was estimated (name NULL), so the totals and what was skipped always arrive
SELECT t.schema, t.name, t.table_name, t.tenant, t.index_bytes, t.wasted_bytes, t.wasted_ratio,
       floor(tot.wasted)::bigint AS total_wasted_bytes, tot.bytes::bigint AS total_index_bytes, tot.n AS indexes_estimated,
       sk.indexes AS skipped_indexes, sk.bytes::bigint AS skipped_bytes
  FROM totals tot CROSS JOIN skipped sk
  LEFT JOIN LATERAL (
    SELECT nspname AS schema, index_name AS name, table_name,
           CASE WHEN nspname LIKE $1 THEN nspname END AS tenant,
           index_bytes::bigint, floor(wasted_bytes)::bigint AS wasted_bytes,
           round((wasted_bytes / nullif(index_bytes, 0))::numeric, 4) AS wasted_ratio
      FROM sized
     ORDER BY wasted_bytes DESC, nspname, index_name
     LIMIT $2) t ON true
 ORDER BY t.wasted_bytes DESC, t.schema, t.name;
