-- The tenants whose rows a database fingerprint counts (src/main/core/dr/actions/fingerprint.ts): every
-- schema matching the tenant pattern but the console's side schemas, or exactly the listed ones.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: a schema to leave out (NULL: none)
-- Run it in psql: podcastflow-ops sql print dr_fingerprint_tenants [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
SELECT tenant::text FROM tenants ORDER BY 1;
