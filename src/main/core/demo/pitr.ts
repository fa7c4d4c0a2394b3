/**
 * The demo with point-in-time recovery (`demo up --pitr`): WAL archived by `pgbackrest archive-push` into a
 * repo beside the cluster (<clusterDir>.pitr: normally <dataDir>/pg.pitr), a short archive_timeout, the
 * stanza `demo` and a first full backup. pgBackRest reaches the server over a Unix socket in that folder
 * (it talks to PostgreSQL only through libpq's local socket), the password in its environment.
 *
 * Layout of <clusterDir>.pitr (the server's OS user's): pgbackrest.conf, repo/, run/ (the socket), lock/,
 * spool/, log/.
 */
import { chown, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PitrConfig } from '../../../shared/domain/pitr';
import { findEngine, runEngine, serverUser, type Engine } from '../pitr/pgbackrest';
import { OpsError } from '../util/errors';
import { makeDirs } from '../util/paths';
import { shellQuote } from '../util/shell';

export const DEMO_STANZA = 'demo';
/** Seconds: the demo's RPO on the PITR path is this plus the time to push one segment. */
export const DEMO_ARCHIVE_TIMEOUT_SEC = 5;

export function demoPitrDir(clusterDir: string): string {
  return `${clusterDir}.pitr`;
}

export function demoPitrConfig(clusterDir: string): PitrConfig {
  return { stanza: DEMO_STANZA, configFile: path.join(demoPitrDir(clusterDir), 'pgbackrest.conf') };
}

/** The engine, or why the demo runs without PITR (with what to install), for the log. */
export function demoEngine(): { engine?: Engine; why?: string } {
  try {
    return { engine: findEngine() };
  } catch (err) {
    const e = err as OpsError;
    return { why: `${e.message} ${e.hint ?? ''}`.trim() };
  }
}

/** Makes the folder (owned by the server's OS user) and answers the server settings that archive into it. */
export async function preparePitr(clusterDir: string): Promise<string[]> {
  const dir = demoPitrDir(clusterDir);
  // pgbackrest.conf has no quoting: a line break in a path would start a setting of its own.
  if (/[\r\n]/.test(dir)) throw new OpsError('invalid_setting', `The demo's folder ${JSON.stringify(dir)} holds a line break; pgBackRest's config cannot name it.`, 'Use a data directory without line breaks in its path.');
  const user = serverUser();
  for (const sub of ['', 'repo', 'run', 'lock', 'spool', 'log']) {
    await makeDirs(path.join(dir, sub), 0o700);
    if (user) await chown(path.join(dir, sub), user.uid, user.gid);
  }
  // archive_command goes through the shell (quoted) and PostgreSQL's own % escapes (%p is the segment).
  const conf = shellQuote(path.join(dir, 'pgbackrest.conf')).replace(/%/g, '%%');
  return [
    'archive_mode=on',
    'wal_level=replica',
    `archive_command=pgbackrest --config=${conf} --stanza=${DEMO_STANZA} archive-push %p`,
    `archive_timeout=${DEMO_ARCHIVE_TIMEOUT_SEC}s`,
    `unix_socket_directories=${path.join(dir, 'run')}`,
    'unix_socket_permissions=0700',
  ];
}

/** pgbackrest.conf for this start (the port may differ from the last). */
async function writeConf(clusterDir: string, port: number, user: string): Promise<void> {
  const dir = demoPitrDir(clusterDir);
  const text = [
    '# Written by podcastflow-ops at every `demo up --pitr`: the demo database\'s pgBackRest repo.',
    '[global]',
    `repo1-path=${path.join(dir, 'repo')}`,
    'repo1-retention-full=2',
    `lock-path=${path.join(dir, 'lock')}`,
    `spool-path=${path.join(dir, 'spool')}`,
    `log-path=${path.join(dir, 'log')}`,
    'log-level-file=off',
    'compress-type=lz4',
    'start-fast=y',
    // The seed's WAL may still be on its way when the first backup waits for its own segments.
    'archive-timeout=600',
    '',
    `[${DEMO_STANZA}]`,
    `pg1-path=${clusterDir}`,
    `pg1-socket-path=${path.join(dir, 'run')}`,
    `pg1-port=${port}`,
    `pg1-user=${user}`,
    '',
  ].join('\n');
  const file = path.join(dir, 'pgbackrest.conf');
  await writeFile(file, text, { mode: 0o600 });
  const owner = serverUser();
  if (owner) await chown(file, owner.uid, owner.gid);
}

/** After the server is up: the config, the stanza, and a first full backup when the repo holds none. */
export async function ensureDemoRepo(engine: Engine, clusterDir: string, port: number, user: string, password: string, log: (m: string) => void, signal?: AbortSignal): Promise<PitrConfig> {
  await writeConf(clusterDir, port, user);
  const cfg = demoPitrConfig(clusterDir);
  const env = { PGPASSWORD: password };
  const opts = { env, timeoutMs: 600_000, ...(signal ? { signal } : {}) };
  await runEngine(engine, cfg, 'stanza-create', [], opts);
  const info = JSON.parse(await runEngine(engine, cfg, 'info', ['--output=json'], opts)) as { backup: unknown[] }[];
  if (!info[0]?.backup.length) {
    log('Taking the first full pgBackRest backup of the demo database…');
    await runEngine(engine, cfg, 'backup', ['--type=full'], opts);
  }
  log(`WAL archiving on: pgBackRest stanza ${DEMO_STANZA}, repo in ${path.join(demoPitrDir(clusterDir), 'repo')}, archive_timeout ${DEMO_ARCHIVE_TIMEOUT_SEC} s.`);
  return cfg;
}
