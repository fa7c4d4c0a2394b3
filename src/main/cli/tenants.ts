import type { Command } from 'commander';
import type { VerifyResult } from '../../shared/domain/tenants';
import { summarizeForHealth } from '../core/tenants/summary';
import { EXIT, type ExitCode } from './exit';
import { printJson, printText } from './output';
import { DEFAULT_TENANT_PATTERN } from '../../shared/words';

const list = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

interface VerifyFlags {
  db: string;
  pattern?: string;
  tenant?: string[];
  template?: string;
  platformRole?: string[];
  keyColumn?: string[];
  showFix?: boolean;
  json?: boolean;
}

export function registerTenants(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const tenants = program.command('tenants').description('tenant schemas: isolation and drift');
  tenants
    .command('verify')
    .description('verify isolation and drift across every tenant schema; exit code by worst severity (0 none, 1 warn, 2 critical, 3 error)')
    .requiredOption('--db <url>', 'postgres://user@host:port/database (password from the URL, PGPASSWORD or ~/.pgpass)')
    .option('--pattern <like>', "tenant schemas, a LIKE pattern", DEFAULT_TENANT_PATTERN)
    .option('--tenant <schema>', 'verify these tenants instead of the pattern (repeatable, or comma-separated)', list)
    .option('--template <schema>', 'reference schema (default: the majority shape of the tenants)')
    .option('--platform-role <role>', 'a role allowed privileges across tenants (repeatable, or comma-separated)', list)
    .option('--key-column <name>', 'tenant key column of shared tables (default organization_id, org_id, tenant_id)', list)
    .option('--show-fix', 'print the fix SQL under each violation (text output)')
    .option('--json', 'print one JSON document: { tenants, reference, durationMs, violations, ... }')
    .action((opts: VerifyFlags) =>
      run(async () => {
        const [{ databaseFromUrl }, { verifyTenants }] = await Promise.all([import('../core/db/database'), import('../core/tenants/verify')]);
        const db = await databaseFromUrl(opts.db);
        // Ctrl-C cancels the running catalog queries on the server, not just the client.
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        try {
          const result = await verifyTenants(db, {
            pattern: opts.pattern ?? DEFAULT_TENANT_PATTERN,
            ...(opts.tenant ? { tenants: opts.tenant } : {}),
            ...(opts.template ? { template: opts.template } : {}),
            ...(opts.platformRole ? { platformRoles: opts.platformRole } : {}),
            ...(opts.keyColumn ? { tenantKeyColumns: opts.keyColumn } : {}),
            signal: controller.signal,
          });
          if (opts.json) {
            const { tenantStats: _omitted, ...rest } = result;
            printJson(rest);
          } else printText(formatText(result, Boolean(opts.showFix)));
          return exitCode(result);
        } finally {
          process.off('SIGINT', onSignal);
          await db.close();
        }
      }),
    );
}

export function exitCode(result: VerifyResult): ExitCode {
  const status = summarizeForHealth(result).status;
  return status === 'fail' ? EXIT.critical : status === 'warn' ? EXIT.warning : EXIT.ok;
}

const MAX_TEXT_VIOLATIONS = 500;

function formatText(result: VerifyResult, showFix: boolean): string {
  const lines = [
    `${summarizeForHealth(result).summary} (reference: ${result.reference.mode === 'template' ? `template ${result.reference.template}` : 'majority shape'}; ${result.durationMs} ms)`,
  ];
  for (const v of result.violations.slice(0, MAX_TEXT_VIOLATIONS)) {
    lines.push(`${v.severity.toUpperCase().padEnd(8)} ${v.kind.padEnd(28)} ${JSON.stringify(v.tenant ?? '(shared)')}  ${v.object ?? ''}`);
    lines.push(`         ${v.detail}`);
    if (showFix && v.fixSql) lines.push(`         fix: ${v.fixSql}`);
  }
  if (result.violations.length > MAX_TEXT_VIOLATIONS) lines.push(`… ${result.violations.length - MAX_TEXT_VIOLATIONS} more (use --json for all).`);
  if (result.isolationFunction) {
    const f = result.isolationFunction;
    lines.push(`${f.name}(): ${f.ok === true ? 'passes' : f.ok === false ? 'FAILS' : f.error ? 'error' : 'see rows'}${f.rows.length ? ` — ${JSON.stringify(f.rows.slice(0, 5))}` : ''}`);
  }
  for (const n of result.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
