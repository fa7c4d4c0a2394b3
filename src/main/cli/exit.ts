/** Nagios exit codes (DESIGN §2), plus 64 for a usage error. */
export const EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3, usage: 64 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
