-- DR evidence, baseline and persistence hunt: event triggers (they fire on every DDL command of the
-- database, e.g. to re-create a dropped backdoor) with the function each runs.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_event_triggers | psql URL
SELECT e.evtname AS name,
       e.evtevent AS event,
       e.evtenabled AS enabled,
       pg_catalog.pg_get_userbyid(e.evtowner) AS owner,
       e.evtfoid::regprocedure::text AS function,
       e.evttags AS tags
FROM pg_catalog.pg_event_trigger e
ORDER BY e.evtname;
