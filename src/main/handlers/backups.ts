import type { backupsContract } from '../../shared/domain/backups';
import type { Handlers } from './types';

export const backupsHandlers: Handlers<keyof typeof backupsContract> = {
  'backups.settings': async (input, app) => app.backups.view(input.connectionId),
  'backups.configure': async (input, app) => app.backups.configure(input),
  'backups.generateKey': async (_input, app) => app.backups.generateKey(),
  'backups.list': async (input, app) => app.backups.list(input),
  'backups.lastByTenant': async (input, app) => app.backups.lastByTenant(input.connectionId),
  'backups.run': async (input, app) => app.backups.run(input.scope, input.tenant, input.connectionId),
  'backups.restore': async (input, app) => app.backups.restore(input),
  'backups.verify': async (input, app) => app.backups.verify(input),
  'backups.retention': async (input, app) => app.backups.retention(input.dryRun),
  'backups.restoreNames': async (input, app) => app.backups.restoreNames(input),
  'backups.restoredCopies': async (input, app) => app.backups.restoredCopies(input.connectionId),
  'backups.dropRestoredCopy': async (input, app) => app.backups.dropRestoredCopy(input),
};
