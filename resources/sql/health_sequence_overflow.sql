-- Health check "sequence_overflow": how much of its usable range every sequence has used. The usable
-- maximum is the smaller of the sequence's own maximum and the maximum of the column it feeds (owned by,
-- or identity of), so a bigint sequence feeding an int column is judged against 2,147,483,647.
-- Ascending sequences only are ranked on last_value; descending ones on min_value.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 min_share numeric = 0.5: minimum used share to return (0-1)
-- @param $3 top int = 50: top N
-- Run it in psql: podcastflow-ops sql print health_sequence_overflow [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
WITH seqs AS (
  SELECT s.schemaname, s.sequencename, s.data_type::text AS seq_type, s.last_value, s.start_value,
         s.min_value, s.max_value, s.increment_by, c.oid AS seqoid
    FROM pg_sequences s
    JOIN pg_namespace n ON n.nspname = s.schemaname
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename
   WHERE s.last_value IS NOT NULL
     AND s.schemaname !~ '__(restored|replaced)_'  -- restored copies (see above)
), owner AS (
  SELECT d.objid AS seqoid, tn.nspname AS table_schema, t.relname AS table_name, a.attname AS column_name,
         format_type(a.atttypid, a.atttypmod) AS column_type,
         CASE a.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647
                         ELSE 9223372036854775807 END::numeric AS column_max
    FROM pg_depend d
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_namespace tn ON tn.oid = t.relnamespace
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
   WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
), used AS (
  SELECT seqs.*, owner.table_schema, owner.table_name, owner.column_name, owner.column_type,
         least(seqs.max_value::numeric, coalesce(owner.column_max, seqs.max_value::numeric)) AS usable_max,
         CASE WHEN seqs.increment_by > 0
              THEN (seqs.last_value::numeric - seqs.min_value::numeric) / nullif(least(seqs.max_value::numeric, coalesce(owner.column_max, seqs.max_value::numeric)) - seqs.min_value::numeric, 0)
              ELSE (seqs.max_value::numeric - seqs.last_value::numeric) / nullif(seqs.max_value::numeric - seqs.min_value::numeric, 0) END AS used_ratio
    FROM seqs LEFT JOIN owner USING (seqoid)
)
SELECT schemaname AS schema, sequencename AS name,
       CASE WHEN schemaname LIKE $1 THEN schemaname END AS tenant,
       seq_type, last_value, usable_max, round(used_ratio, 6) AS used_ratio,
       table_schema, table_name, column_name, column_type
  FROM used
 WHERE used_ratio >= $2
 ORDER BY used_ratio DESC, schemaname, sequencename
 LIMIT $3;
