import type { CheckStatus, Finding } from '../../../shared/domain/health';
import type { VerifyResult } from '../../../shared/domain/tenants';

/** The shape of a health check's verdict (DESIGN §3), without id/title/duration which the caller adds. */
export interface HealthSummary {
  status: Extract<CheckStatus, 'pass' | 'warn' | 'fail'>;
  summary: string;
  /** Number of violations. */
  value: number;
  findings: Finding[];
}

const MAX_FINDINGS = 200;

/**
 * The health check `tenant_isolation` in one line: fail on any critical violation (or a failing
 * verify_tenant_isolation()), warn on any other, pass otherwise. Findings are the violations, most
 * severe first, capped so a drifted fleet of thousands does not swamp the health report.
 */
export function summarizeForHealth(result: VerifyResult): HealthSummary {
  const v = result.violations;
  const critical = v.filter((x) => x.severity === 'critical').length;
  const warn = v.filter((x) => x.severity === 'warn').length;
  const functionFailed = result.isolationFunction?.ok === false;
  const timedOut = result.checks.filter((c) => c.timedOut).map((c) => c.id);
  // A partial verification never passes: what it could not look at may hold a violation.
  const status = critical > 0 || functionFailed ? 'fail' : warn > 0 || timedOut.length > 0 ? 'warn' : 'pass';
  const tenantsHit = new Set(v.map((x) => x.tenant).filter((t) => t !== null)).size;
  const byKind = new Map<string, number>();
  for (const x of v) byKind.set(x.kind, (byKind.get(x.kind) ?? 0) + 1);
  const kinds = [...byKind.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`);

  const partial = timedOut.length > 0 ? ` Partial: ${timedOut.join(', ')} timed out.` : '';
  const summary =
    (v.length === 0
      ? `${result.tenants} tenants verified: no drift, no leak${functionFailed ? `; but ${result.isolationFunction!.name}() reports a failure` : ''}.`
      : `${v.length} violation${v.length === 1 ? '' : 's'} (${critical} critical) in ${tenantsHit} of ${result.tenants} tenants${v.some((x) => x.tenant === null) ? ' and shared schemas' : ''}: ${kinds.slice(0, 4).join(', ')}${kinds.length > 4 ? ', …' : ''}.`) + partial;

  const findings: HealthSummary['findings'] = v.slice(0, MAX_FINDINGS).map((x) => ({
    severity: x.severity,
    ...(x.object !== undefined ? { object: x.object } : {}),
    ...(x.tenant !== null ? { tenant: x.tenant } : {}),
    message: `${x.kind}: ${x.detail}`,
    data: { kind: x.kind, ...(x.fixSql ? { fixSql: x.fixSql } : {}), ...(x.fixLock ? { fixLock: x.fixLock } : {}) },
  }));
  if (v.length > MAX_FINDINGS) findings.push({ severity: 'info', message: `${v.length - MAX_FINDINGS} more violations; run "tenants verify" for all of them.` });
  if (functionFailed) findings.unshift({ severity: 'critical', object: result.isolationFunction!.name, message: `${result.isolationFunction!.name}() reports a failure.`, data: { rows: result.isolationFunction!.rows } });
  for (const note of result.notes) findings.push({ severity: 'info', message: note });
  return { status, summary, value: v.length, findings };
}
