import { createHash } from 'node:crypto';
import type { AuditCategory, AuditFinding, AuditReport, AuditSeverity, AuditSummary } from '../../../shared/domain/secrets';

export const SEVERITY_ORDER: readonly AuditSeverity[] = ['low', 'medium', 'high', 'critical'];

/**
 * A finding's identity without its value: SHA-256 over rule, location and value. The value only
 * goes into the hash, so a baseline of fingerprints can live in the scanned repository safely.
 */
export function fingerprint(rule: string, location: string, value: string): string {
  return createHash('sha256').update(`${rule}\0${location}\0${value}`).digest('hex');
}

/** Enough of a value to recognise it, never enough to use it: at most 4 characters shown. */
export function mask(value: string): string {
  const v = value.trim();
  if (v.length <= 8) return '*'.repeat(Math.max(4, v.length));
  const keep = v.length >= 20 ? 2 : 1;
  return `${v.slice(0, keep)}${'*'.repeat(Math.min(12, v.length - 2 * keep))}${v.slice(-keep)}`;
}

export function worstOf(findings: readonly Pick<AuditFinding, 'severity'>[]): AuditSeverity | null {
  let worst = -1;
  for (const f of findings) worst = Math.max(worst, SEVERITY_ORDER.indexOf(f.severity));
  return worst < 0 ? null : SEVERITY_ORDER[worst]!;
}

export function summarize(findings: AuditFinding[], extra: Pick<AuditSummary, 'suppressed' | 'filesScanned' | 'secretsChecked' | 'skipped'>): AuditSummary {
  const bySeverity: Record<AuditSeverity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  const byCategory: Record<AuditCategory, number> = { code: 0, env: 0, aws: 0, database: 0 };
  for (const f of findings) {
    bySeverity[f.severity]++;
    byCategory[f.category]++;
  }
  return { total: findings.length, bySeverity, byCategory, worst: worstOf(findings), ...extra };
}

/** Worst first, then by place, so the report reads top-down. */
export function sortFindings(findings: AuditFinding[]): AuditFinding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity) ||
      a.category.localeCompare(b.category) ||
      (a.file ?? a.secretId ?? '').localeCompare(b.file ?? b.secretId ?? '') ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}

/**
 * Nagios exit code by the worst severity (README): critical/high -> 2 (critical),
 * medium/low -> 1 (warning), nothing -> 0.
 */
export function exitCodeFor(report: Pick<AuditReport, 'summary'>): 0 | 1 | 2 {
  const w = report.summary.worst;
  if (w === 'critical' || w === 'high') return 2;
  if (w === 'medium' || w === 'low') return 1;
  return 0;
}
