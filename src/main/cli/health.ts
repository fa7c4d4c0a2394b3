import type { Command } from 'commander';
import type { HealthReport } from '../../shared/domain/health';
import { EXIT, type ExitCode } from './exit';
import { printJson, printText } from './output';
import { intOption } from './parse';
import { DEFAULT_TENANT_PATTERN } from '../../shared/words';

interface HealthFlags {
  db: string;
  json?: boolean;
  pattern: string;
  timeout?: number;
  includeOwnQueries?: boolean;
}

/** Nagios: any failing check is critical (2), a check that could not run is unknown (3), a warning 1. */
export function exitCodeFor(report: HealthReport): ExitCode {
  const statuses = report.checks.map((c) => c.status);
  if (report.status === 'unhealthy' || statuses.includes('fail')) return EXIT.critical;
  if (statuses.includes('error')) return EXIT.unknown;
  if (statuses.includes('warn')) return EXIT.warning;
  return EXIT.ok;
}

const MARK: Record<string, string> = { pass: 'OK  ', warn: 'WARN', fail: 'FAIL', error: 'ERR ', skipped: 'SKIP' };

function printHuman(report: HealthReport): void {
  const lines = [`${report.database.name} (PostgreSQL ${report.database.serverVersion}): ${report.status.toUpperCase()} in ${report.durationMs} ms`, ''];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status]} ${c.id.padEnd(18)} ${String(Math.round(c.durationMs)).padStart(6)} ms  ${c.summary}`);
    for (const f of c.findings.filter((x) => x.severity !== 'info').slice(0, 5)) lines.push(`       ${f.severity === 'critical' ? '!!' : ' !'} ${f.object ? `${f.object}: ` : ''}${f.message}`);
    const more = c.findings.filter((x) => x.severity !== 'info').length - 5;
    if (more > 0) lines.push(`       … and ${more} more (use --json for all findings)`);
  }
  printText(lines.join('\n'));
}

export async function healthCommand(flags: HealthFlags): Promise<number> {
  // Loaded here, not at the top: the CLI loads only what the command it runs needs (fast start).
  const [{ databaseFromUrl }, { runHealth }, { DEFAULT_THRESHOLDS }] = await Promise.all([
    import('../core/db/database'),
    import('../core/health/registry'),
    import('../core/health/thresholds'),
  ]);
  const db = await databaseFromUrl(flags.db);
  const { target } = db;
  try {
    const thresholds = { ...DEFAULT_THRESHOLDS, ...(flags.timeout ? { checkTimeoutMs: flags.timeout } : {}) };
    const report = await runHealth(db, { tenantPattern: flags.pattern, thresholds, databaseName: target.database, ...(flags.includeOwnQueries ? { includeOwnQueries: true } : {}) });
    if (flags.json) printJson(report);
    else printHuman(report);
    return exitCodeFor(report);
  } finally {
    await db.close();
  }
}

export function registerHealth(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('health')
    .description('run every health check once (exit 0 ok, 1 warning, 2 critical, 3 unknown)')
    .requiredOption('--db <url>', 'postgres:// URL (password from the URL, PGPASSWORD or ~/.pgpass)')
    .option('--pattern <like>', 'tenant schema pattern (LIKE syntax)', DEFAULT_TENANT_PATTERN)
    .option('--timeout <ms>', 'statement_timeout of each check in ms (default 60000)', intOption(100, 600_000))
    .option('--include-own-queries', "rank the console's own statements in slow_queries too (left out by default)")
    .option('--json', 'print the report as one JSON document')
    .action((opts: HealthFlags) => run(() => healthCommand(opts)));
}
