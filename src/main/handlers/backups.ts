import type { backupsContract } from '../../shared/domain/backups';
import { restoredDatabaseName, sideSchemaName } from '../core/backup/naming';
import type { Handlers } from './types';

export const backupsHandlers: Handlers<keyof typeof backupsContract> = {
  'backups.settings': async (input, app) => app.backups.view(input.connectionId),
  'backups.configure': async (input, app) => {
    await app.backups.configure(input);
    return app.backups.view();
  },
  'backups.generateKey': async (_input, app) => app.backups.generateKey(),
  'backups.list': async (input, app) => app.backups.list(input),
  'backups.lastByTenant': async (input, app) => app.backups.lastByTenant(input.connectionId),
  'backups.run': async (input, app) => {
    const { taskId } = await app.backups.run(input.scope, input.tenant, input.connectionId);
    return { taskId };
  },
  'backups.restore': async (input, app) => app.backups.restore(input),
  'backups.verify': async (input, app) => app.backups.verify(input),
  'backups.retention': async (input, app) => app.backups.retention(input.dryRun),
  'backups.restoreNames': async (input) => ({ ...(input.tenant ? { sideSchema: sideSchemaName(input.tenant) } : {}), ...(input.database ? { database: restoredDatabaseName(input.database) } : {}) }),
  'backups.restoredCopies': async (input, app) => ({ copies: await app.backups.restoredCopies(input.connectionId) }),
  'backups.dropRestoredCopy': async (input, app) => app.backups.dropRestoredCopy(input),
};
