-- Who may change the data of one tenant schema: every write privilege on its tables, views, foreign tables
-- and sequences (and column-level INSERT/UPDATE), one row per (role, object, column), with whether a freeze
-- takes it. The freeze (src/main/core/dr/actions/freeze.ts) revokes the rows whose `kept` is NULL, runs this
-- again in the same transaction to prove none is left, and records them so a thaw grants back exactly those.
--   role:       the grantee; 'public' is the PUBLIC pseudo-role (no role can be named public)
--   object:     table | sequence | column ('table' also covers views and foreign tables: GRANT ON TABLE)
--   privileges: the write privileges held (tables: INSERT UPDATE DELETE TRUNCATE; sequences: USAGE UPDATE,
--               which nextval/setval need; columns: INSERT UPDATE); `grantable` those WITH GRANT OPTION
--   kept:       why a freeze leaves it: superuser (privilege checks do not apply), owner (of the schema or
--               the table, left unless named in $2: an owner can grant itself back), not named (outside
--               $2); NULL: the freeze takes it. PUBLIC is always taken: a freeze that leaves it is none.
-- A NULL relacl means the owner's default privileges (acldefault).
-- @param $1 tenant text: the tenant schema
-- @param $2 roles text[] = NULL: the roles to freeze (NULL: every role holding a write privilege but owners and superusers)
-- Run it in psql: podcastflow-ops sql print dr_write_grants --param tenant=org_acme | psql URL
WITH s AS (
  SELECT n.oid, n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = $1::text
),
rels AS (
  SELECT c.oid, c.relname, c.relkind, c.relowner, s.nspowner,
         CASE WHEN c.relkind = 'S' THEN ARRAY['USAGE', 'UPDATE'] ELSE ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] END AS writes,
         coalesce(c.relacl, pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS acl
  FROM pg_catalog.pg_class c
  JOIN s ON s.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'f', 'S')
),
grants AS (
  SELECT CASE WHEN r.relkind = 'S' THEN 'sequence' ELSE 'table' END AS object, r.relname, NULL::name AS col,
         r.relowner, r.nspowner, a.grantee, a.privilege_type, a.is_grantable
  FROM rels r
  CROSS JOIN LATERAL pg_catalog.aclexplode(r.acl) a
  WHERE a.privilege_type = ANY (r.writes)
  UNION ALL
  SELECT 'column', r.relname, att.attname, r.relowner, r.nspowner, a.grantee, a.privilege_type, a.is_grantable
  FROM rels r
  JOIN pg_catalog.pg_attribute att ON att.attrelid = r.oid AND att.attnum > 0 AND NOT att.attisdropped AND att.attacl IS NOT NULL
  CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) a
  WHERE r.relkind <> 'S' AND a.privilege_type IN ('INSERT', 'UPDATE')
),
-- one row per privilege held (several grantors may have granted the same one)
held AS (
  SELECT object, relname, col, relowner, nspowner, grantee, privilege_type, bool_or(is_grantable) AS grantable
  FROM grants
  GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT CASE WHEN h.grantee = 0 THEN 'public' ELSE rol.rolname::text END AS role,
       h.object,
       h.relname::text AS table,
       h.col::text AS column,
       array_agg(h.privilege_type ORDER BY array_position(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'USAGE'], h.privilege_type)) AS privileges,
       coalesce(array_agg(h.privilege_type ORDER BY array_position(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'USAGE'], h.privilege_type)) FILTER (WHERE h.grantable), '{}') AS grantable,
       CASE WHEN h.grantee = 0 THEN NULL
            WHEN rol.rolsuper THEN 'superuser'
            WHEN $2::text[] IS NOT NULL THEN CASE WHEN rol.rolname = ANY ($2::text[]) THEN NULL ELSE 'not named' END
            WHEN h.grantee IN (h.relowner, h.nspowner) THEN 'owner'
       END AS kept
FROM held h
LEFT JOIN pg_catalog.pg_roles rol ON rol.oid = h.grantee
GROUP BY h.grantee, rol.rolname, rol.rolsuper, h.relowner, h.nspowner, h.object, h.relname, h.col
ORDER BY 3, 4 NULLS FIRST, 2, 1;
