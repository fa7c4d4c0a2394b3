-- Close the current WAL segment so that the archiver ships it now (not at archive_timeout): a
-- point-in-time restore to "a moment ago" needs the WAL up to that moment in the repo. Needs superuser
-- or EXECUTE on pg_switch_wal; returns the segment that must be archived.
-- Run it in psql: podcastflow-ops sql print pitr/switch_wal | psql URL
SELECT pg_walfile_name(pg_switch_wal()) AS wal;
