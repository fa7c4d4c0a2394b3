import type { backupsContract } from '../../shared/domain/backups';
import type { App } from '../app';
import { BackupService } from '../core/backup/service';
import type { Handlers } from './types';

// One BackupService per App, created on first use (its schedule starts then).
const services = new WeakMap<App, BackupService>();
async function service(app: App): Promise<BackupService> {
  let s = services.get(app);
  if (!s) {
    s = new BackupService(app.home, app.tasks, app.connections);
    services.set(app, s);
    s.startSchedule(await s.settings());
  }
  return s;
}

export const backupsHandlers: Handlers<keyof typeof backupsContract> = {
  'backups.settings': async (input, app) => (await service(app)).view(input.connectionId),
  'backups.configure': async (input, app) => {
    const s = await service(app);
    await s.configure(input);
    return s.view();
  },
  'backups.generateKey': async (_input, app) => (await service(app)).generateKey(),
  'backups.list': async (input, app) => (await service(app)).list(input),
  'backups.run': async (input, app) => {
    const { taskId } = await (await service(app)).run(input.scope, input.tenant, input.connectionId);
    return { taskId };
  },
  'backups.restore': async (input, app) => (await service(app)).restore(input),
  'backups.verify': async (input, app) => (await service(app)).verify(input),
  'backups.retention': async (input, app) => (await service(app)).retention(input.dryRun),
};
