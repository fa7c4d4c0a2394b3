import type { appContract } from '../../shared/domain/app';
import type { Handlers } from './types';

export const appHandlers: Handlers<keyof typeof appContract> = {
  'app.info': async (_input, app) => app.info(),
};
