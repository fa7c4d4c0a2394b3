-- Tenant drift: missing_table / extra_table, for every tenant at once.
-- Reference shape: the template schema's tables when $3 names one, else the tables that more than half of
-- the tenants have (the majority shape).
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_tables [--param NAME=VALUE …] | psql URL
WITH tenants AS (
  SELECT n.oid, n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text AND n.nspname !~ '__(restored|replaced)_' ELSE n.nspname = ANY ($2::text[]) END
    AND n.nspname IS DISTINCT FROM $3::text
),
-- who votes on the reference shape: the template, else every schema matching the pattern (the fleet, even
-- when only a list of tenants is verified), else the listed tenants themselves
voters AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname = $3::text
  UNION ALL
  SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE $3::text IS NULL AND nspname LIKE $1::text AND nspname !~ '__(restored|replaced)_'
  UNION ALL
  SELECT oid, tenant FROM tenants
  WHERE $3::text IS NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname LIKE $1::text AND nspname !~ '__(restored|replaced)_')
),
rel AS (
  SELECT c.relnamespace, c.relname
  FROM pg_catalog.pg_class c
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND c.relnamespace IN (SELECT oid FROM tenants UNION ALL SELECT oid FROM voters)
),
ref AS (
  -- one schema that has it (the template, or the first tenant) serves as the model for CREATE TABLE ... LIKE
  SELECT r.relname, min(v.nspname) AS model, count(*) AS have
  FROM rel r JOIN voters v ON v.oid = r.relnamespace
  GROUP BY r.relname
  HAVING count(*) * 2 > (SELECT count(*) FROM voters)
)
SELECT t.tenant, 'missing_table' AS kind, ref.relname AS object,
       format('table %s is in the reference shape (%s) but not in this tenant',
              quote_ident(ref.relname), coalesce('template ' || quote_ident($3::text), ref.have || ' tenants have it')) AS detail,
       'critical' AS severity,
       format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING ALL); -- foreign keys and grants are not copied by LIKE',
              t.tenant, ref.relname, ref.model, ref.relname) AS fix_sql
FROM tenants t CROSS JOIN ref
WHERE NOT EXISTS (SELECT 1 FROM rel WHERE rel.relnamespace = t.oid AND rel.relname = ref.relname)
UNION ALL
SELECT t.tenant, 'extra_table', rel.relname,
       format('table %s is not in the reference shape', quote_ident(rel.relname)),
       'warn', NULL
FROM tenants t JOIN rel ON rel.relnamespace = t.oid
WHERE rel.relname NOT IN (SELECT relname FROM ref)
ORDER BY 1, 3;
