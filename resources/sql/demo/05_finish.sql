-- PodcastFlow Pro demo seed, step 5 of 5: drop the seed's helper functions. Run after everything else
-- (and after ANALYZE), so the seeded database holds only what PodcastFlow Pro itself would have.
--   psql "$URL" -v ON_ERROR_STOP=1 -f 05_finish.sql

DROP SCHEMA IF EXISTS podcastflow_seed CASCADE;
