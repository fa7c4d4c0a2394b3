import type { overviewContract } from '../../shared/domain/overview';
import type { Handlers } from './types';

export const overviewHandlers: Handlers<keyof typeof overviewContract> = {
  'overview.get': async (input, app) => app.overview.get(input.connectionId),
};
