import type { healthContract } from '../../shared/domain/health';
import type { Handlers } from './types';

export const healthHandlers: Handlers<keyof typeof healthContract> = {
  'health.run': async (input, app) => app.health.runFor(input.connectionId),
  'health.summary': async (input, app) => app.health.summaryOf(input.connectionId),
  'health.findings': async (input, app) => app.health.findingsOf(input),
  'health.history': async (input, app) => app.health.historyOf(input),
  'health.sql': async (input, app) => app.health.sqlOf(input.checkId),
  'health.thresholds.get': async (input, app) => app.health.thresholdsOf(input.connectionId),
  'health.thresholds.save': async (input, app) => app.health.saveThresholds(input.connectionId, input.thresholds),
  'health.exactBloat': async (input, app) => app.health.exactBloatFor(input.connectionId, input.object),
};
