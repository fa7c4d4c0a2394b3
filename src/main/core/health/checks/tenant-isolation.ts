import type { Finding } from '../../../../shared/domain/health';
import type { CheckDef } from '../types';
import { statusOf } from '../types';

/**
 * The summary of the tenant verification. It has no SQL of its own: the verifier (issue #4) plugs in as
 * `providers.tenantIsolationSummary`; until then the check is skipped with the reason.
 */
export const tenantIsolation: CheckDef = {
  id: 'tenant_isolation',
  title: 'Tenant isolation',
  heavy: true,
  sql: [],
  async run(ctx) {
    const provider = ctx.providers.tenantIsolationSummary;
    if (!provider) return { status: 'skipped', summary: 'Tenant verification is not part of this build yet; run it from the Tenants section when it lands.', findings: [] };
    const result = await provider(ctx.db, ctx.tenantPattern, ctx.signal);
    const findings: Finding[] = result.violations.map((v) => ({
      severity: v.severity,
      ...(v.object ? { object: v.object } : {}),
      tenant: v.tenant,
      message: `${v.kind}: ${v.detail}`,
      data: { kind: v.kind },
    }));
    return {
      status: statusOf(findings),
      summary: result.violations.length === 0 ? `${result.tenants} tenants verified: no violation.` : `${result.violations.length} violations over ${result.tenants} tenants.`,
      value: result.violations.length,
      findings,
    };
  },
};
