-- The tenant picker of "Restore tenant to a point in time": tenant schemas (the pattern, never a restored
-- copy) whose name contains the search text, in name order, one page. A tenant dropped since is not here:
-- type its name in full instead (the restore looks it up in the copy, as of the target).
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 search text = '': part of the name (case-insensitive, taken literally)
-- @param $3 lim int = 50: page size
-- Run it in psql: podcastflow-ops sql print pitr/tenant_search [--param NAME=VALUE …] | psql URL
SELECT n.nspname AS tenant
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname LIKE $1::text
   AND n.nspname !~ '__(restored|replaced)_'
   AND strpos(lower(n.nspname), lower($2::text)) > 0
 ORDER BY n.nspname
 LIMIT $3::int;
