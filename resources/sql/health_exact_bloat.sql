-- Exact bloat of one table with pgstattuple (reads every page of the table: run on demand only).
-- $1: schema; $2: table. In psql: replace with 'org_acme' and 'impressions'.
SELECT table_len, tuple_count, tuple_len, dead_tuple_count, dead_tuple_len, free_space,
       round((dead_tuple_len + free_space)::numeric / nullif(table_len, 0), 4) AS wasted_ratio
  FROM pgstattuple(format('%I.%I', $1::text, $2::text)::regclass);
