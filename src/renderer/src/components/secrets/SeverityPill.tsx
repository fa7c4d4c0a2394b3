import type { AuditSeverity } from '../../../../shared/domain/secrets';

export const SEVERITIES: AuditSeverity[] = ['critical', 'high', 'medium', 'low'];

export function SeverityPill({ s }: { s: AuditSeverity }) {
  return <span className={`sev sev-${s}`}>{s}</span>;
}
