-- Tenant drift: missing_column / type_mismatch, for every tenant at once.
-- Cheap first: each tenant table's column list (name, type, NOT NULL, default as stored) is hashed without
-- sorting it (a sum of per-column hashes: a sort of every attribute per table cost seconds at 10,000
-- tenants), and each table's reference hash is the template's or the most common one among the tenants.
-- Only tables whose hash differs (a handful, normally) are compared column by column, by name, against a
-- model table that has the reference hash: a missing column is missing_column; a difference in type,
-- nullability or default is type_mismatch (the differences are spelled out in the detail). Defaults are
-- compared deparsed, with each schema's own name removed, so nextval('org_a.seq') equals nextval('org_b.seq');
-- for the hash, their stored form without sequence OIDs and token positions. Missing tables are tenants_tables' business.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_columns [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
,
-- @include tenant_voters
,
tbl AS (
  SELECT c.oid, c.relnamespace, c.relname, c.relnamespace IN (SELECT oid FROM voters) AS voter
  FROM pg_catalog.pg_class c
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND c.relnamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
),
att_hash AS (
  -- per table, the sum of one 64-bit hash per column of its name, type, typmod and NOT NULL: numbers mixed
  -- by hash functions, no text formatted, no join to the defaults (half a million columns at 10,000 tenants)
  SELECT a.attrelid, sum(hashtextextended(a.attname::text,
                           hashint8extended((a.atttypmod::bigint << 1) | a.attnotnull::int, a.atttypid::bigint))) AS hash
  FROM tbl JOIN pg_catalog.pg_attribute a ON a.attrelid = tbl.oid
  WHERE a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
),
def_text AS NOT MATERIALIZED (
  -- each default's stored form; a regclass constant (nextval of the tenant's own sequence) loses its OID
  -- here with plain string functions, so the defaults of tenants whose names have the same length are the
  -- same text
  SELECT d.adrelid, d.adnum,
         CASE WHEN strpos(d.adbin::text, ':consttype 2205 ') = 0 THEN d.adbin::text
              ELSE left(d.adbin::text, strpos(d.adbin::text, ':constvalue 4 [') - 1)
                   || substr(d.adbin::text, strpos(d.adbin::text, ':constvalue 4 [')
                                            + strpos(substr(d.adbin::text, strpos(d.adbin::text, ':constvalue 4 [')), ']')) END AS bin
  FROM tbl JOIN pg_catalog.pg_attrdef d ON d.adrelid = tbl.oid
),
def_norm AS (
  -- token positions (:location, they shift with the schema name's length) are removed with a regular
  -- expression only once per distinct text, not once per default: a few hundred texts, not 130,000
  SELECT hashtextextended(x.bin, 0) AS raw,
         hashtextextended(regexp_replace(min(x.bin COLLATE "C"), ':location -?[0-9]+', '', 'g'), 0) AS norm
  FROM def_text x
  GROUP BY 1
),
def_hash AS (
  -- per table, the sum of its defaults' hashes, each seeded by its column number: a table whose columns are
  -- in another order is a suspect below, where columns are matched by name
  SELECT x.adrelid, sum(hashint8extended(n.norm, x.adnum)) AS hash
  FROM def_text x JOIN def_norm n ON n.raw = hashtextextended(x.bin, 0)
  GROUP BY x.adrelid
),
shape AS (
  SELECT tbl.oid, tbl.relnamespace, tbl.relname, tbl.voter, coalesce(a.hash, 0) + coalesce(d.hash, 0) AS hash
  FROM tbl
  LEFT JOIN att_hash a ON a.attrelid = tbl.oid
  LEFT JOIN def_hash d ON d.adrelid = tbl.oid
),
ref_hash AS (
  SELECT s.relname, mode() WITHIN GROUP (ORDER BY s.hash) AS hash, count(*) AS have
  FROM shape s WHERE s.voter
  GROUP BY s.relname
  HAVING count(*) * 2 > (SELECT count(*) FROM voters)
),
model AS (
  SELECT s.relname, min(s.oid::bigint)::oid AS oid, s.hash
  FROM shape s JOIN ref_hash r ON r.relname = s.relname AND r.hash = s.hash
  WHERE s.voter
  GROUP BY s.relname, s.hash
),
suspect AS (
  SELECT t.tenant, s.oid, s.relname, m.oid AS model
  FROM shape s JOIN model m ON m.relname = s.relname AND s.hash <> m.hash
  JOIN tenants t ON t.oid = s.relnamespace
),
cols AS (
  -- the columns of suspect tables and of their models, deparsed (few rows; index lookups per table)
  SELECT o.oid, a.attname, a.attnum,
         replace(pg_catalog.format_type(a.atttypid, a.atttypmod), quote_ident(n.nspname) || '.', '') AS type,
         a.attnotnull AS notnull,
         coalesce((SELECT replace(pg_catalog.pg_get_expr(d.adbin, d.adrelid), quote_ident(n.nspname) || '.', '')
                     FROM pg_catalog.pg_attrdef d WHERE d.adrelid = o.oid AND d.adnum = a.attnum), '') AS dflt
  FROM (SELECT oid FROM suspect UNION SELECT model FROM suspect) AS o
  JOIN pg_catalog.pg_class c ON c.oid = o.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  -- OFFSET 0 keeps this a lookup per table (the pg_attribute index): otherwise the planner, misled by the
  -- CTE's estimate, hashes all of pg_attribute for these few tables
  CROSS JOIN LATERAL (SELECT * FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = o.oid AND a.attnum > 0 AND NOT a.attisdropped OFFSET 0) AS a
),
pairs AS (
  SELECT s.tenant, s.relname, r.attname, r.type AS ref_type, r.notnull AS ref_notnull, r.dflt AS ref_dflt,
         x.attname IS NULL AS missing, x.type, x.notnull, x.dflt
  FROM suspect s
  JOIN cols r ON r.oid = s.model
  LEFT JOIN cols x ON x.oid = s.oid AND x.attname = r.attname
)
SELECT p.tenant, 'missing_column' AS kind, p.relname || '.' || p.attname AS object,
       format('column %s %s%s%s is in the reference shape but not in this tenant', quote_ident(p.attname), p.ref_type,
              CASE WHEN p.ref_notnull THEN ' NOT NULL' ELSE '' END,
              CASE WHEN p.ref_dflt <> '' THEN ' DEFAULT ' || p.ref_dflt ELSE '' END) AS detail,
       'critical' AS severity,
       format('ALTER TABLE %I.%I ADD COLUMN %I %s%s%s;', p.tenant, p.relname, p.attname, p.ref_type,
              CASE WHEN p.ref_dflt <> '' AND p.ref_dflt NOT LIKE 'nextval(%' THEN ' DEFAULT ' || p.ref_dflt ELSE '' END,
              CASE WHEN p.ref_notnull AND p.ref_dflt <> '' AND p.ref_dflt NOT LIKE 'nextval(%' THEN ' NOT NULL' ELSE '' END) AS fix_sql
FROM pairs p
WHERE p.missing
UNION ALL
SELECT p.tenant, 'type_mismatch', p.relname || '.' || p.attname,
       concat_ws('; ',
         CASE WHEN p.type <> p.ref_type THEN format('type is %s, reference is %s', p.type, p.ref_type) END,
         CASE WHEN p.notnull <> p.ref_notnull THEN format('%s, reference is %s',
              CASE WHEN p.notnull THEN 'NOT NULL' ELSE 'nullable' END, CASE WHEN p.ref_notnull THEN 'NOT NULL' ELSE 'nullable' END) END,
         CASE WHEN p.dflt <> p.ref_dflt THEN format('default is %s, reference is %s',
              coalesce(nullif(p.dflt, ''), 'none'), coalesce(nullif(p.ref_dflt, ''), 'none')) END),
       CASE WHEN p.type <> p.ref_type THEN 'critical' ELSE 'warn' END,
       NULL
FROM pairs p
WHERE NOT p.missing AND (p.type <> p.ref_type OR p.notnull <> p.ref_notnull OR p.dflt <> p.ref_dflt)
ORDER BY 1, 3;
