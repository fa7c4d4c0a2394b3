import type { connectionsContract } from '../../shared/domain/connections';
import type { Handlers } from './types';

export const connectionsHandlers: Handlers<keyof typeof connectionsContract> = {
  'connections.list': async (_input, app) => app.connections.list(),
  'connections.save': async (input, app) => app.connections.save(input),
  'connections.delete': async (input, app) => ({ deleted: await app.connections.remove(input.id, input.confirm) }),
  'connections.test': async (input, app) => app.connections.testAnswer(input.id),
  'connections.testDraft': async (input, app) => app.connections.testDraftAnswer(input),
  'connections.activate': async (input, app) => ({ activeId: await app.connections.activate(input.id) }),
};
