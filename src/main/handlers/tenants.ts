import type { tenantsContract } from '../../shared/domain/tenants';
import type { Handlers } from './types';

export const tenantsHandlers: Handlers<keyof typeof tenantsContract> = {
  'tenants.verify': async (input, app) => app.tenants.verify(input),
  'tenants.settings': async (input, app) => app.tenants.settings(input.connectionId),
  'tenants.saveSettings': async (input, app) => app.tenants.saveSettings(input.connectionId, input.settings),
  'tenants.result': async (input, app) => app.tenants.result(input.connectionId),
  'tenants.fix': async (input, app) => app.tenants.fix(input),
};
