-- Restored copies: the side schemas the console's own restores leave beside the live tenants,
-- <tenant>__restored_<stamp> (a tenant restored beside the live one) and <tenant>__replaced_<stamp> (the live
-- schema a replace swapped out). They match the tenant pattern but are never tenants (every tenant query
-- leaves them out); this is where they are listed, to be looked at and dropped.
-- comment: the origin the restore recorded with COMMENT ON SCHEMA (JSON: backup id and name, time, tenant).
-- Sizes with pg_total_relation_size (heap, indexes, TOAST) of the copy's tables only: nobody else uses them.
-- @param $1 schema text = NULL: one restored copy, or NULL for all
-- Run it in psql: podcastflow-ops sql print backup/restored_copies [--param NAME=VALUE …] | psql URL
SELECT n.nspname AS schema,
       (regexp_match(n.nspname, '__(restored|replaced)_'))[1] AS kind,
       substring(n.nspname FROM '^(.*?)__(?:restored|replaced)_') AS tenant,
       EXISTS (SELECT 1 FROM pg_catalog.pg_namespace l
                WHERE l.nspname = substring(n.nspname FROM '^(.*?)__(?:restored|replaced)_')) AS tenant_exists,
       pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment,
       coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)) FILTER (WHERE c.relkind IN ('r', 'p', 'm')), 0)::bigint AS bytes,
       count(c.oid) FILTER (WHERE c.relkind IN ('r', 'p'))::int AS tables
  FROM pg_catalog.pg_namespace n
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
 WHERE n.nspname ~ '__(restored|replaced)_'
   AND ($1::text IS NULL OR n.nspname = $1::text)
 GROUP BY n.oid, n.nspname, n.nspowner
 ORDER BY n.nspname;
