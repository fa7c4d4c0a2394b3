-- Health check "xid_wraparound": transaction ID age of every database and the oldest tables of this one,
-- against the 2^31 wraparound horizon (and autovacuum_freeze_max_age, when anti-wraparound vacuums start).
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 top int = 10: how many of the oldest tables
-- Run it in psql: podcastflow-ops sql print health_xid_wraparound [--param NAME=VALUE …] | psql URL
SELECT 'database' AS kind, datname AS schema, NULL::text AS name, NULL::text AS tenant,
       age(datfrozenxid)::bigint AS xid_age, mxid_age(datminmxid)::bigint AS mxid_age,
       current_setting('autovacuum_freeze_max_age')::bigint AS freeze_max_age
  FROM pg_database WHERE datallowconn
UNION ALL
(SELECT 'table', n.nspname, c.relname, CASE WHEN n.nspname LIKE $1 AND n.nspname !~ '__(restored|replaced)_' THEN n.nspname END,
        age(c.relfrozenxid)::bigint, mxid_age(c.relminmxid)::bigint,
        current_setting('autovacuum_freeze_max_age')::bigint
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm', 't') AND c.relfrozenxid <> '0'
  ORDER BY age(c.relfrozenxid) DESC
  LIMIT $2);
