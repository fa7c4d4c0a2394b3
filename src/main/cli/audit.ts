import type { Command } from 'commander';
import type { AuditReport } from '../../shared/domain/secrets';
import type { Database } from '../core/db/database';
import { stderrLogger } from '../core/util/log';
import { EXIT } from './exit';
import { printJson, printText } from './output';
import { intOption } from './parse';

interface AuditOptions {
  path?: string;
  aws?: boolean;
  db?: string;
  dbSecret?: string;
  region?: string;
  profile?: string;
  maxAgeDays?: number;
  json?: boolean;
}

/** The database to audit and a sentence on where its credential came from. */
async function openDatabase(opts: AuditOptions): Promise<{ db: Database; source: string; warning?: string }> {
  const [{ ambientCredential, describeTarget, parseUrl }, { Database }] = await Promise.all([import('../core/db/connection'), import('../core/db/database')]);
  if (opts.db) {
    const { target, password } = parseUrl(opts.db);
    const cred = password ? { password, source: 'url' as const } : await ambientCredential(target);
    return { db: new Database(target, cred), source: `${describeTarget(target)}, password from ${cred.source === 'url' ? 'the URL' : cred.source}` };
  }
  const ref = { id: opts.dbSecret!, ...(opts.region ? { region: opts.region } : {}), ...(opts.profile ? { profile: opts.profile } : {}) };
  const [{ SecretCredentialCache }, { environmentCredential }, { OpsError }] = await Promise.all([
    import('../core/secrets/credentials'),
    import('../core/connections/service'),
    import('../core/util/errors'),
  ]);
  try {
    const r = await new SecretCredentialCache().resolve(ref);
    return { db: new Database(r.target, { ...(r.password !== undefined ? { password: r.password } : {}), source: 'secrets-manager' }), source: r.detail };
  } catch (err) {
    if (!(err as { transient?: boolean }).transient) throw err;
    // No profile to remember a target: PG* variables over libpq's defaults.
    const env = await environmentCredential({ host: 'localhost', port: 5432, database: process.env.PGUSER || 'postgres', user: process.env.PGUSER || 'postgres', sslmode: 'prefer' });
    if (!env) throw new OpsError('no_credential', `${(err as Error).message} No DATABASE_URL or PG* password to fall back on.`, 'Restore access to Secrets Manager, or set DATABASE_URL.');
    return { db: new Database(env.target, { ...(env.password !== undefined ? { password: env.password } : {}), source: 'environment' }), source: `environment (${env.from}): Secrets Manager unreachable`, warning: (err as Error).message };
  }
}

function printHuman(report: AuditReport, source?: string): void {
  const s = report.summary;
  if (source) printText(`database credential: ${source}`);
  for (const f of report.findings) {
    const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : (f.secretId ?? '');
    printText(`${f.severity.toUpperCase().padEnd(8)} ${f.category.padEnd(8)} ${f.rule.padEnd(28)} ${where}  ${f.message}${f.masked ? ` [${f.masked}]` : ''}`);
  }
  for (const k of s.skipped) printText(`SKIPPED  ${k.category.padEnd(8)} ${k.reason}`);
  printText(
    `${s.total} finding(s): ${s.bySeverity.critical} critical, ${s.bySeverity.high} high, ${s.bySeverity.medium} medium, ${s.bySeverity.low} low` +
      ` · ${s.filesScanned} files scanned, ${s.secretsChecked} secrets checked, ${s.suppressed} suppressed (baseline, .gitleaksignore, gitleaks:allow) · ${report.durationMs} ms`,
  );
}

export function registerAudit(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const audit = program.command('audit').description('audits');
  audit
    .command('secrets')
    .description('secrets audit: code and .env files under --path, AWS Secrets Manager (--aws), a database\'s credential posture (--db / --db-secret). Exit 2 for critical/high findings, 1 for medium/low, 0 for none, 3 when nothing could run')
    .option('--path <dir>', 'project folder to scan (respects .gitignore; skips node_modules, vendor, binaries, files over 1 MiB)')
    .option('--aws', 'audit every Secrets Manager secret (rotation, age, use, KMS key)')
    .option('--db <url>', 'audit this database (libpq URL; password from the URL, PGPASSWORD or ~/.pgpass)')
    .option('--db-secret <id>', 'audit the database whose credential is this Secrets Manager secret')
    .option('--region <region>', 'AWS region (default: the SDK chain)')
    .option('--profile <name>', 'AWS profile (default: the SDK chain)')
    .option('--max-age-days <n>', 'rotation / last-use limit for --aws (default 90)', intOption(1, 3650))
    .option('--json', 'print one JSON document on stdout')
    .action((opts: AuditOptions) =>
      run(async () => {
        if (!opts.path && !opts.aws && !opts.db && !opts.dbSecret) {
          process.stderr.write('error: nothing to audit.\nhint: give --path DIR, --aws, --db URL or --db-secret ID (any combination).\n');
          return EXIT.usage;
        }
        const [{ runAudit }, { exitCodeFor }] = await Promise.all([import('../core/secrets/audit'), import('../core/secrets/findings')]);
        const opened = opts.db || opts.dbSecret ? await openDatabase(opts) : undefined;
        if (opened?.warning) stderrLogger(`warning: ${opened.warning}`);
        try {
          const report = await runAudit(
            {
              ...(opts.path ? { path: opts.path } : {}),
              ...(opts.aws ? { aws: { region: opts.region, profile: opts.profile, ...(opts.maxAgeDays ? { maxAgeDays: opts.maxAgeDays } : {}) } } : {}),
              ...(opened ? { db: opened.db } : {}),
            },
            { log: (m) => stderrLogger(m) },
          );
          if (opts.json) printJson({ ...report, ...(opened ? { credentialSource: opened.source } : {}) });
          else printHuman(report, opened?.source);
          // Everything asked for was skipped: we know nothing, which is not "ok".
          const asked = [opts.aws, opened].filter(Boolean).length + (opts.path ? 1 : 0);
          if (report.findings.length === 0 && report.summary.skipped.length >= asked) return EXIT.unknown;
          return exitCodeFor(report);
        } finally {
          await opened?.db.close();
        }
      }),
    );
}
