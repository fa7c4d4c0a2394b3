import type { z } from 'zod';
import type { TenantSettings, tenantsContract, VerifyOptions, VerifyResult } from '../../../shared/domain/tenants';
import type { ConnectionService } from '../connections/service';
import type { TaskManager } from '../tasks/tasks';
import { applyFix, findViolation } from './fix';
import { readTenantSettings, saveTenantSettings } from './settings';
import { verifyTenants } from './verify';

type FixInput = z.output<(typeof tenantsContract)['tenants.fix']['input']>;

/**
 * Tenant verification for the app: per-connection settings (<home>/tenants.json), runs as tasks, and the
 * fix of one violation of the last run. The last run of a connection is the newest tenants.verify task of
 * that connection in the task manager, so a client names a violation and never sends SQL.
 */
export class TenantsService {
  constructor(
    private readonly home: string,
    private readonly tasks: TaskManager,
    private readonly connections: ConnectionService,
  ) {}

  async settings(connectionId?: string): Promise<TenantSettings> {
    return readTenantSettings(this.home, (await this.connections.profile(connectionId)).id);
  }

  async saveSettings(connectionId: string | undefined, settings: TenantSettings): Promise<TenantSettings> {
    return saveTenantSettings(this.home, (await this.connections.profile(connectionId)).id, settings);
  }

  async verify(input: z.output<typeof VerifyOptions>): Promise<{ taskId: string }> {
    const { db, profile } = await this.connections.database(input.connectionId);
    // What the call does not say comes from the connection's saved settings.
    const saved = await readTenantSettings(this.home, profile.id);
    const template = input.template ?? (saved.template || undefined);
    const platformRoles = input.platformRoles ?? saved.platformRoles;
    const pattern = input.pattern ?? profile.tenantPattern;
    const { task } = this.tasks.start({ kind: 'tenants.verify', title: `Verify tenants of ${profile.database}`, unit: 'checks', eta: false, connectionId: profile.id }, async (ctx) => {
      ctx.log(`Pattern ${input.tenants ? `(explicit list of ${input.tenants.length})` : pattern}; reference ${template ?? 'majority shape'}.`);
      const result = await verifyTenants(db, {
        pattern,
        ...(input.tenants ? { tenants: input.tenants } : {}),
        ...(template ? { template } : {}),
        platformRoles,
        signal: ctx.signal,
        onProgress: (d, t) => ctx.progress(d, t, 'checks'),
      });
      ctx.log(`${result.tenants} tenants, ${result.violations.length} violations in ${result.durationMs} ms.`);
      return result;
    });
    return { taskId: task.id };
  }

  /** The newest verification of a connection: its task id, and its result once it succeeded (a newer run wins). */
  async result(connectionId?: string): Promise<{ result: VerifyResult | null; taskId: string | null }> {
    const profile = await this.connections.profile(connectionId);
    const last = this.tasks.latest('tenants.verify', profile.id);
    return { result: (last && this.tasks.result(last.id, 'tenants.verify')) ?? null, taskId: last?.id ?? null };
  }

  async fix(input: FixInput) {
    const { db, profile } = await this.connections.database(input.connectionId);
    const { result } = await this.result(profile.id);
    return applyFix(db, profile, findViolation(result ?? undefined, input), input.confirm, this.home);
  }
}
