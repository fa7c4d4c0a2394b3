import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Report } from '../../shared/domain/reports';
import { DEFAULT_TENANT_PATTERN } from '../../shared/words';
import { s3Options, withS3 } from './backup';
import { EXIT } from './exit';
import { printJson, printText } from './output';

type Run = (fn: () => Promise<number>) => Promise<void>;
type Format = 'json' | 'html' | 'pdf';

interface Output {
  format?: Format;
  out?: string;
  dest?: string;
  paper: 'A4' | 'Letter';
  json?: boolean;
}
type S3Flags = Parameters<typeof s3Options>[0];

const SECTIONS = ['health', 'tenants', 'backups', 'dr', 'secrets'];

function sectionsOption(value: string): string[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !SECTIONS.includes(s));
  if (!list.length || bad.length) throw new InvalidArgumentError(`expected a comma-separated list of ${SECTIONS.join(', ')}${bad.length ? `; not known: ${bad.join(', ')}` : ''}.`);
  return [...new Set(list)];
}

function isoOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`expected an ISO 8601 date or timestamp with a zone, e.g. 2026-11-24T00:00:00Z; got "${value}".`);
  return value;
}

function withOutput(cmd: Command): Command {
  return withS3(
    cmd
      // Not mandatory for commander: `report` and `report diff` both take it, and a parent's mandatory option would be asked of `report diff` too.
      .addOption(new Option('--format <format>', 'json, html or pdf (required)').choices(['json', 'html', 'pdf']))
      .option('--out <file>', 'write the report to this file')
      .option('--dest <dest>', 'or write it, named report-<database>-<time>.<format>, to a folder, file:///path or s3://bucket/prefix')
      .addOption(new Option('--paper <size>', 'PDF paper size').choices(['A4', 'Letter']).default('A4'))
      .option('--json', 'also print the report model as one JSON document on stdout'),
  );
}

/** Write the rendering where asked and say where; the exit code is the report's worst status. */
async function emit(report: Report, o: Output & S3Flags, format: Format): Promise<number> {
  const [{ renderHtml }, { renderPdf }, { exitCodeOf }] = await Promise.all([import('../core/reports/html'), import('../core/reports/pdf'), import('../core/reports/status')]);
  const body = format === 'pdf' ? await renderPdf(report, o.paper) : format === 'html' ? renderHtml(report) : JSON.stringify(report, null, 2) + '\n';
  const where: string[] = [];
  if (o.out) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(o.out, body, { mode: 0o600 });
    where.push(o.out);
  }
  if (o.dest) {
    const { openDestination } = await import('../core/backup/destination');
    const dest = openDestination(o.dest, s3Options(o));
    const name = `report-${report.connection.database.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60)}-${report.generatedAt.replace(/[-:]/g, '').replace(/\.\d+/, '')}.${format}`;
    await dest.putSmall(name, body, format === 'pdf' ? 'application/pdf' : format === 'html' ? 'text/html' : 'application/json');
    where.push(dest.locate(name));
  }
  if (o.json) printJson(report);
  else printText(`${report.kind} report of ${report.connection.key}: ${report.status.toUpperCase()}${where.length ? `, written to ${where.join(' and ')}` : ''}`);
  return exitCodeOf(report.status);
}

async function readReport(file: string): Promise<Report> {
  const [{ readFile }, { parseReport }, { OpsError }] = await Promise.all([import('node:fs/promises'), import('../core/reports/store'), import('../core/util/errors')]);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new OpsError('invalid_report', `Cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}`, 'Give a report written with --format json.');
  }
  return parseReport(value, file);
}

/** A usage error (exit 64), said the way the other commands say it. */
function usage(message: string): number {
  process.stderr.write(`error: ${message}\n(run with --help for usage)\n`);
  return EXIT.usage;
}

const NO_TARGET = 'say where the report goes: --out FILE, --dest DEST, or --json.';
/** The usage error of a call without a format or a place to put the report, if any. */
const badOutput = (o: Output) => (!o.format ? "required option '--format <format>' not specified" : !o.out && !o.dest && !o.json ? NO_TARGET : undefined);


async function appVersion(): Promise<string> {
  const [{ readFile }, { join }, { projectRoot }] = await Promise.all([import('node:fs/promises'), import('node:path'), import('../core/util/paths')]);
  return (JSON.parse(await readFile(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** `report …`: exportable reports (issue 14). */
export function registerReport(program: Command, run: Run): void {
  const report = withOutput(
    program
      .command('report')
      .description('exportable report (health, tenant isolation, backups and RPO, DR readiness, secrets) as JSON, HTML or PDF; exit 0 ok, 1 warning, 2 critical, 3 unknown')
      .option('--db <url>', 'postgres:// URL (password from the URL, PGPASSWORD or ~/.pgpass)')
      .option('--pattern <like>', 'tenant schema pattern (LIKE syntax)', DEFAULT_TENANT_PATTERN)
      .option('--sections <list>', `comma-separated: ${SECTIONS.join(',')} (default: all)`, sectionsOption)
      .option('--since <iso>', 'start of the period (trends, drills); default seven days ago', isoOption)
      .option('--backups <dest>', 'the backup destination to read the catalog from (folder, file:///path or s3://bucket/prefix); without it the backups section says none is configured')
      .option('--from-saved <file>', 'render a saved JSON report again instead of running the checks (no --db needed)'),
  ).action((o: Output & S3Flags & { db?: string; pattern: string; sections?: string[]; since?: string; backups?: string; fromSaved?: string }) =>
    run(async () => {
      const bad = badOutput(o);
      if (bad) return usage(bad);
      if (o.fromSaved) return emit(await readReport(o.fromSaved), o, o.format!);
      if (!o.db) return usage('give --db URL (or --from-saved FILE).');
      const [{ databaseFromUrl }, { buildReport }, { openDestination }, version] = await Promise.all([import('../core/db/database'), import('../core/reports/build'), import('../core/backup/destination'), appVersion()]);
      const db = await databaseFromUrl(o.db);
      try {
        const built = await buildReport(
          {
            db,
            tenantPattern: o.pattern,
            appVersion: version,
            ...(o.backups ? { backups: { destination: openDestination(o.backups, s3Options(o)) } } : {}),
            onProgress: (_d, _t, what) => {
              if (what !== 'done') process.stderr.write(`${what}…\n`);
            },
          },
          { sections: (o.sections ?? SECTIONS) as never, ...(o.since ? { since: new Date(o.since) } : {}) },
        );
        if (built.sections.backups === undefined && (o.sections ?? SECTIONS).includes('backups')) process.stderr.write('No --backups destination: the report has no backups section.\n');
        return await emit(built, o, o.format!);
      } finally {
        await db.close();
      }
    }),
  );
  // Commander gives an option both `report` and `report diff` know to the parent (positional options
  // would have to be switched on for the whole program): the diff reads them from there. Declared on the
  // diff too, for its --help.
  withOutput(report.command('diff').description('what changed between two JSON reports of the same connection (checks, findings, tenants, RPO); exit code by the newer report').argument('<a>', 'the older report (JSON)').argument('<b>', 'the newer report (JSON)')).action((a: string, b: string, own: Output & S3Flags) =>
    run(async () => {
      const o = { ...own, ...(report.opts() as Output & S3Flags) };
      const bad = badOutput(o);
      if (bad) return usage(bad);
      const { diffReports } = await import('../core/reports/diff');
      return emit(diffReports(await readReport(a), await readReport(b)), o, o.format!);
    }),
  );
}
