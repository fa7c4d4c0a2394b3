import type { tenantsContract, VerifyResult } from '../../shared/domain/tenants';
import type { App } from '../app';
import { applyFix, findViolation } from '../core/tenants/fix';
import { readTenantSettings, saveTenantSettings } from '../core/tenants/settings';
import { verifyTenants } from '../core/tenants/verify';
import type { Handlers } from './types';

interface Last {
  result?: VerifyResult;
  taskId: string;
}

// The last verification per connection, per App: the fix call looks violations up here, so a client
// names a violation and never sends SQL.
const lastRuns = new WeakMap<App, Map<string, Last>>();

function runs(app: App): Map<string, Last> {
  let m = lastRuns.get(app);
  if (!m) lastRuns.set(app, (m = new Map()));
  return m;
}

export const tenantsHandlers: Handlers<keyof typeof tenantsContract> = {
  'tenants.verify': async (input, app) => {
    const { db, profile } = await app.connections.database(input.connectionId);
    // What the call does not say comes from the connection's saved settings.
    const saved = await readTenantSettings(app.home, profile.id);
    const template = input.template ?? (saved.template || undefined);
    const platformRoles = input.platformRoles ?? saved.platformRoles;
    const { task, done } = app.tasks.start({ kind: 'tenants.verify', title: `Verify tenants of ${profile.database}`, unit: 'checks' }, async (ctx) => {
      ctx.log(`Pattern ${input.tenants ? `(explicit list of ${input.tenants.length})` : (input.pattern ?? profile.tenantPattern)}; reference ${template ?? 'majority shape'}.`);
      const result = await verifyTenants(db, {
        pattern: input.pattern ?? profile.tenantPattern,
        ...(input.tenants ? { tenants: input.tenants } : {}),
        ...(template ? { template } : {}),
        platformRoles,
        signal: ctx.signal,
        onProgress: (d, t) => ctx.progress(d, t, 'checks'),
      });
      ctx.log(`${result.tenants} tenants, ${result.violations.length} violations in ${result.durationMs} ms.`);
      return result;
    });
    const entry: Last = { taskId: task.id };
    runs(app).set(profile.id, entry);
    done.then((result) => {
      // A newer run of the same connection wins.
      if (runs(app).get(profile.id) === entry) entry.result = result;
    }, () => {});
    return { taskId: task.id };
  },
  'tenants.settings': async (input, app) => {
    const profile = await app.connections.profile(input.connectionId);
    return readTenantSettings(app.home, profile.id);
  },
  'tenants.saveSettings': async (input, app) => {
    const profile = await app.connections.profile(input.connectionId);
    return saveTenantSettings(app.home, profile.id, input.settings);
  },
  'tenants.result': async (input, app) => {
    const profile = await app.connections.profile(input.connectionId);
    const last = runs(app).get(profile.id);
    return { result: last?.result ?? null, taskId: last?.taskId ?? null };
  },
  'tenants.fix': async (input, app) => {
    const { db, profile } = await app.connections.database(input.connectionId);
    const violation = findViolation(runs(app).get(profile.id)?.result, input);
    return applyFix(db, profile, violation, input.confirm, app.home);
  },
};
