-- Exact row counts of every ordinary table (and leaf partition) in the given schemas, in ONE statement.
-- query_to_xml runs one count per table inside this statement, so every count sees the snapshot of the
-- transaction running it: the backup runs this in the transaction whose snapshot pg_dump imported
-- (pg_export_snapshot + pg_dump --snapshot), so the manifest's counts are the dump's counts.
-- ONLY keeps inheritance parents from counting their children twice.
-- Each count locks its table to the end of the transaction, and so do pg_dump's: at 10,000 tenants both
-- together (160,000 locks) overflowed the lock table. The backup reads $3 tables at a time, after the
-- table OID $2, each batch in a savepoint it rolls back (which releases the batch's locks; the snapshot,
-- the transaction's, stays).
-- @param $1 schemas text[]: schema names
-- @param $2 after numeric = 0: only tables whose OID is above this (keyset paging)
-- @param $3 batch int = 2147483647: at most this many tables
-- Run it in psql: podcastflow-ops sql print backup/row_counts [--param NAME=VALUE …] | psql URL
SELECT c.oid::bigint AS oid,
       n.nspname AS schema,
       c.relname AS table,
       (xpath('/row/c/text()',
              query_to_xml(format('SELECT count(*) AS c FROM ONLY %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS rows
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname = ANY ($1::text[])
  AND c.oid > $2::bigint::oid
ORDER BY c.oid
LIMIT $3;
