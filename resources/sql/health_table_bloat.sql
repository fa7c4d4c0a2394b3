-- Health check "table_bloat": statistics-based estimate of wasted space for every table, one query.
-- Expected pages = live tuples (reltuples, from the last ANALYZE) x estimated tuple size (header, null
-- bitmap, average column widths from pg_stats, alignment, line pointer) / usable page space (fillfactor).
-- Wasted = actual pages - expected pages. Tables never analyzed (reltuples < 0) cannot be estimated.
-- Only tables of at least $3 bytes are estimated: a smaller one cannot waste that much, so it can never
-- cross the threshold. pg_stats checks the column privilege of every row it returns (about 12 µs each);
-- at 10,000 tenants that was 8 s for half a million columns, nearly all of tables of a few pages. Smaller
-- tables are counted and summed (skipped_tables, skipped_bytes) so the summary can say what was left out.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 50: how many rows to return (top N by wasted bytes)
-- @param $3 min_bytes numeric = 1048576: the size floor of the wasted-bytes threshold (bloatMinBytes)
-- Run it in psql: podcastflow-ops sql print health_table_bloat [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
WITH candidates AS (
  SELECT c.oid, n.nspname, c.relname, c.relpages, c.reltuples, c.reloptions,
         c.relpages::numeric * current_setting('block_size')::numeric >= $3 AS big
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'm') AND c.reltuples >= 0 AND c.relpages > 0
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
     AND n.nspname !~ '__(restored|replaced)_'  -- restored copies (see above)
), skipped AS (
  SELECT count(*) AS tables, coalesce(sum(relpages), 0) * current_setting('block_size')::numeric AS bytes
    FROM candidates WHERE NOT big
), cols AS (
  -- pg_stats looked up per candidate table (an aggregate in LATERAL is not flattened, so each lookup goes
  -- through the catalog indexes on the table's name), never scanned whole
  SELECT b.oid, s.data_width, s.has_nulls, s.ncols
    FROM candidates b
   CROSS JOIN LATERAL (
     SELECT sum((1 - st.null_frac) * st.avg_width) AS data_width,
            bool_or(st.null_frac > 0)              AS has_nulls,
            count(*)                               AS ncols
       FROM pg_stats st WHERE st.schemaname = b.nspname AND st.tablename = b.relname) s
   WHERE b.big AND s.ncols > 0
), est AS (
  SELECT b.nspname, b.relname, b.relpages, b.reltuples,
         current_setting('block_size')::numeric AS bs,
         coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int FROM unnest(b.reloptions) o WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
         -- 23-byte header + null bitmap, MAXALIGNed, + data MAXALIGNed, + 4-byte line pointer
         ceil((23 + CASE WHEN cols.has_nulls THEN ceil(cols.ncols / 8.0) ELSE 0 END) / 8.0) * 8
           + ceil(cols.data_width / 8.0) * 8 + 4 AS tuple_bytes
    FROM candidates b
    JOIN cols ON cols.oid = b.oid
), sized AS (
  SELECT nspname, relname, relpages, reltuples,
         relpages * bs AS table_bytes,
         greatest(relpages - ceil(reltuples / greatest(floor((bs - 24) * fillfactor / 100 / tuple_bytes), 1)), 0) * bs AS wasted_bytes
    FROM est
),
totals AS (
  SELECT coalesce(sum(wasted_bytes), 0) AS wasted, coalesce(sum(table_bytes), 0) AS bytes, count(*) AS n FROM sized
)
-- one row even when no table was estimated (name NULL), so the totals and what was skipped always arrive
SELECT t.schema, t.name, t.tenant, t.table_bytes, t.wasted_bytes, t.live_tuples, t.wasted_ratio,
       tot.wasted::bigint AS total_wasted_bytes, tot.bytes::bigint AS total_table_bytes, tot.n AS tables_estimated,
       sk.tables AS skipped_tables, sk.bytes::bigint AS skipped_bytes
  FROM totals tot CROSS JOIN skipped sk
  LEFT JOIN LATERAL (
    SELECT nspname AS schema, relname AS name,
           CASE WHEN nspname LIKE $1 THEN nspname END AS tenant,
           table_bytes::bigint, wasted_bytes::bigint, reltuples::bigint AS live_tuples,
           round((wasted_bytes / nullif(table_bytes, 0))::numeric, 4) AS wasted_ratio
      FROM sized
     ORDER BY wasted_bytes DESC, nspname, relname
     LIMIT $2) t ON true
 ORDER BY t.wasted_bytes DESC, t.schema, t.name;
