import type { fleetContract } from '../../shared/domain/fleet';
import type { Handlers } from './types';

export const fleetHandlers: Handlers<keyof typeof fleetContract> = {
  'fleet.webhooks': async (_input, app) => app.fleet.webhooks(),
  'fleet.testWebhooks': async (_input, app) => app.fleet.testWebhooks(),
};
