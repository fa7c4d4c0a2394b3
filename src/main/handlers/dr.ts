import type { drContract } from '../../shared/domain/dr';
import type { Handlers } from './types';

export const drHandlers: Handlers<keyof typeof drContract> = {
  'dr.scenarios': async (_input, app) => app.dr.scenarios(),
  'dr.readiness': async (input, app) => app.dr.readiness(input.connectionId),
  'dr.runs': async (input, app) => app.dr.list(input),
  'dr.run': async (input, app) => app.dr.run(input.runId),
  'dr.start': async (input, app) => app.dr.start(input),
  'dr.next': async (input, app) => app.dr.next(input),
  'dr.cancel': async (input, app) => app.dr.cancel(input),
  'dr.drill': async (input, app) => app.dr.startDrill(input),
  'dr.drills': async (input, app) => ({ drills: await app.dr.drills(input.scenario) }),
  'dr.baseline': async (input, app) => app.dr.recordBaseline(input.connectionId),
};
