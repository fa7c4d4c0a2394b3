import { CHECKS } from '../../tenants/checks';
import { summarizeForHealth } from '../../tenants/summary';
import { verifyTenants } from '../../tenants/verify';
import type { CheckDef } from '../types';

/**
 * The summary of the tenant verification (Tenants section): the same set-based run, its violations as
 * findings. Its SQL is the verifier's (resources/sql/tenants_*.sql).
 */
export const tenantIsolation: CheckDef = {
  id: 'tenant_isolation', title: 'Tenant isolation', heavy: true,
  docs: 'summary of the tenant verification (the same run as the Tenants section and `tenants verify`): fails on any critical violation',
  // Parameters: the tenant verifier's ($1 pattern, $2 tenant list, $3 template, …; src/main/core/tenants/checks.ts).
  sql: ['tenants_list', ...CHECKS.map((c) => c.file)].map((file) => ({ file })),
  thresholds: {},
  async run(ctx) {
    return summarizeForHealth(await verifyTenants(ctx.db, { pattern: ctx.tenantPattern, timeoutMs: ctx.t.checkTimeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) }));
  },
};
