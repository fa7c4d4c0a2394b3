import type { overviewContract } from '../../shared/domain/overview';
import { overviewFacts } from '../core/overview/overview';
import type { Handlers } from './types';

export const overviewHandlers: Handlers<keyof typeof overviewContract> = {
  'overview.get': async (input, app) => {
    const { db, profile } = await app.connections.database(input.connectionId);
    return overviewFacts(db, profile.id, profile.tenantPattern);
  },
};
