-- The catalog part of a database fingerprint (src/main/core/dr/actions/fingerprint.ts): one row per part
-- (schemas, relations, columns, constraints, indexes, functions) with the SHA-256 of its lines, sorted, and
-- how many lines it has. Before and after a drill the same text means the same catalog. Each line names an
-- object by schema and name, never by OID, and holds what defines it: owner, kind, ACL (grants), options,
-- column types, defaults, nullability, constraint and index definitions, function bodies and settings.
-- Left out: system schemas, temporary schemas, and the console's side schemas (<tenant>__restored_… /
-- __replaced_…, src/main/core/backup/naming.ts), where drills and restores put their copies.
-- Statistics, sequence positions and storage (relpages, reltuples) are not definitions and are left out.
-- @param $1 excluded_schemas text[] = NULL: more schemas to leave out (NULL: none)
-- Run it in psql: podcastflow-ops sql print dr_fingerprint | psql URL
WITH ns AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl
  FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
    AND n.nspname !~ '__(restored|replaced)_'
    AND n.nspname <> ALL (coalesce($1::text[], '{}'))
),
lines AS (
  SELECT 'schemas' AS part, format('%I owner=%s acl=%s', n.nspname, pg_catalog.pg_get_userbyid(n.nspowner), n.nspacl) AS line
  FROM ns n
  UNION ALL
  SELECT 'relations', format('%I.%I kind=%s persistence=%s owner=%s acl=%s options=%s rls=%s,%s', n.nspname, c.relname, c.relkind, c.relpersistence,
                             pg_catalog.pg_get_userbyid(c.relowner), c.relacl, c.reloptions, c.relrowsecurity, c.relforcerowsecurity)
  FROM pg_catalog.pg_class c JOIN ns n ON n.oid = c.relnamespace
  UNION ALL
  SELECT 'columns', format('%I.%I.%I #%s %s notnull=%s default=%s generated=%s identity=%s collation=%s acl=%s', n.nspname, c.relname, a.attname, a.attnum,
                           pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attgenerated,
                           a.attidentity, a.attcollation::regcollation, a.attacl)
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN ns n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraints', format('%I.%I %I %s deferrable=%s,%s valid=%s', n.nspname, coalesce(c.relname, '-'), k.conname, pg_catalog.pg_get_constraintdef(k.oid),
                               k.condeferrable, k.condeferred, k.convalidated)
  FROM pg_catalog.pg_constraint k
  JOIN ns n ON n.oid = k.connamespace
  LEFT JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
  UNION ALL
  SELECT 'indexes', format('%s valid=%s', pg_catalog.pg_get_indexdef(i.indexrelid), i.indisvalid)
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
  JOIN ns n ON n.oid = c.relnamespace
  UNION ALL
  SELECT 'functions', format('%I.%I(%s) owner=%s kind=%s secdef=%s config=%s acl=%s body=%s', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid),
                             pg_catalog.pg_get_userbyid(p.proowner), p.prokind, p.prosecdef, p.proconfig, p.proacl, md5(coalesce(p.prosrc, '')))
  FROM pg_catalog.pg_proc p JOIN ns n ON n.oid = p.pronamespace
)
SELECT part,
       count(*)::int AS lines,
       encode(sha256(convert_to(string_agg(line, E'\n' ORDER BY line COLLATE "C"), 'UTF8')), 'hex') AS sha256
FROM lines
GROUP BY part
ORDER BY part;
