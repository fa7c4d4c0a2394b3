import { CHECKS } from '../../tenants/checks';
import { summarizeForHealth } from '../../tenants/summary';
import { verifyTenants } from '../../tenants/verify';
import type { CheckDef } from '../types';

/**
 * The summary of the tenant verification (Tenants section): the same set-based run, its violations as
 * findings. Its SQL is the verifier's (resources/sql/tenants_*.sql).
 */
export const tenantIsolation: CheckDef = {
  id: 'tenant_isolation',
  title: 'Tenant isolation',
  heavy: true,
  sql: ['tenants_list', ...CHECKS.map((c) => c.file)],
  async run(ctx) {
    return summarizeForHealth(await verifyTenants(ctx.db, { pattern: ctx.tenantPattern, ...(ctx.signal ? { signal: ctx.signal } : {}) }));
  },
};
