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
  SELECT c.oid, c.relnamespace, c.relname
  FROM pg_catalog.pg_class c
  WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
    AND c.relnamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
),
keys AS (
  -- every index's key column names in key order, for all indexes at once (a correlated subquery per index
  -- cost ~25 µs each: 4-5 s at 10,000 tenants)
  SELECT i.indexrelid, string_agg(coalesce(a.attname::text, '#' || k.n), ',' ORDER BY k.n) AS names
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
  -- narrow rows (the definition as a 64-bit hash, names as text): 190,000 of them at 10,000 tenants are
  -- materialized and sorted, and wide ones spilled hundreds of MB to temporary files
  SELECT tbl.relnamespace, tbl.relname::text AS relname, i.indexrelid, ic.relname::text AS indexname, i.indisvalid,
         hashtextextended(concat_ws(' ', CASE WHEN i.indisunique THEN 'unique' END, ic.relam::text, keys.names,
                   i.indnkeyatts::text, i.indclass::text, i.indoption::text, i.indcollation::text,
                   md5(i.indexprs::text), 'where ' || md5(i.indpred::text)), 0) AS sig
  FROM tbl
  JOIN pg_catalog.pg_index i ON i.indrelid = tbl.oid
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN keys ON keys.indexrelid = i.indexrelid
),
voter_tables AS (
  SELECT tbl.relname, count(*) AS have
  FROM tbl JOIN voters v ON v.oid = tbl.relnamespace
  GROUP BY tbl.relname
),
ref AS (
  SELECT idx.relname, idx.sig, count(*) AS have,
         mode() WITHIN GROUP (ORDER BY idx.indexname) AS indexname,
         min(idx.indexrelid::bigint)::oid AS model
  FROM idx JOIN voters v ON v.oid = idx.relnamespace
  JOIN voter_tables vt ON vt.relname = idx.relname
  GROUP BY idx.relname, idx.sig, vt.have
  HAVING count(*) * 2 > vt.have
),
missing AS (
  -- (tenant table, reference definition) pairs minus the pairs that exist: one hashed set difference
  SELECT t.tenant, x.relname, ref.indexname, ref.model
  FROM (SELECT tbl.relnamespace, tbl.relname, ref.sig
          FROM tbl JOIN ref ON ref.relname = tbl.relname
         WHERE tbl.relnamespace IN (SELECT oid FROM tenants)
        EXCEPT
        SELECT idx.relnamespace, idx.relname, idx.sig FROM idx) AS x
  JOIN tenants t ON t.oid = x.relnamespace
  JOIN ref ON ref.relname = x.relname AND ref.sig = x.sig
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
  JOIN pg_catalog.pg_index i ON i.indexrelid = m.model
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
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
SELECT t.tenant, 'invalid_index', idx.relname || '.' || idx.indexname,
       format('index %s is invalid (a failed CREATE INDEX CONCURRENTLY?): it is maintained on writes but never used', quote_ident(idx.indexname)),
       'warn',
       format('REINDEX INDEX CONCURRENTLY %I.%I;', t.tenant, idx.indexname)
FROM tenants t JOIN idx ON idx.relnamespace = t.oid
WHERE NOT idx.indisvalid
ORDER BY 1, 3;
