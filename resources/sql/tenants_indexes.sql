-- Tenant drift: missing_index (compared by definition, not by name) and invalid_index, for every tenant.
-- An index's definition is its table, uniqueness, access method, key columns/expressions (as
-- pg_get_indexdef prints them, column by column) and predicate: names and schemas are left out, so an
-- index renamed in one tenant still matches. The reference indexes of a table are the template's (when $3
-- names one) or those that more than half of the tenants having that table have.
-- $1 pattern (LIKE), $2 explicit tenant list (text[] or NULL), $3 template schema (or NULL).
-- In psql: PREPARE q(text, text[], text) AS <this query>; EXECUTE q('org_%', NULL, NULL);
WITH tenants AS (
  SELECT n.oid, n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text ELSE n.nspname = ANY ($2::text[]) END
    AND n.nspname IS DISTINCT FROM $3::text
),
-- who votes on the reference shape: the template, else every schema matching the pattern (the fleet, even
-- when only a list of tenants is verified), else the listed tenants themselves
voters AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname = $3::text
  UNION ALL
  SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE $3::text IS NULL AND nspname LIKE $1::text
  UNION ALL
  SELECT oid, tenant FROM tenants
  WHERE $3::text IS NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname LIKE $1::text)
),
tbl AS (
  SELECT c.oid, c.relnamespace, c.relname
  FROM pg_catalog.pg_class c
  WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
    AND c.relnamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
),
idx AS (
  SELECT tbl.relnamespace, tbl.relname, ic.relname AS indexname, i.indisvalid, con.conname, con.oid AS conoid,
         concat(CASE WHEN i.indisunique THEN 'UNIQUE ' END, 'ON ', quote_ident(tbl.relname), ' USING ', am.amname, ' (',
                (SELECT string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)
                   FROM generate_series(1, i.indnkeyatts) AS k), ')',
                CASE WHEN i.indnatts > i.indnkeyatts THEN ' INCLUDE (' ||
                  (SELECT string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)
                     FROM generate_series(i.indnkeyatts + 1, i.indnatts) AS k) || ')' END,
                ' WHERE ' || pg_catalog.pg_get_expr(i.indpred, i.indrelid, true)) AS definition
  FROM tbl
  JOIN pg_catalog.pg_index i ON i.indrelid = tbl.oid
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = tbl.oid AND con.contype IN ('p', 'u', 'x')
),
voter_tables AS (
  SELECT tbl.relname, count(*) AS have
  FROM tbl JOIN voters v ON v.oid = tbl.relnamespace
  GROUP BY tbl.relname
),
ref AS (
  SELECT idx.relname, idx.definition, count(*) AS have,
         mode() WITHIN GROUP (ORDER BY idx.indexname) AS indexname,
         mode() WITHIN GROUP (ORDER BY idx.conname) AS conname,
         (array_agg(pg_catalog.pg_get_constraintdef(idx.conoid) ORDER BY idx.indexname) FILTER (WHERE idx.conoid IS NOT NULL))[1] AS condef
  FROM idx JOIN voters v ON v.oid = idx.relnamespace
  JOIN voter_tables vt ON vt.relname = idx.relname
  GROUP BY idx.relname, idx.definition, vt.have
  HAVING count(*) * 2 > vt.have
)
SELECT t.tenant, 'missing_index' AS kind, tbl.relname || '.' || ref.indexname AS object,
       format('no index %s (named %s in the reference)', ref.definition, quote_ident(ref.indexname)) AS detail,
       'warn' AS severity,
       CASE WHEN ref.condef IS NOT NULL
            THEN format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', t.tenant, tbl.relname, ref.conname, ref.condef)
            ELSE format('CREATE %sINDEX %I ON %I.%I%s;', CASE WHEN ref.definition LIKE 'UNIQUE %' THEN 'UNIQUE ' END,
                        ref.indexname, t.tenant, tbl.relname,
                        substr(ref.definition, length(concat(CASE WHEN ref.definition LIKE 'UNIQUE %' THEN 'UNIQUE ' END, 'ON ', quote_ident(tbl.relname))) + 1))
       END AS fix_sql
FROM tenants t
JOIN tbl ON tbl.relnamespace = t.oid
JOIN ref ON ref.relname = tbl.relname
WHERE NOT EXISTS (SELECT 1 FROM idx WHERE idx.relnamespace = t.oid AND idx.relname = tbl.relname AND idx.definition = ref.definition)
UNION ALL
SELECT t.tenant, 'invalid_index', idx.relname || '.' || idx.indexname,
       format('index %s is invalid (a failed CREATE INDEX CONCURRENTLY?): it is maintained on writes but never used', quote_ident(idx.indexname)),
       'warn',
       format('REINDEX INDEX %I.%I;', t.tenant, idx.indexname)
FROM tenants t JOIN idx ON idx.relnamespace = t.oid
WHERE NOT idx.indisvalid
ORDER BY 1, 3;
