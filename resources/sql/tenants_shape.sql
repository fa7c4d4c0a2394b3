-- Tenant drift in the shape of the tenants, for every tenant at once: missing_table / extra_table,
-- missing_column / type_mismatch, missing_index / invalid_index. One statement for the three because they
-- read the same catalog rows: each tenant table is read from pg_class once, its columns from pg_attribute
-- once (560,000 columns at 10,000 tenants), its indexes from pg_index once.
--
-- Reference shape: the template schema's ($3), else the majority's: a table that more than half of the
-- voters have (include/tenant_voters.sql); for a table, the column list most of them have; for its
-- indexes, each definition more than half of them have.
--
-- Columns: each table's column list (name, type, typmod, NOT NULL) is hashed without sorting it, as the xor
-- of one 64-bit hash per column (a table's column names are distinct, so none cancels another), with its
-- defaults' hashes (their stored form without the sequence OIDs of nextval and without token positions,
-- which shift with the length of the schema's name). Only tables
-- whose hash differs from the reference (a handful, normally) are compared column by column, by name,
-- against a model table: a missing column is missing_column; a difference in type, nullability or default
-- (deparsed, each schema's own name removed) is type_mismatch.
--
-- Indexes are compared by definition, not by name, so an index renamed in one tenant still matches. An
-- index's definition names its key columns, but pg_index holds column numbers: the indexes are grouped by
-- (table name, column layout, definition as numbers), the layout being the table's column names with their
-- numbers, and only one index of each group (a few dozen at 10,000 tenants) is deparsed into the definition
-- by names (key columns and expressions with pg_get_indexdef, the predicate with pg_get_expr, the schema's
-- name removed; operator classes, options and collations as OIDs). A table whose columns are in another
-- order is then its own group and still matches by names. Only the few reference indexes a tenant lacks are
-- printed in full, for the detail and the fix.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_shape [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
,
-- @include tenant_voters
,
tbl AS MATERIALIZED (
  -- every table of the tenants and the voters (materialized views too, for their indexes only), with its
  -- columns hashed: per table, one xor of 64-bit hashes (no sort, no text formatted) of each column's name,
  -- type, typmod and NOT NULL, and its layout: each column's name hashed with its number. One index lookup
  -- per table (a join to the tables was planned as a hash of all of pg_attribute or a sort of both sides; a
  -- hashed IN over a scan of pg_attribute cost 0.5 µs a row: 10,000 tenants, one core: the statement 3.5 s
  -- against 3.8 s). hashnameextended hashes the name as it is, without a text copy.
  SELECT c.oid, c.relnamespace, c.relname::text AS relname, c.relkind <> 'm' AS is_table,
         c.relnamespace IN (SELECT oid FROM voters) AS voter, c.relnamespace IN (SELECT oid FROM tenants) AS tenant,
         a.hash, a.layout
  FROM pg_catalog.pg_class c
  CROSS JOIN LATERAL (
    SELECT bit_xor(hashnameextended(a.attname, hashint8extended((a.atttypmod::bigint << 1) | a.attnotnull::int, a.atttypid::bigint))) AS hash,
           bit_xor(hashnameextended(a.attname, a.attnum)) AS layout
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS a
  WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
    AND c.relnamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
),

-- ── tables ──────────────────────────────────────────────────────────────────────────────────────────────
ref_table AS (
  -- one schema that has it (the template, or the oldest voter) serves as the model for CREATE TABLE ... LIKE
  SELECT t.relname, n.nspname AS model, t.n AS have
  FROM (SELECT tbl.relname, min(tbl.relnamespace::bigint)::oid AS ns, count(*) AS n FROM tbl WHERE tbl.is_table AND tbl.voter GROUP BY 1) AS t
  JOIN pg_catalog.pg_namespace n ON n.oid = t.ns
  WHERE t.n * 2 > (SELECT count(*) FROM voters)
),
short_tenant AS (
  -- the tenants that lack one of the reference tables: fewer of them than there are (normally none)
  SELECT t.oid, t.tenant
  FROM tenants t
  LEFT JOIN (SELECT tbl.relnamespace, count(*) AS n FROM tbl
              WHERE tbl.is_table AND tbl.tenant AND tbl.relname IN (SELECT relname FROM ref_table) GROUP BY 1) AS h
         ON h.relnamespace = t.oid
  WHERE coalesce(h.n, 0) < (SELECT count(*) FROM ref_table)
),

-- ── columns ─────────────────────────────────────────────────────────────────────────────────────────────
def_text AS NOT MATERIALIZED (
  -- each default's stored form; a regclass constant (nextval of the tenant's own sequence) loses its OID
  -- here with plain string functions, so the defaults of tenants whose names have the same length are the
  -- same text. Read twice (def_norm, def_hash): computed once with the forms read back, it was slower
  -- (docs/performance.md).
  SELECT d.adrelid, d.adnum,
         CASE WHEN strpos(d.adbin::text, ':consttype 2205 ') = 0 THEN d.adbin::text
              ELSE left(d.adbin::text, strpos(d.adbin::text, ':constvalue 4 [') - 1)
                   || substr(d.adbin::text, strpos(d.adbin::text, ':constvalue 4 [')
                                            + strpos(substr(d.adbin::text, strpos(d.adbin::text, ':constvalue 4 [')), ']')) END AS bin
  -- every default of the database, not only the tenants' (per keeps those of its tables): joined to tbl
  -- here, a CTE the planner has no statistics for, both sides were sorted (10,000 tenants, one core: the
  -- statement took 4.1 s, against 3.8 s without the join)
  FROM pg_catalog.pg_attrdef d
),
def_norm AS (
  -- token positions (:location) are removed with a regular expression only once per distinct text, not
  -- once per default: a few hundred texts, not 130,000
  SELECT hashtextextended(x.bin, 0) AS raw,
         hashtextextended(regexp_replace(min(x.bin COLLATE "C"), ':location -?[0-9]+', '', 'g'), 0) AS norm
  FROM def_text x
  GROUP BY 1
),
def_hash AS (
  -- per table, the xor of its defaults' hashes, each seeded by its column number: a table whose columns are
  -- in another order is a suspect below, where columns are matched by name
  SELECT x.adrelid, bit_xor(hashint8extended(n.norm, x.adnum)) AS hash
  FROM def_text x JOIN def_norm n ON n.raw = hashtextextended(x.bin, 0)
  GROUP BY x.adrelid
),
per AS MATERIALIZED (
  -- every table with its hashes (a table without columns has hashes too: 0)
  SELECT tbl.oid, tbl.relnamespace, tbl.relname, tbl.is_table, tbl.voter, tbl.tenant,
         coalesce(tbl.hash, 0) # coalesce(d.hash, 0) AS hash, coalesce(tbl.layout, 0) AS layout
  FROM tbl
  LEFT JOIN def_hash d ON d.adrelid = tbl.oid
),
shape AS NOT MATERIALIZED (
  SELECT per.oid, per.relnamespace, per.relname, per.voter, per.hash FROM per WHERE per.is_table
),
hash_votes AS (
  -- how many voters' tables have each column list, with the oldest of them as its model
  SELECT s.relname, s.hash, count(*) AS n, min(s.oid::bigint)::oid AS model
  FROM shape s WHERE s.voter
  GROUP BY s.relname, s.hash
),
ref_hash AS (
  -- each reference table's most common column list (the smallest hash of the most common, as mode() would)
  SELECT DISTINCT ON (h.relname) h.relname, h.hash, h.model
  FROM hash_votes h JOIN ref_table r ON r.relname = h.relname
  ORDER BY h.relname, h.n DESC, h.hash
),
suspect AS (
  SELECT t.tenant, s.oid, s.relname, m.model
  FROM shape s JOIN ref_hash m ON m.relname = s.relname AND s.hash <> m.hash
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
),

-- ── indexes ─────────────────────────────────────────────────────────────────────────────────────────────
idx AS MATERIALIZED (
  -- every index with its group: one 64-bit hash of its table's name and layout and of its definition as
  -- numbers, from the arrays as they are (190,000 indexes at 10,000 tenants; their text forms would cost
  -- ~10 µs each). One column, so that the planner expects few groups and hashes them. `opts` is the part
  -- of the definition that names no column (uniqueness, key count, operator classes, options, collations).
  -- The definition is hashed in pg_index's own scan (OFFSET 0), so that the join hashes 25-byte rows, not
  -- pg_index's 180-byte ones; the hashes are chained by seed, and the oidvectors hashed as they are (no
  -- array built): 10,000 tenants, one core, this part 0.68 s against 0.56 s and its hashes 0.29 s against 0.15 s.
  SELECT tbl.oid AS relid, tbl.relnamespace, tbl.relname, tbl.voter, tbl.tenant, i.indexrelid, i.indisvalid, i.opts,
         hashtextextended(tbl.relname, hashint8extended(tbl.layout, i.def)) AS grp
  FROM (SELECT i.indrelid, i.indexrelid, i.indisvalid, o.opts,
               hash_array_extended(i.indkey::int2[], hashtextextended(coalesce(i.indexprs::text, ''), hashtextextended(coalesce(i.indpred::text, ''), o.opts))) AS def
          FROM pg_catalog.pg_index i
          CROSS JOIN LATERAL (SELECT hashoidvectorextended(i.indcollation, hashoidvectorextended(i.indclass,
                                       hash_array_extended(i.indoption::int2[], (i.indnkeyatts::bigint << 1) | i.indisunique::int))) AS opts) AS o
        OFFSET 0) AS i
  JOIN per AS tbl ON tbl.oid = i.indrelid
),
idx_group AS (
  -- the groups, each with how many of its indexes are the voters' and the tenants'
  SELECT idx.grp, min(idx.relname) AS relname, min(idx.opts) AS opts, min(idx.indexrelid::bigint)::oid AS one,
         min(idx.indexrelid::bigint) FILTER (WHERE idx.voter) AS voter_model,
         count(*) FILTER (WHERE idx.voter) AS voters, count(*) FILTER (WHERE idx.tenant) AS tenants
  FROM idx
  GROUP BY idx.grp
),
group_sig AS (
  -- each group's definition by names, deparsed from one of its indexes (looked up by OID: OFFSET 0), with
  -- the group's opts
  SELECT g.*, d.sig
  FROM idx_group g
  CROSS JOIN LATERAL (
    SELECT hash_array_extended(ARRAY[
             hashtextextended(concat_ws(E'\n',
               (SELECT string_agg(replace(pg_catalog.pg_get_indexdef(i.indexrelid, k, false), quote_ident(n.nspname) || '.', ''), E'\n' ORDER BY k)
                  FROM generate_series(1, i.indnatts) AS k),
               replace(pg_catalog.pg_get_expr(i.indpred, i.indrelid, false), quote_ident(n.nspname) || '.', '')), 0),
             g.opts], 0) AS sig
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
    WHERE i.indexrelid = g.one OFFSET 0) AS d
),
sig_count AS (
  -- per table name and definition: how many indexes the voters and the tenants have, counted from the
  -- groups (a few dozen rows), not from the indexes
  SELECT gs.relname, gs.sig, sum(gs.voters) AS voters, sum(gs.tenants) AS tenants, min(gs.voter_model)::oid AS model
  FROM group_sig gs
  GROUP BY gs.relname, gs.sig
),
ref_index AS (
  -- the reference definitions of each table (more than half of the voters' tables have one), with the
  -- oldest of the voters' indexes as its model
  SELECT sc.relname, sc.sig, sc.model
  FROM sig_count sc
  JOIN (SELECT tbl.relname, count(*) AS have FROM tbl WHERE tbl.voter GROUP BY tbl.relname) AS vt ON vt.relname = sc.relname
  WHERE sc.voters * 2 > vt.have
),
short AS (
  -- the reference definitions that fewer (or more) of the tenants' tables have than there are such tables:
  -- only for these are the tables looked at one by one (normally none or a few)
  SELECT r.relname, r.sig, r.model
  FROM ref_index r
  JOIN (SELECT tbl.relname, count(*) AS n FROM tbl WHERE tbl.tenant GROUP BY tbl.relname) AS tt ON tt.relname = r.relname
  JOIN sig_count sc ON sc.relname = r.relname AND sc.sig = r.sig
  WHERE sc.tenants <> tt.n
),
covered AS (
  -- the tables that have one of those definitions: the indexes of the groups that have it. One key per
  -- (table, definition), grouped by one column: the planner then expects few rows and hashes them.
  SELECT hash_array_extended(ARRAY[x.relid::bigint, gs.sig], 0) AS pair
  FROM idx x
  JOIN (SELECT gs.grp, gs.sig FROM group_sig gs JOIN short s ON s.relname = gs.relname AND s.sig = gs.sig) AS gs ON gs.grp = x.grp
  GROUP BY 1
),
absent AS (
  -- (tenant table, reference definition) pairs with no index of that definition
  SELECT tbl.relnamespace, tbl.relname, s.sig, s.model
  FROM short s JOIN tbl ON tbl.relname = s.relname
  WHERE tbl.tenant
    AND NOT EXISTS (SELECT 1 FROM covered c WHERE c.pair = hash_array_extended(ARRAY[tbl.oid::bigint, s.sig], 0))
),
named AS (
  -- the name most of the voters give each definition a tenant lacks (a few definitions; one lookup per index)
  SELECT m.relname, m.sig, mode() WITHIN GROUP (ORDER BY ic.relname) AS indexname
  -- OFFSET 0: the voters' indexes of those definitions first, then their names (not a name per index)
  FROM (SELECT gs.relname, gs.sig, x.indexrelid
          FROM idx x
          JOIN (SELECT gs.grp, gs.relname, gs.sig FROM group_sig gs
                 WHERE (gs.relname, gs.sig) IN (SELECT relname, sig FROM absent)) AS gs ON gs.grp = x.grp
         WHERE x.voter OFFSET 0) AS m
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

-- ── the findings ────────────────────────────────────────────────────────────────────────────────────────
SELECT t.tenant, 'missing_table' AS kind, ref.relname AS object,
       format('table %s is in the reference shape (%s) but not in this tenant',
              quote_ident(ref.relname), coalesce('template ' || quote_ident($3::text), ref.have || ' tenants have it')) AS detail,
       'critical' AS severity,
       format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING ALL); -- foreign keys and grants are not copied by LIKE',
              t.tenant, ref.relname, ref.model, ref.relname) AS fix_sql
FROM short_tenant t CROSS JOIN ref_table ref
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                   WHERE c.relname = ref.relname AND c.relnamespace = t.oid AND c.relkind IN ('r', 'p') AND NOT c.relispartition)
UNION ALL
SELECT t.tenant, 'extra_table', tbl.relname,
       format('table %s is not in the reference shape', quote_ident(tbl.relname)),
       'warn', NULL
FROM tenants t JOIN tbl ON tbl.relnamespace = t.oid
WHERE tbl.is_table AND tbl.relname NOT IN (SELECT relname FROM ref_table)
UNION ALL
SELECT p.tenant, 'missing_column', p.relname || '.' || p.attname,
       format('column %s %s%s%s is in the reference shape but not in this tenant', quote_ident(p.attname), p.ref_type,
              CASE WHEN p.ref_notnull THEN ' NOT NULL' ELSE '' END,
              CASE WHEN p.ref_dflt <> '' THEN ' DEFAULT ' || p.ref_dflt ELSE '' END),
       'critical',
       format('ALTER TABLE %I.%I ADD COLUMN %I %s%s%s;', p.tenant, p.relname, p.attname, p.ref_type,
              CASE WHEN p.ref_dflt <> '' AND p.ref_dflt NOT LIKE 'nextval(%' THEN ' DEFAULT ' || p.ref_dflt ELSE '' END,
              CASE WHEN p.ref_notnull AND p.ref_dflt <> '' AND p.ref_dflt NOT LIKE 'nextval(%' THEN ' NOT NULL' ELSE '' END)
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
UNION ALL
SELECT d.tenant, 'missing_index', d.relname || '.' || d.indexname,
       format('no %sindex on %s using %s (%s)%s%s (named %s in the reference)', CASE WHEN d.isunique THEN 'unique ' ELSE '' END,
              quote_ident(d.relname), d.amname, d.keys, ' INCLUDE (' || d.include || ')', ' WHERE ' || d.pred,
              quote_ident(d.indexname)),
       'warn',
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
       END
FROM described d
UNION ALL
SELECT t.tenant, 'invalid_index', x.relname || '.' || ic.relname,
       format('index %s is invalid (a failed CREATE INDEX CONCURRENTLY?): it is maintained on writes but never used', quote_ident(ic.relname)),
       'warn',
       format('REINDEX INDEX CONCURRENTLY %I.%I;', t.tenant, ic.relname)
FROM (SELECT * FROM idx WHERE NOT idx.indisvalid AND idx.tenant OFFSET 0) AS x
JOIN tenants t ON t.oid = x.relnamespace
CROSS JOIN LATERAL (SELECT ic.relname FROM pg_catalog.pg_class ic WHERE ic.oid = x.indexrelid OFFSET 0) AS ic
ORDER BY 1, 3;
