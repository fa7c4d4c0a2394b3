import { join } from 'node:path';
import { z } from 'zod';
import { TenantSettings } from '../../../shared/domain/tenants';
import { readJson, writeJsonAtomic } from '../store/files';

const File = z.record(z.string(), TenantSettings);
const DEFAULTS: TenantSettings = { template: '', platformRoles: [] };

/** Verification settings per connection id, in <home>/tenants.json (written atomically). */
export async function readTenantSettings(home: string, connectionId: string): Promise<TenantSettings> {
  const all = await readJson(join(home, 'tenants.json'), File, {});
  return all[connectionId] ?? DEFAULTS;
}

export async function saveTenantSettings(home: string, connectionId: string, settings: TenantSettings): Promise<TenantSettings> {
  const file = join(home, 'tenants.json');
  const all = await readJson(file, File, {});
  const clean: TenantSettings = { template: settings.template.trim(), platformRoles: [...new Set(settings.platformRoles.map((r) => r.trim()).filter(Boolean))] };
  await writeJsonAtomic(file, { ...all, [connectionId]: clean });
  return clean;
}
