-- PodcastFlow Pro demo seed, step 4 of 5 -- planted problem 4: an invalid index.
--
-- Someone tried to enforce "one campaign per advertiser" with CREATE UNIQUE INDEX CONCURRENTLY on a column
-- that has duplicates. The build fails with a unique violation (the error is expected), and the index is
-- left behind, INVALID (pg_index.indisvalid = false): it costs writes and is never used by a query.
--
-- The target tenant needs more than 12 campaigns: fill_tenant cycles through 12 advertisers, so only then are
-- there duplicates (the seed picks a medium or big tenant, and fails loudly if the build succeeds).
--
-- Must run outside a transaction block. In psql (do NOT set ON_ERROR_STOP, the error is the point):
--   psql "$URL" -v schema=org_acme -f 04_invalid_index.sql
-- The seed substitutes :"schema" with the quoted schema name (the same thing psql does).

CREATE UNIQUE INDEX CONCURRENTLY campaigns_advertiser_key ON :"schema".campaigns (advertiser);
