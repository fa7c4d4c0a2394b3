import type { OverviewFacts } from '../../../shared/domain/overview';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';

interface Row {
  database: string;
  server_version: string;
  server_version_num: number;
  started_at: Date;
  uptime_sec: number;
  database_bytes: number;
  tenant_count: number;
  max_connections: number;
  connections_by_state: Record<string, number>;
}

/** Live facts for the Overview page: one read-only query. */
export async function overviewFacts(db: Database, connectionId: string, tenantPattern: string): Promise<OverviewFacts> {
  const { rows } = await db.query<Row>(loadSql('overview'), [tenantPattern], { timeoutMs: 10_000 });
  const r = rows[0]!;
  return {
    connectionId,
    database: r.database,
    serverVersion: r.server_version,
    serverVersionNum: r.server_version_num,
    startedAt: r.started_at.toISOString(),
    uptimeSec: r.uptime_sec,
    databaseBytes: r.database_bytes,
    tenantCount: r.tenant_count,
    tenantPattern,
    maxConnections: r.max_connections,
    connectionsByState: r.connections_by_state,
    sampledAt: new Date().toISOString(),
  };
}
