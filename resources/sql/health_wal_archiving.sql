-- Health check "wal_archiving", and the archiver part of `pitr status`: WAL archiving of this server,
-- pg_stat_archiver (archived and failed counts, the last of each) and the settings that decide the RPO
-- (archive_mode, archive_timeout). archive_command itself is not returned (it may carry options or keys);
-- only whether it pushes to pgBackRest. current_wal is NULL on a standby (no WAL of its own is written).
-- ready_count: segments waiting for archive_command (pg_wal/archive_status/*.ready), NULL for a role
-- that may not list that folder (it needs pg_monitor or superuser).
-- Run it in psql: podcastflow-ops sql print health_wal_archiving | psql URL
SELECT current_setting('archive_mode') AS archive_mode,
       extract(epoch FROM current_setting('archive_timeout')::interval)::int AS archive_timeout_sec,
       current_setting('archive_command') ~ 'pgbackrest.*archive-push' AS pushes_to_pgbackrest,
       a.archived_count::bigint AS archived_count,
       a.last_archived_wal,
       a.last_archived_time,
       extract(epoch FROM now() - a.last_archived_time)::numeric(12, 1)::float8 AS last_archived_age_sec,
       a.failed_count::bigint AS failed_count,
       a.last_failed_wal,
       a.last_failed_time,
       CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END AS current_wal,
       CASE WHEN pg_has_role('pg_monitor', 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
            THEN (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready')::int END AS ready_count
  FROM pg_stat_archiver a;
