-- The tables of a restored copy ($1) and their counterparts in the live tenant ($2), ONE catalog query for
-- the diff and the merge (src/main/core/dr/actions/diff.ts, merge.ts). One row per ordinary table of the copy
-- (leaf partitions included, partitioned parents left out: their rows are in the leaves):
--   key:          the copy's primary key columns in key order (NULL: no primary key; rows compare whole)
--   copy_columns, live_columns: [{name, generated (stored generated column), identity ('a' always, 'd' by
--                 default, '')}] in column order; live_columns NULL when the live tenant has no such table
--   references:   the live table's foreign keys to other tables of the live schema [{table, deferrable}]
--                 (self-references are left out: one INSERT … SELECT checks them at its end)
--   sequences:    sequences feeding the live table's integer columns (identity, serial, a nextval default) [{column,
--                 sequence (schema-qualified, quoted), increment}], for the merge to move them past the rows it
--                 brings back
-- @param $1 copy text: the restored copy (a side schema)
-- @param $2 live text: the live tenant schema
-- Run it in psql: podcastflow-ops sql print dr_copy_tables --param copy=org_acme__restored_20261201_0900 --param live=org_acme | psql URL
WITH cs AS (
  SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1::text
),
ls AS (
  SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $2::text
),
copy_tables AS (
  SELECT c.oid, c.relname FROM pg_catalog.pg_class c JOIN cs ON cs.oid = c.relnamespace WHERE c.relkind = 'r'
),
live_tables AS (
  SELECT c.oid, c.relname FROM pg_catalog.pg_class c JOIN ls ON ls.oid = c.relnamespace WHERE c.relkind = 'r'
),
columns AS (
  SELECT a.attrelid,
         json_agg(json_build_object('name', a.attname, 'generated', a.attgenerated = 's', 'identity', a.attidentity::text) ORDER BY a.attnum) AS cols
  FROM pg_catalog.pg_attribute a
  WHERE a.attrelid IN (SELECT oid FROM copy_tables UNION ALL SELECT oid FROM live_tables)
    AND a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
),
keys AS (
  SELECT i.indrelid, array_agg(a.attname::text ORDER BY k.ord) AS key
  FROM pg_catalog.pg_index i
  CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE i.indisprimary AND i.indrelid IN (SELECT oid FROM copy_tables)
  GROUP BY i.indrelid
),
refs AS (
  SELECT f.conrelid, json_agg(json_build_object('table', p.relname, 'deferrable', f.condeferrable) ORDER BY p.relname) AS refs
  FROM pg_catalog.pg_constraint f
  JOIN live_tables p ON p.oid = f.confrelid
  WHERE f.contype = 'f' AND f.conrelid IN (SELECT oid FROM live_tables) AND f.confrelid <> f.conrelid
  GROUP BY f.conrelid
),
-- identity and serial sequences depend on their column (deptype i / a); a plain nextval default's
-- expression (pg_attrdef) depends on its sequence (deptype n)
feeds AS (
  SELECT d.refobjid AS relid, d.refobjsubid AS attnum, d.objid AS seq
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i') AND d.refobjid IN (SELECT oid FROM live_tables)
  UNION
  SELECT ad.adrelid, ad.adnum, d.refobjid
  FROM pg_catalog.pg_attrdef ad
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass
  JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
  WHERE ad.adrelid IN (SELECT oid FROM live_tables)
),
seqs AS (
  SELECT f.relid,
         json_agg(json_build_object('column', a.attname, 'sequence', format('%I.%I', sn.nspname, s.relname), 'increment', sq.seqincrement) ORDER BY a.attnum) AS seqs
  FROM feeds f
  JOIN pg_catalog.pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum
  JOIN pg_catalog.pg_class s ON s.oid = f.seq
  JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
  JOIN pg_catalog.pg_sequence sq ON sq.seqrelid = f.seq
  WHERE a.atttypid IN ('pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype)
  GROUP BY f.relid
)
SELECT ct.relname::text AS table,
       k.key,
       cc.cols AS copy_columns,
       lc.cols AS live_columns,
       coalesce(r.refs, '[]') AS references,
       coalesce(sq.seqs, '[]') AS sequences
FROM copy_tables ct
LEFT JOIN live_tables lt ON lt.relname = ct.relname
LEFT JOIN keys k ON k.indrelid = ct.oid
LEFT JOIN columns cc ON cc.attrelid = ct.oid
LEFT JOIN columns lc ON lc.attrelid = lt.oid
LEFT JOIN refs r ON r.conrelid = lt.oid
LEFT JOIN seqs sq ON sq.relid = lt.oid
ORDER BY 1;
