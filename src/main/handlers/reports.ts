import type { reportsContract } from '../../shared/domain/reports';
import type { Handlers } from './types';

export const reportsHandlers: Handlers<keyof typeof reportsContract> = {
  'reports.generate': async (input, app) => app.reports.generate(input),
  'reports.list': async (input, app) => app.reports.list(input.connectionId),
  'reports.get': async (input, app) => app.reports.get(input.id),
  'reports.html': async (input, app) => app.reports.html(input.id),
  'reports.pdf': async (input, app) => app.reports.pdf(input.id, input.paper),
  'reports.delete': async (input, app) => app.reports.remove(input.id),
  'reports.diff': async (input, app) => app.reports.diff(input.from, input.to),
  'reports.incident': async (input, app) => app.reports.incident(input.connectionId, input.runId),
  'reports.settings': async (input, app) => app.reports.settings(input.connectionId),
  'reports.configure': async (input, app) => app.reports.configure(input.connectionId, input.settings),
};
