-- Exact row counts of every ordinary table (and leaf partition) in the given schemas, in ONE statement.
-- query_to_xml runs one count per table inside this statement, so every count sees the snapshot of the
-- transaction running it: the backup runs this in the transaction whose snapshot pg_dump imported
-- (pg_export_snapshot + pg_dump --snapshot), so the manifest's counts are the dump's counts.
-- ONLY keeps inheritance parents from counting their children twice.
-- @param $1 schemas text[]: schema names
-- Run it in psql: podcastflow-ops sql print backup/row_counts [--param NAME=VALUE …] | psql URL
SELECT n.nspname AS schema,
       c.relname AS table,
       (xpath('/row/c/text()',
              query_to_xml(format('SELECT count(*) AS c FROM ONLY %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS rows
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname = ANY ($1::text[])
ORDER BY 1, 2;
