-- Health check "sequence_overflow": how much of its usable range every sequence has used. The usable
-- maximum is the smaller of the sequence's own maximum and the maximum of the column it feeds (owned by,
-- or identity of), so a bigint sequence feeding an int column is judged against 2,147,483,647.
-- Ascending sequences only are ranked on last_value; descending ones on min_value.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 min_share numeric = 0.5: minimum used share to return (0-1)
-- @param $3 top int = 50: top N
-- @param $4 first numeric = 0: only sequences whose OID is at least this
-- @param $5 last numeric = 4294967295: and at most this
-- pg_sequence_last_value locks each sequence it reads until the transaction ends: 80,000 sequences at
-- 10,000 tenants are 80,000 locks, more than a stock lock table holds (max_locks_per_transaction 64 x 100
-- connections), and the query failed with "out of shared memory". The console reads them in OID ranges of
-- 2,000 sequences (health_sequence_batches_probe.sql), each statement its own transaction, side by side
-- over its sessions, and merges the ranges' top N. Run whole (the defaults, as psql and a pgwatch export
-- do) it needs a lock per sequence at once.
-- Run it in psql: podcastflow-ops sql print health_sequence_overflow [--param NAME=VALUE …] | psql URL
-- Restored copies (<tenant>__restored_… / __replaced_…, left by the console's restores) are left out: they
-- repeat their tenant's findings; the Backups page lists them (restores list).
WITH seqs AS MATERIALIZED (
  -- pg_sequence and pg_sequence_last_value directly, not the pg_sequences view: a filter and a select on the
  -- view's last_value evaluate it twice per sequence, and each evaluation opens the sequence (about 50 µs;
  -- 80,000 sequences at 10,000 tenants). MATERIALIZED keeps it to one call each.
  SELECT n.nspname AS schemaname, c.relname AS sequencename, format_type(s.seqtypid, NULL) AS seq_type,
         CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') THEN pg_sequence_last_value(c.oid) END AS last_value,
         s.seqstart AS start_value, s.seqmin AS min_value, s.seqmax AS max_value, s.seqincrement AS increment_by, c.oid AS seqoid
    FROM pg_sequence s
    JOIN pg_class c ON c.oid = s.seqrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE s.seqrelid BETWEEN $4::bigint::oid AND $5::bigint::oid
     AND NOT pg_is_other_temp_schema(n.oid)
     AND n.nspname !~ '__(restored|replaced)_'  -- restored copies (see above)
), candidates AS (
  -- a column's maximum is at least 32,767 (smallint), so the usable range of an ascending sequence is at
  -- least up to least(its maximum, 32,767): one that has used less than $2 of that is below the threshold
  -- whatever it feeds, and its owner is not looked up (most tenants' sequences, at any fleet size)
  SELECT * FROM seqs
   WHERE last_value IS NOT NULL
     AND (increment_by < 0
          OR least(max_value::numeric, 32767) <= min_value::numeric
          OR (last_value::numeric - min_value::numeric) >= $2 * (least(max_value::numeric, 32767) - min_value::numeric))
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
    FROM candidates seqs LEFT JOIN owner USING (seqoid)
)
SELECT schemaname AS schema, sequencename AS name,
       CASE WHEN schemaname LIKE $1 THEN schemaname END AS tenant,
       seq_type, last_value, usable_max, round(used_ratio, 6) AS used_ratio,
       table_schema, table_name, column_name, column_type
  FROM used
 WHERE used_ratio >= $2
 ORDER BY used_ratio DESC, schemaname, sequencename
 LIMIT $3;
