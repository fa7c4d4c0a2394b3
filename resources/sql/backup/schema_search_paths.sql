-- Functions of one schema that pin a search_path (SECURITY DEFINER functions should): after a tenant is
-- restored under another schema name, a pinned path naming the old schema would point the restored copy's
-- functions at the live tenant. The restore rewrites these paths to the new name.
-- @param $1 schema text: the schema (already renamed)
-- Run it in psql: podcastflow-ops sql print backup/schema_search_paths [--param NAME=VALUE …] | psql URL
SELECT p.oid::regprocedure::text AS func, cfg
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN LATERAL unnest(p.proconfig) AS cfg
WHERE n.nspname = $1
  AND cfg LIKE 'search_path=%';
