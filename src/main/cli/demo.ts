import type { Command } from 'commander';
import { join } from 'node:path';
import { startDemo } from '../core/demo/cluster';
import { stderrLogger } from '../core/util/log';
import { appHome } from '../core/util/paths';
import { EXIT } from './exit';
import { printJson, printText } from './output';
import { intOption } from './parse';
import { untilSignal } from './signals';

export function registerDemo(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const demo = program.command('demo').description('the embedded demo database');
  demo
    .command('up')
    .description('start the embedded demo database (seeding it on first run) and keep it up until SIGINT/SIGTERM')
    .option('--tenants <n>', 'tenant schemas to seed (first run or --fresh)', intOption(1, 10_000))
    .option('--port <p>', 'port to listen on (default 54329, or the next free one)', intOption(1, 65_535))
    .option('--data <dir>', 'app data directory (default $PODCASTFLOW_OPS_HOME)')
    .option('--fresh', 'wipe the demo database and seed it again')
    .option('--json', 'print {"url": ...} on stdout')
    .action((opts: { tenants?: number; port?: number; data?: string; fresh?: boolean; json?: boolean }) =>
      run(async () => {
        const handle = await startDemo({
          dataDir: join(appHome(opts.data), 'demo'),
          ...(opts.tenants ? { tenants: opts.tenants } : {}),
          ...(opts.port ? { port: opts.port } : {}),
          fresh: Boolean(opts.fresh),
          log: stderrLogger,
        });
        if (opts.json) printJson({ url: handle.url, port: handle.port, tenants: handle.tenants });
        else {
          // The URL carries the demo's password on purpose: it is the one way in for psql.
          process.stdout.write(`${handle.url}\n`);
          printText(`Demo database up: ${handle.tenants} tenants on port ${handle.port}. Ctrl-C stops it.`);
        }
        const signal = await untilSignal();
        stderrLogger(`${signal}: stopping the demo database…`);
        await handle.stop();
        stderrLogger('Demo database stopped.');
        return EXIT.ok;
      }),
    );
}
