import type { pitrContract } from '../../shared/domain/pitr';
import type { Handlers } from './types';

export const pitrHandlers: Handlers<keyof typeof pitrContract> = {
  'pitr.status': async (input, app) => app.pitr.status(input.connectionId),
  'pitr.configure': async (input, app) => app.pitr.configure(input.connectionId, input.config),
  'pitr.restore': async (input, app) => app.pitr.restore(input),
  'pitr.tenants': async (input, app) => app.pitr.tenants(input),
  'pitr.demo': async (input, app) => app.pitr.setDemo(input.enabled),
};
