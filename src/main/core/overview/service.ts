import type { OverviewFacts } from '../../../shared/domain/overview';
import type { ConnectionService } from '../connections/service';
import { overviewFacts } from './overview';

/** The Overview page's facts of a connection (the given one, or the active one). */
export class OverviewService {
  constructor(private readonly connections: ConnectionService) {}

  async get(connectionId?: string): Promise<OverviewFacts> {
    const { db, profile } = await this.connections.database(connectionId);
    return overviewFacts(db, profile.id, profile.tenantPattern);
  }
}
