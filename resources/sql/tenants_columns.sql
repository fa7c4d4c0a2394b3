-- Tenant drift: missing_column / type_mismatch, for every tenant at once.
-- For each table of the reference shape, the reference columns are the template's (when $3 names one), else
-- those that more than half of the tenants having that table have; the reference type, nullability and
-- default are the template's or the most common ones. A tenant whose table lacks a reference column gets
-- missing_column; one whose column differs in type, nullability or default gets type_mismatch (the
-- differences are spelled out in the detail). Defaults are compared with the tenant's own schema name
-- removed, so nextval('org_a.seq') equals nextval('org_b.seq'). Missing tables are tenants_tables' business.
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
col AS (
  SELECT c.relnamespace, c.relname, a.attname, a.attnum,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
         a.attnotnull AS notnull,
         replace(pg_catalog.pg_get_expr(d.adbin, d.adrelid), quote_ident(n.nspname) || '.', '') AS dflt
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND c.relnamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
),
voter_tables AS (
  SELECT c.relname, count(*) AS have
  FROM pg_catalog.pg_class c JOIN voters v ON v.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  GROUP BY c.relname
),
ref AS (
  SELECT col.relname, col.attname,
         min(col.attnum) AS attnum,
         mode() WITHIN GROUP (ORDER BY col.type) AS type,
         mode() WITHIN GROUP (ORDER BY col.notnull) AS notnull,
         mode() WITHIN GROUP (ORDER BY coalesce(col.dflt, '')) AS dflt
  FROM col JOIN voters v ON v.oid = col.relnamespace
  JOIN voter_tables vt ON vt.relname = col.relname
  GROUP BY col.relname, col.attname, vt.have
  HAVING count(*) * 2 > vt.have
),
tenant_tables AS (
  SELECT DISTINCT t.oid, t.tenant, col.relname
  FROM tenants t JOIN col ON col.relnamespace = t.oid
  WHERE col.relname IN (SELECT relname FROM ref)
)
SELECT tt.tenant, 'missing_column' AS kind, tt.relname || '.' || ref.attname AS object,
       format('column %s %s%s%s is in the reference shape but not in this tenant', quote_ident(ref.attname), ref.type,
              CASE WHEN ref.notnull THEN ' NOT NULL' ELSE '' END,
              CASE WHEN ref.dflt <> '' THEN ' DEFAULT ' || ref.dflt ELSE '' END) AS detail,
       'critical' AS severity,
       format('ALTER TABLE %I.%I ADD COLUMN %I %s%s%s;', tt.tenant, tt.relname, ref.attname, ref.type,
              CASE WHEN ref.dflt <> '' AND ref.dflt NOT LIKE 'nextval(%' THEN ' DEFAULT ' || ref.dflt ELSE '' END,
              CASE WHEN ref.notnull AND ref.dflt <> '' AND ref.dflt NOT LIKE 'nextval(%' THEN ' NOT NULL' ELSE '' END) AS fix_sql
FROM tenant_tables tt JOIN ref ON ref.relname = tt.relname
WHERE NOT EXISTS (SELECT 1 FROM col WHERE col.relnamespace = tt.oid AND col.relname = tt.relname AND col.attname = ref.attname)
UNION ALL
SELECT t.tenant, 'type_mismatch', col.relname || '.' || col.attname,
       concat_ws('; ',
         CASE WHEN col.type <> ref.type THEN format('type is %s, reference is %s', col.type, ref.type) END,
         CASE WHEN col.notnull <> ref.notnull THEN format('%s, reference is %s',
              CASE WHEN col.notnull THEN 'NOT NULL' ELSE 'nullable' END, CASE WHEN ref.notnull THEN 'NOT NULL' ELSE 'nullable' END) END,
         CASE WHEN coalesce(col.dflt, '') <> ref.dflt THEN format('default is %s, reference is %s',
              coalesce(nullif(col.dflt, ''), 'none'), coalesce(nullif(ref.dflt, ''), 'none')) END),
       CASE WHEN col.type <> ref.type THEN 'critical' ELSE 'warn' END,
       NULL
FROM tenants t
JOIN col ON col.relnamespace = t.oid
JOIN ref ON ref.relname = col.relname AND ref.attname = col.attname
WHERE col.type <> ref.type OR col.notnull <> ref.notnull OR coalesce(col.dflt, '') <> ref.dflt
ORDER BY 1, 3;
