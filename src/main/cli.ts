import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBackup } from './cli/backup';
import { registerAudit } from './cli/audit';
import { registerDemo } from './cli/demo';
import { registerDr } from './cli/dr';
import { registerReport } from './cli/report';
import { EXIT } from './cli/exit';
import { registerExport } from './cli/export';
import { registerHealth } from './cli/health';
import { registerPitr } from './cli/pitr';
import { reportError } from './cli/output';
import { registerRestores } from './cli/restores';
import { registerServe } from './cli/serve';
import { registerSql } from './cli/sql';
import { registerTenants } from './cli/tenants';

/**
 * podcastflow-ops: the headless host. Every command prints human text, or one JSON document on
 * stdout with --json; logs go to stderr; exit codes follow Nagios (64 for usage errors).
 *
 * Start-up stays cheap: registering a command loads commander and its option parsers only; each
 * command's action imports the core it needs (the AWS SDK, secretlint, fastify…) when it runs.
 */

// package.json sits two levels up both from src/main/cli.ts and from the bundle in out/cli/.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('podcastflow-ops')
  .description('Ops console for PodcastFlow Pro\'s schema-per-tenant PostgreSQL')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

let exitCode: number = EXIT.ok;
async function run(fn: () => Promise<number>): Promise<void> {
  const json = process.argv.includes('--json');
  try {
    exitCode = await fn();
  } catch (err) {
    exitCode = await reportError(err, json);
  }
}

for (const register of [registerBackup, registerAudit, registerDemo, registerServe, registerHealth, registerTenants, registerSql, registerRestores, registerDr, registerExport, registerReport, registerPitr]) {
  register(program, run);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version are not errors.
    exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    exitCode = await reportError(err, process.argv.includes('--json'));
  }
}
// stdout to a pipe is written asynchronously: exiting at once would cut a large --json report short
// (`health --json | jq` on 50 tenants lost all but the first 64 KiB). Exit once both streams are flushed.
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(exitCode);
