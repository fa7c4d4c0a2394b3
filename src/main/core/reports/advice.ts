import type { CheckId } from '../../../shared/domain/health';

/** What to do when a check warns or fails: one recommendation per check, as docs/health.md explains it. */
export const RECOMMENDATIONS: Record<CheckId, string> = {
  connectivity: 'Check the server, the network path and the connection limits; every other check depends on this one.',
  cache_hit_ratio: 'Raise shared_buffers or memory, or find the queries reading cold data (slow_queries, seq_scan_heavy).',
  table_bloat: 'VACUUM the listed tables (pg_repack or VACUUM FULL in a window for the worst) and check autovacuum settings on them.',
  index_bloat: 'REINDEX CONCURRENTLY the listed indexes.',
  unused_indexes: 'Confirm on replicas and over a full business cycle, then DROP INDEX CONCURRENTLY the unused ones.',
  duplicate_indexes: 'Drop the redundant index (the prefix one) with DROP INDEX CONCURRENTLY.',
  invalid_indexes: 'Drop the invalid index and rebuild it (fix the duplicates first for a unique index).',
  seq_scan_heavy: 'Add an index for the filtering columns of the queries scanning these tables.',
  slow_queries: 'EXPLAIN (ANALYZE, BUFFERS) the top statements; add indexes or rewrite them.',
  connections: 'Use a connection pooler (PgBouncer) or raise max_connections with the memory to match.',
  long_running: 'End or fix the long transactions; set idle_in_transaction_session_timeout for the application roles.',
  blocked_queries: 'Find the blocking session and end it; keep transactions that take locks short.',
  sequence_overflow: 'Move the column and its sequence to bigint before it runs out.',
  xid_wraparound: 'VACUUM (FREEZE) the oldest tables now; find what holds the xmin horizon back.',
  autovacuum: 'Re-enable autovacuum on the listed tables and VACUUM ANALYZE them; tune its thresholds for big tables.',
  replication_lag: 'Check the replicas\' network and load; drop replication slots nobody consumes.',
  sizes: 'Informational: watch growth against the disk.',
  tenant_isolation: 'Fix the violations from the Tenants page (each has its SQL), critical ones first.',
  wal_archiving: 'Fix archive_command (see pg_stat_archiver.last_failed_wal and the server log) and check the pgBackRest repository; until WAL is archived, point-in-time recovery loses everything since the last archived segment.',
};
