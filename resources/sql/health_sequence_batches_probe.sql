-- Health check "sequence_overflow", first step: the sequences in OID ranges of at most $1 each (first and
-- last OID of every range), so the check can read them a range a statement and several at once. Reading a
-- sequence locks it until the transaction ends; a range per transaction keeps that to $1 locks.
-- @param $1 batch int = 2000: sequences per range
-- Run it in psql: podcastflow-ops sql print health_sequence_batches_probe [--param NAME=VALUE …] | psql URL
SELECT min(oid) AS first, max(oid) AS last
  FROM (SELECT seqrelid::bigint AS oid, (row_number() OVER (ORDER BY seqrelid) - 1) / $1 AS range
          FROM pg_sequence) s
 GROUP BY range
 ORDER BY range;
