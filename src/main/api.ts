import { contract, isMethod, type Method } from '../shared/contract';
import type { WireError } from '../shared/errors';
import type { App } from './app';
import { OpsError, toWireError } from './core/util/errors';
import { stderrLogger } from './core/util/log';
import { appHandlers } from './handlers/app';
import { backupsHandlers } from './handlers/backups';
import { connectionsHandlers } from './handlers/connections';
import { drHandlers } from './handlers/dr';
import { healthHandlers } from './handlers/health';
import { overviewHandlers } from './handlers/overview';
import { reportsHandlers } from './handlers/reports';
import { pitrHandlers } from './handlers/pitr';
import { secretsHandlers } from './handlers/secrets';
import { tasksHandlers } from './handlers/tasks';
import { tenantsHandlers } from './handlers/tenants';
import { fleetHandlers } from './handlers/fleet';
import type { Handler, Handlers } from './handlers/types';

// Every method of the contract has exactly one handler; the type makes a missing one a compile error.
const handlers: Handlers<Method> = {
  ...appHandlers,
  ...backupsHandlers,
  ...connectionsHandlers,
  ...healthHandlers,
  ...overviewHandlers,
  ...secretsHandlers,
  ...tasksHandlers,
  ...tenantsHandlers,
  ...fleetHandlers,
  ...drHandlers,
  ...reportsHandlers,
  ...pitrHandlers,
};

export type RpcResult = { ok: true; result: unknown } | { ok: false; error: WireError };

/**
 * The one door from any host into the core: validate the input with the contract, run the
 * handler, validate the output, and turn any failure into { code, message, hint }.
 */
export async function invoke(app: App, method: string, rawInput: unknown): Promise<RpcResult> {
  try {
    if (!isMethod(method)) throw new OpsError('unknown_method', `Unknown call "${method.slice(0, 80)}".`, 'The client and the app are out of step; reload the page.');
    const spec = contract[method];
    const input = spec.input.parse(rawInput ?? {});
    const handler = handlers[method] as Handler<Method>;
    const output = await handler(input as never, app);
    const checked = spec.output.safeParse(output);
    if (!checked.success) {
      stderrLogger(`Output of ${method} does not match the contract: ${checked.error.issues[0]?.message ?? ''} at ${checked.error.issues[0]?.path.join('.') ?? ''}`);
      throw new OpsError('internal', `The app produced an invalid answer for ${method}.`, 'This is a bug; the details are in the app log.');
    }
    return { ok: true, result: checked.data };
  } catch (err) {
    return { ok: false, error: toWireError(err) };
  }
}
