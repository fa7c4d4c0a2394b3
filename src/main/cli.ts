import { Command, CommanderError } from 'commander';
import { registerBackup } from './cli/backup';
import { registerAudit } from './cli/audit';
import { registerDemo } from './cli/demo';
import { EXIT } from './cli/exit';
import { registerHealth } from './cli/health';
import { reportError } from './cli/output';
import { registerRestores } from './cli/restores';
import { registerServe } from './cli/serve';
import { registerTenants } from './cli/tenants';

/**
 * podcastflow-ops: the headless host. Every command prints human text, or one JSON document on
 * stdout with --json; logs go to stderr; exit codes follow Nagios (64 for usage errors).
 */
const program = new Command('podcastflow-ops')
  .description('Ops console for PodcastFlow Pro\'s schema-per-tenant PostgreSQL')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

let exitCode: number = EXIT.ok;
async function run(fn: () => Promise<number>): Promise<void> {
  const json = process.argv.includes('--json');
  try {
    exitCode = await fn();
  } catch (err) {
    exitCode = reportError(err, json);
  }
}

registerBackup(program, run);
registerAudit(program, run);
registerDemo(program, run);
registerServe(program, run);
registerHealth(program, run);
registerTenants(program, run);
registerRestores(program, run);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version are not errors.
    exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    exitCode = reportError(err, process.argv.includes('--json'));
  }
}
process.exit(exitCode);
