-- Health check "table_bloat": statistics-based estimate of wasted space for every table, one query.
-- Expected pages = live tuples (reltuples, from the last ANALYZE) x estimated tuple size (header, null
-- bitmap, average column widths from pg_stats, alignment, line pointer) / usable page space (fillfactor).
-- Wasted = actual pages - expected pages. Tables never analyzed (reltuples < 0) cannot be estimated.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 50: how many rows to return (top N by wasted bytes)
-- Run it in psql: podcastflow-ops sql print health_table_bloat [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
WITH cols AS (
  SELECT s.schemaname, s.tablename,
         sum((1 - s.null_frac) * s.avg_width) AS data_width,
         bool_or(s.null_frac > 0)             AS has_nulls,
         count(*)                              AS ncols
    FROM pg_stats s
   WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')
   GROUP BY 1, 2
), est AS (
  SELECT n.nspname, c.relname, c.relpages, c.reltuples,
         current_setting('block_size')::numeric AS bs,
         coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int FROM unnest(c.reloptions) o WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
         -- 23-byte header + null bitmap, MAXALIGNed, + data MAXALIGNed, + 4-byte line pointer
         ceil((23 + CASE WHEN cols.has_nulls THEN ceil(cols.ncols / 8.0) ELSE 0 END) / 8.0) * 8
           + ceil(cols.data_width / 8.0) * 8 + 4 AS tuple_bytes
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN cols ON cols.schemaname = n.nspname AND cols.tablename = c.relname
   WHERE c.relkind IN ('r', 'm') AND c.reltuples >= 0 AND c.relpages > 0
     AND n.nspname !~ '__(restored|replaced)_'  -- restored copies (see above)
), sized AS (
  SELECT nspname, relname, relpages, reltuples,
         relpages * bs AS table_bytes,
         greatest(relpages - ceil(reltuples / greatest(floor((bs - 24) * fillfactor / 100 / tuple_bytes), 1)), 0) * bs AS wasted_bytes
    FROM est
)
SELECT nspname AS schema, relname AS name,
       CASE WHEN nspname LIKE $1 THEN nspname END AS tenant,
       table_bytes::bigint, wasted_bytes::bigint, reltuples::bigint AS live_tuples,
       round((wasted_bytes / nullif(table_bytes, 0))::numeric, 4) AS wasted_ratio,
       sum(wasted_bytes) OVER ()::bigint AS total_wasted_bytes,
       sum(table_bytes) OVER ()::bigint  AS total_table_bytes,
       count(*) OVER ()                  AS tables_estimated
  FROM sized
 ORDER BY wasted_bytes DESC, nspname, relname
 LIMIT $2;
