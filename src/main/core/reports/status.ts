import type { ReportStatus } from '../../../shared/domain/reports';

const RANK: Record<ReportStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/** The worst of some statuses; critical outranks unknown (a known failure says more than a missing answer). */
export function worstStatus(list: readonly ReportStatus[]): ReportStatus {
  return list.reduce<ReportStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok');
}

/** The CLI's exit code for a report: Nagios (0 ok, 1 warning, 2 critical, 3 unknown). */
export function exitCodeOf(status: ReportStatus): 0 | 1 | 2 | 3 {
  return ({ ok: 0, warning: 1, critical: 2, unknown: 3 } as const)[status];
}
