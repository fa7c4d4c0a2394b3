-- The tables of one schema a deletion drill may delete rows from: ordinary tables with a primary key that
-- no foreign key references (deleting from them never cascades nor fails), largest first by the planner's
-- estimate (only an ordering: the drill counts exactly afterwards).
-- @param $1 schema text: the drill's scratch copy of the tenant
-- Run it in psql: podcastflow-ops sql print dr/drill_leaf_tables --param schema=org_x | psql URL
SELECT c.relname AS table
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1
  AND c.relkind = 'r'
  AND EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.confrelid = c.oid AND f.contype = 'f')
ORDER BY c.reltuples DESC, c.relname;
