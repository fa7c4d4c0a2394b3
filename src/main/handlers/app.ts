import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { appContract } from '../../shared/domain/app';
import { projectRoot } from '../core/util/paths';
import type { Handlers } from './types';

const version = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;

export const appHandlers: Handlers<keyof typeof appContract> = {
  'app.info': async (_input, app) => ({
    version,
    host: app.options.host,
    dataDir: app.home,
    demo: {
      state: app.demo.state,
      ...(app.demo.running ? { tenants: app.demo.running.tenants } : {}),
      ...(app.demo.message ? { message: app.demo.message } : {}),
    },
    passwordStorage: await app.options.vault.status(),
  }),
};
