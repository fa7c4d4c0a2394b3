import type { secretsContract } from '../../shared/domain/secrets';
import type { Handlers } from './types';

export const secretsHandlers: Handlers<keyof typeof secretsContract> = {
  'secrets.sources': async (_input, app) => app.secrets.sources(),
  'secrets.inventory': async (input, app) => app.secrets.inventory(input),
  'secrets.audit.start': async (input, app) => app.secrets.startAudit(input),
  'secrets.audit.result': async (input, app) => app.secrets.auditResult(input.taskId),
  'secrets.suppress': async (input, app) => app.secrets.suppress(input),
  'secrets.rotate': async (input, app) => app.secrets.rotate(input),
};
