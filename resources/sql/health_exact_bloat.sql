-- Exact bloat of one table with pgstattuple (reads every page of the table: run on demand only).
-- @param $1 schema text: the table's schema
-- @param $2 table text: the table
-- Run it in psql: podcastflow-ops sql print health_exact_bloat [--param NAME=VALUE …] | psql URL
SELECT table_len, tuple_count, tuple_len, dead_tuple_count, dead_tuple_len, free_space,
       round((dead_tuple_len + free_space)::numeric / nullif(table_len, 0), 4) AS wasted_ratio
  FROM pgstattuple(format('%I.%I', $1::text, $2::text)::regclass);
