import type { Command } from 'commander';
import { join } from 'node:path';
import { stderrLogger } from '../core/util/log';
import { appHome } from '../core/util/paths';
import { EXIT } from './exit';
import { printJson, printText } from './output';
import { intOption } from './parse';
import { untilSignal } from './signals';

type Run = (fn: () => Promise<number>) => Promise<void>;

export function registerDemo(program: Command, run: Run): void {
  const demo = program.command('demo').description('the embedded demo database');
  demo
    .command('up')
    .description('start the embedded demo database (seeding it on first run) and keep it up until SIGINT/SIGTERM')
    .option('--tenants <n>', 'tenant schemas to seed (first run or --fresh)', intOption(1, 10_000))
    .option('--port <p>', 'port to listen on (default 54329, or the next free one)', intOption(1, 65_535))
    .option('--data <dir>', 'app data directory (default $PODCASTFLOW_OPS_HOME)')
    .option('--fresh', 'wipe the demo database and seed it again')
    .option('--pitr', 'archive WAL to a pgBackRest repo in the data directory (point-in-time recovery; needs pgbackrest)')
    .option('--json', 'print {"url": ...} on stdout')
    .action((opts: { tenants?: number; port?: number; data?: string; fresh?: boolean; pitr?: boolean; json?: boolean }) =>
      run(async () => {
        const { startDemo } = await import('../core/demo/cluster');
        const home = appHome(opts.data);
        const handle = await startDemo({
          dataDir: join(home, 'demo'),
          home,
          ...(opts.tenants ? { tenants: opts.tenants } : {}),
          ...(opts.port ? { port: opts.port } : {}),
          fresh: Boolean(opts.fresh),
          ...(opts.pitr ? { pitr: true } : {}),
          log: stderrLogger,
        });
        if (opts.json) printJson({ url: handle.url, port: handle.port, tenants: handle.tenants, ...(handle.pitr ? { pitr: { stanza: handle.pitr.stanza, config: handle.pitr.configFile } } : {}) });
        else {
          // The URL carries the demo's password on purpose: it is the one way in for psql.
          process.stdout.write(`${handle.url}\n`);
          printText(`Demo database up: ${handle.tenants} tenants on port ${handle.port}${handle.pitr ? `, WAL archived to pgBackRest (stanza ${handle.pitr.stanza}, ${handle.pitr.configFile})` : ''}. Ctrl-C stops it.`);
        }
        const outcome = await Promise.race([untilSignal().then((signal) => ({ signal })), handle.died.then((died) => ({ died }))]);
        if ('died' in outcome) {
          // Whoever watches this process (a terminal, a test, systemd) must not mistake it for a clean stop.
          stderrLogger(`error: ${outcome.died}`);
          stderrLogger('hint: the server log lines above say why; `demo up` again recovers the cluster (or --fresh recreates it).');
          return EXIT.critical;
        }
        stderrLogger(`${outcome.signal}: stopping the demo database…`);
        await handle.stop();
        stderrLogger('Demo database stopped.');
        return EXIT.ok;
      }),
    );
  demo
    .command('down')
    .description('stop the demo database of a data directory; --purge also deletes its cluster and any left by deleted data directories')
    .option('--data <dir>', 'app data directory (default $PODCASTFLOW_OPS_HOME)')
    .option('--purge', 'delete the demo cluster and metadata (the demo is seeded again on the next `demo up`)')
    .option('--json', 'print { stopped, purged, orphansRemoved } on stdout')
    .action((opts: { data?: string; purge?: boolean; json?: boolean }) =>
      run(async () => {
        const { stopDemo } = await import('../core/demo/cluster');
        const result = await stopDemo({ dataDir: join(appHome(opts.data), 'demo'), purge: Boolean(opts.purge), log: stderrLogger });
        if (opts.json) printJson(result);
        else {
          printText(result.stopped ? 'Demo database stopped.' : 'No demo database was running.');
          if (opts.purge) printText(`${result.purged ? 'Demo cluster deleted.' : 'No demo cluster to delete.'} ${result.orphansRemoved.length} orphaned cluster(s) removed.`);
        }
        return EXIT.ok;
      }),
    );
}
