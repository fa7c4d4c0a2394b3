-- Health check "replication_lag": replicas (pg_stat_replication), replication slots and the WAL they
-- retain, and, when this server is itself a replica, how far its replay is behind. One row per item.
SELECT 'replica' AS kind, coalesce(application_name, client_addr::text, pid::text) AS name, state,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag_bytes,
       extract(epoch FROM replay_lag)::numeric(12, 1) AS lag_sec, NULL::boolean AS active
  FROM pg_stat_replication
 WHERE NOT pg_is_in_recovery()
UNION ALL
SELECT 'slot', slot_name, slot_type, CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END,
       NULL, active
  FROM pg_replication_slots
UNION ALL
SELECT 'standby', 'this server', 'in recovery',
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::numeric(12, 1), NULL
 WHERE pg_is_in_recovery();
