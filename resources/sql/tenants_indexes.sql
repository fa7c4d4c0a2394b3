-- Tenant drift: missing_index (compared by definition, not by name) and invalid_index, for every tenant.
-- An index's definition is its table, uniqueness, access method, key column names, operator classes, options,
-- collations, expressions and predicate, read from pg_index (cheap at tens of thousands of indexes): names
-- and schemas are left out, so an index renamed in one tenant still matches. Only the few reference indexes
-- a tenant lacks are printed with pg_get_indexdef (costly), for the detail and the fix. The reference indexes of a table are the template's (when $3
-- names one) or those that more than half of the tenants having that table have.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_indexes [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
,
-- @include tenant_voters
,
tbl AS (
  SELECT c.oid, c.relnamespace, c.relname, c.relnamespace IN (SELECT oid FROM voters) AS voter
  FROM pg_catalog.pg_class c
  WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
    AND c.relnamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
),
keys AS (
  -- every index's key column names in key order as one 64-bit hash: each name hashed with its position as
  -- the seed and summed, so the keys need no sort (string_agg in key order cost a sort of 190,000 groups)
  SELECT i.indexrelid, sum(hashtextextended(coalesce(a.attname::text, '#'), k.n)) AS names
  FROM tbl
  JOIN pg_catalog.pg_index i ON i.indrelid = tbl.oid
  CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k (attnum, n)
  -- one index lookup per key column (OFFSET 0 keeps it one): otherwise the planner hashes the whole of
  -- pg_attribute, two million rows at 10,000 tenants, and spills it to disk
  LEFT JOIN LATERAL (SELECT a.attname FROM pg_catalog.pg_attribute a
                      WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0 OFFSET 0) AS a ON true
  GROUP BY i.indexrelid
),
idx AS (
  -- narrow rows, the definition as one 64-bit hash (190,000 of them at 10,000 tenants). The access method
  -- is implied by the operator classes, so the index's own pg_class row is not read here.
  SELECT tbl.oid AS relid, tbl.relnamespace, tbl.relname::text AS relname, tbl.voter, i.indexrelid, i.indisvalid,
         -- numbers and arrays hashed as they are (their text forms cost ~10 µs an index); expressions and
         -- predicates without token positions, which shift with the length of the schema's name
         hash_array_extended(ARRAY[keys.names, i.indisunique::int, i.indnkeyatts,
                   hash_array_extended(i.indclass::oid[], 0), hash_array_extended(i.indoption::int2[], 0),
                   hash_array_extended(i.indcollation::oid[], 0),
                   CASE WHEN i.indexprs IS NULL THEN 0 ELSE hashtextextended(regexp_replace(i.indexprs::text, ':location -?[0-9]+', '', 'g'), 0) END,
                   CASE WHEN i.indpred IS NULL THEN 0 ELSE hashtextextended(regexp_replace(i.indpred::text, ':location -?[0-9]+', '', 'g'), 1) END], 0) AS sig
  FROM tbl
  JOIN pg_catalog.pg_index i ON i.indrelid = tbl.oid
  JOIN keys ON keys.indexrelid = i.indexrelid
),
voter_tables AS (
  SELECT tbl.relname, count(*) AS have
  FROM tbl WHERE tbl.voter
  GROUP BY tbl.relname
),
ref AS (
  -- the reference definitions of each table, with the oldest index of each as its model
  SELECT idx.relname, idx.sig, min(idx.indexrelid::bigint)::oid AS model
  FROM idx JOIN voter_tables vt ON vt.relname = idx.relname
  WHERE idx.voter
  GROUP BY idx.relname, idx.sig, vt.have
  HAVING count(*) * 2 > vt.have
),
absent AS (
  -- (tenant table, reference definition) pairs with no index of that definition: one hashed anti-join
  SELECT tbl.relnamespace, tbl.relname, ref.sig, ref.model
  FROM tbl JOIN ref ON ref.relname = tbl.relname
  WHERE tbl.relnamespace IN (SELECT oid FROM tenants)
    AND NOT EXISTS (SELECT 1 FROM idx WHERE idx.relid = tbl.oid AND idx.sig = ref.sig)
),
named AS (
  -- the name most of the voters give each definition a tenant lacks (a few definitions; one lookup per index)
  SELECT m.relname, m.sig, mode() WITHIN GROUP (ORDER BY ic.relname) AS indexname
  -- OFFSET 0: the voters' indexes of those definitions first, then their names (not a name per index)
  FROM (SELECT idx.relname, idx.sig, idx.indexrelid
          FROM idx JOIN (SELECT DISTINCT relname, sig FROM absent) AS x ON x.relname = idx.relname AND x.sig = idx.sig
         WHERE idx.voter OFFSET 0) AS m
  CROSS JOIN LATERAL (SELECT ic.relname FROM pg_catalog.pg_class ic WHERE ic.oid = m.indexrelid OFFSET 0) AS ic
  GROUP BY m.relname, m.sig
),
missing AS (
  SELECT t.tenant, a.relname, n.indexname, a.model
  FROM absent a
  JOIN tenants t ON t.oid = a.relnamespace
  JOIN named n ON n.relname = a.relname AND n.sig = a.sig
),
described AS (
  -- the definition of a model index, printed column by column without its name or schema
  SELECT m.*, i.indisunique AS isunique, am.amname,
         (SELECT string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)
            FROM generate_series(1, i.indnkeyatts) AS k) AS keys,
         (SELECT string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)
            FROM generate_series(i.indnkeyatts + 1, i.indnatts) AS k) AS include,
         pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) AS pred,
         con.conname, con.contype, pg_catalog.pg_get_constraintdef(con.oid) AS condef
  FROM missing m
  -- each model looked up by its OID (OFFSET 0): the planner, expecting many missing indexes, would
  -- otherwise join the whole of pg_index, pg_class and pg_constraint
  CROSS JOIN LATERAL (SELECT i.* FROM pg_catalog.pg_index i WHERE i.indexrelid = m.model OFFSET 0) AS i
  CROSS JOIN LATERAL (SELECT ic.relam FROM pg_catalog.pg_class ic WHERE ic.oid = m.model OFFSET 0) AS ic
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
  LEFT JOIN LATERAL (SELECT con.* FROM pg_catalog.pg_constraint con
                      WHERE con.conindid = m.model AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x') OFFSET 0) AS con ON true
)
SELECT d.tenant, 'missing_index' AS kind, d.relname || '.' || d.indexname AS object,
       format('no %sindex on %s using %s (%s)%s%s (named %s in the reference)', CASE WHEN d.isunique THEN 'unique ' ELSE '' END,
              quote_ident(d.relname), d.amname, d.keys, ' INCLUDE (' || d.include || ')', ' WHERE ' || d.pred,
              quote_ident(d.indexname)) AS detail,
       'warn' AS severity,
       -- production-safe: the index is built CONCURRENTLY (reads and writes go on; the console runs it
       -- outside a transaction); a primary key or unique constraint is then attached to it USING INDEX
       -- (a brief ACCESS EXCLUSIVE). An exclusion constraint cannot be attached that way: ADD CONSTRAINT.
       CASE WHEN d.contype = 'x'
            THEN format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', d.tenant, d.relname, d.conname, d.condef)
            ELSE format('CREATE %sINDEX CONCURRENTLY %I ON %I.%I USING %s (%s)%s%s;', CASE WHEN d.isunique THEN 'UNIQUE ' ELSE '' END,
                        d.indexname, d.tenant, d.relname, d.amname, d.keys,
                        coalesce(' INCLUDE (' || d.include || ')', ''), coalesce(' WHERE ' || d.pred, ''))
              || CASE WHEN d.contype IN ('p', 'u')
                      THEN format(' ALTER TABLE %I.%I ADD CONSTRAINT %I %s USING INDEX %I;', d.tenant, d.relname, d.conname,
                                  CASE d.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, d.indexname)
                      ELSE '' END
       END AS fix_sql
FROM described d
UNION ALL
SELECT t.tenant, 'invalid_index', idx.relname || '.' || ic.relname,
       format('index %s is invalid (a failed CREATE INDEX CONCURRENTLY?): it is maintained on writes but never used', quote_ident(ic.relname)),
       'warn',
       format('REINDEX INDEX CONCURRENTLY %I.%I;', t.tenant, ic.relname)
FROM (SELECT * FROM idx WHERE NOT idx.indisvalid OFFSET 0) AS idx
JOIN tenants t ON t.oid = idx.relnamespace
CROSS JOIN LATERAL (SELECT ic.relname FROM pg_catalog.pg_class ic WHERE ic.oid = idx.indexrelid OFFSET 0) AS ic
ORDER BY 1, 3;
