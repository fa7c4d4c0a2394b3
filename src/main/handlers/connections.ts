import type { connectionsContract } from '../../shared/domain/connections';
import { toWireError } from '../core/util/errors';
import type { Handlers } from './types';

export const connectionsHandlers: Handlers<keyof typeof connectionsContract> = {
  'connections.list': async (_input, app) => app.connections.list(),
  'connections.save': async (input, app) => app.connections.save(input),
  'connections.delete': async (input, app) => ({ deleted: await app.connections.remove(input.id, input.confirm) }),
  // A failed test is an answer, not an error: the Settings page shows why.
  'connections.test': async (input, app) => {
    try {
      return await app.connections.test(input.id);
    } catch (err) {
      return { ok: false, error: toWireError(err) };
    }
  },
  'connections.testDraft': async (input, app) => {
    try {
      return await app.connections.testDraft(input);
    } catch (err) {
      return { ok: false, error: toWireError(err) };
    }
  },
  'connections.activate': async (input, app) => ({ activeId: await app.connections.activate(input.id) }),
};
