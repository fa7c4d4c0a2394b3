import { InvalidArgumentError, type Command } from 'commander';
import { stderrLogger } from '../core/util/log';
import { EXIT } from './exit';
import { intOption } from './parse';
import { untilSignal } from './signals';

/** --allow-host takes a DNS name or an IP address, nothing else (it goes into the Host check). */
function hostNameOption(value: string, all: string[] = []): string[] {
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(value) && !/^\[?[0-9a-f:.]+\]?$/i.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a host name or IP address (no port, no scheme), e.g. ops-bastion.internal.`);
  }
  return [...all, value];
}

export interface ServeFlags {
  port?: number;
  bind?: string;
  allowHost?: string[];
  demo?: boolean;
  data?: string;
  tenants?: number;
  demoPort?: number;
  headless?: boolean;
  pitr?: boolean;
}

/** Browser mode: build if needed, start the app and its HTTP server, run until a signal. */
export async function serve(flags: ServeFlags): Promise<number> {
  if (flags.headless) return serveHeadless(flags);
  // Loaded here, not at the top: the CLI loads only what the command it runs needs (fast start).
  const [{ App }, { ensureBuilt, rendererDir }, { NoPersistVault }, { startServer }] = await Promise.all([
    import('../app'),
    import('../build'),
    import('../core/connections/vault'),
    import('../server'),
  ]);
  await ensureBuilt(stderrLogger);
  const metrics = (await import('../metrics-endpoint')).metricsToken();
  const app = new App({
    host: 'browser',
    vault: new NoPersistVault(),
    log: stderrLogger,
    ...(flags.data ? { dataDir: flags.data } : {}),
    ...(flags.demo ? { demo: true } : {}),
    ...(flags.tenants ? { demoTenants: flags.tenants } : {}),
    ...(flags.pitr ? { demoPitr: true } : {}),
    ...(flags.demoPort ? { demoPort: flags.demoPort } : {}),
  });
  await app.startup();
  const server = await startServer({ app, rendererDir: rendererDir(), log: stderrLogger, port: flags.port ?? 8787, ...(flags.bind ? { bind: flags.bind } : {}), ...(flags.allowHost ? { allowHosts: flags.allowHost } : {}), metricsToken: metrics.token });
  process.stdout.write(`${server.url}\n`);
  if (metrics.generated) process.stdout.write(`metrics token: ${metrics.token}\n`);
  stderrLogger(`PodcastFlow Ops is serving on port ${server.port}. Open the URL above in a browser; Ctrl-C stops it.`);
  const signal = await untilSignal();
  stderrLogger(`${signal}: shutting down…`);
  await server.close();
  await app.close();
  return EXIT.ok;
}

/**
 * serve --headless: no UI. The sampler over every connection, the backup/verify/report/drill schedules
 * and /metrics (+ /api/health) on loopback, until SIGINT/SIGTERM (systemd's stop, a container's stop).
 */
async function serveHeadless(flags: ServeFlags): Promise<number> {
  const [{ App }, { NoPersistVault }, { metricsToken, startHeadlessServer }] = await Promise.all([import('../app'), import('../core/connections/vault'), import('../metrics-endpoint')]);
  // Before anything starts: a bad token or fleet.json is a clear error, not a half-started service.
  const metrics = metricsToken();
  const app = new App({
    host: 'browser',
    headless: true,
    vault: new NoPersistVault(),
    log: stderrLogger,
    ...(flags.data ? { dataDir: flags.data } : {}),
    ...(flags.demo ? { demo: true } : {}),
    ...(flags.tenants ? { demoTenants: flags.tenants } : {}),
    ...(flags.demoPort ? { demoPort: flags.demoPort } : {}),
  });
  await app.fleet.settings();
  await app.startup();
  const server = await startHeadlessServer({ app, log: stderrLogger, token: metrics.token, port: flags.port ?? 9786, ...(flags.bind ? { bind: flags.bind } : {}) });
  process.stdout.write(`${server.url}\n`);
  if (metrics.generated) process.stdout.write(`metrics token: ${metrics.token}\n`);
  stderrLogger(`PodcastFlow Ops (headless) is serving /metrics on port ${server.port}${metrics.generated ? ' with the generated token above (set PODCASTFLOW_OPS_METRICS_TOKEN to choose one)' : ''}; Ctrl-C stops it.`);
  const signal = await untilSignal();
  stderrLogger(`${signal}: shutting down…`);
  await server.close();
  await app.close();
  return EXIT.ok;
}

export function registerServe(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('serve')
    .description('browser mode: the console over HTTP on 127.0.0.1, behind a token')
    .option('--port <p>', 'port (default 8787, headless 9786; 0 picks a free one)', intOption(0, 65_535))
    .option('--bind <address>', 'listen on another address than 127.0.0.1 (explicit opt-in: anyone who can reach it and has the token can use the console)')
    .option('--allow-host <name>', 'a host name browsers may use to reach the console (repeatable; with --bind 0.0.0.0 name the machine here); other Host headers are refused against DNS rebinding', hostNameOption)
    .option('--demo', 'start the embedded demo database even when connections are configured')
    .option('--tenants <n>', 'tenants for the demo database on first seed', intOption(1, 10_000))
    .option('--demo-port <p>', 'port of the demo database (default 54329, or the next free one)', intOption(1, 65_535))
    .option('--data <dir>', 'app data directory (default $PODCASTFLOW_OPS_HOME)')
    .option('--headless', 'no UI: sample every connection, run the schedules, serve /metrics (bearer $PODCASTFLOW_OPS_METRICS_TOKEN, else a generated token printed at start) and /api/health')
    .option('--pitr', 'the demo database archives WAL to a pgBackRest repo in its data directory (point-in-time recovery)')
    .action((opts: ServeFlags) => run(() => serve(opts)));
}
