import type { healthContract } from '../../shared/domain/health';
import { checkSql } from '../core/health/registry';
import { DEFAULT_THRESHOLDS, THRESHOLD_DOCS, THRESHOLD_UNITS } from '../core/health/thresholds';
import type { App } from '../app';
import type { Handlers } from './types';

/** The connection a call is about: the given one, or the active one. */
async function connectionId(app: App, id?: string): Promise<string> {
  return (await app.connections.profile(id)).id;
}

export const healthHandlers: Handlers<keyof typeof healthContract> = {
  'health.run': async (input, app) => app.health.runTask(await connectionId(app, input.connectionId)),
  'health.summary': async (input, app) => ({ summary: await app.health.summary(await connectionId(app, input.connectionId)) }),
  'health.findings': async (input, app) => app.health.findings(await connectionId(app, input.connectionId), input),
  'health.history': async (input, app) => ({ samples: await app.health.history(await connectionId(app, input.connectionId)).read(input.hours, input.maxPoints) }),
  'health.sql': async (input) => ({ checkId: input.checkId, files: checkSql(input.checkId) }),
  'health.thresholds.get': async (input, app) => ({ thresholds: await app.health.thresholds.get(await connectionId(app, input.connectionId)), defaults: DEFAULT_THRESHOLDS, docs: THRESHOLD_DOCS, units: THRESHOLD_UNITS }),
  'health.thresholds.save': async (input, app) => ({ thresholds: await app.health.thresholds.save(await connectionId(app, input.connectionId), input.thresholds) }),
  'health.exactBloat': async (input, app) => app.health.exactBloatTask(await connectionId(app, input.connectionId), input.object),
};
