/**
 * pgBackRest, the physical backup engine behind point-in-time recovery. Found on PATH (or at
 * PODCASTFLOW_OPS_PGBACKREST), its version checked once, and run with a connection's settings as
 * command-line options (which override its config file). Run as root, it runs as the `postgres` OS user:
 * the files it restores must belong to the user the scratch server runs as, and a repo the server
 * archives into belongs to that user too.
 *
 * Its failures end in `ERROR: [NNN]: message` on stderr; the ones an operator meets (no repo, no stanza,
 * permissions) become clear errors with what to fix.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PitrConfig } from '../../../shared/domain/pitr';
import { OpsError } from '../util/errors';
import { redact } from '../util/redact';

/** --type=time picks the backup set before the target by itself from 2.36 on; older ones need --set. */
export const MIN_VERSION: readonly [number, number] = [2, 36];
const INSTALL_HINT = 'Install pgBackRest on this machine (Debian/Ubuntu: apt-get install pgbackrest; RHEL: dnf install pgbackrest), or set PODCASTFLOW_OPS_PGBACKREST to its path.';

export interface Engine {
  path: string;
  version: string;
}

function findBinary(): string | undefined {
  const explicit = process.env.PODCASTFLOW_OPS_PGBACKREST;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, 'pgbackrest');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The pgbackrest binary and its version, or a clear error saying what to install. */
export function findEngine(): Engine {
  const path = findBinary();
  if (!path) throw new OpsError('pgbackrest_missing', 'pgbackrest was not found on PATH; point-in-time recovery needs it.', INSTALL_HINT);
  let out: string;
  try {
    out = execFileSync(path, ['version'], { encoding: 'utf8', timeout: 10_000 });
  } catch (err) {
    throw new OpsError('pgbackrest_missing', `${path} could not be run: ${(err as Error).message}.`, INSTALL_HINT);
  }
  const m = /pgBackRest (\d+)\.(\d+)/.exec(out);
  if (!m) throw new OpsError('tool_unknown', `Could not read the version of ${path}: "${out.trim().slice(0, 100)}".`, INSTALL_HINT);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    throw new OpsError('pgbackrest_too_old', `pgbackrest ${major}.${minor} (${path}) is older than ${MIN_VERSION.join('.')}, the oldest this console drives.`, `Install pgBackRest ${MIN_VERSION.join('.')} or newer (the Debian/Ubuntu or PGDG package).`);
  }
  return { path, version: `${major}.${minor}` };
}

/** The OS user pgbackrest and the scratch server run as: `postgres` when we are root, else ourselves. */
export function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new OpsError('pitr_failed', 'Running as root, but there is no `postgres` OS user to run pgbackrest and the scratch server as (PostgreSQL refuses to run as root).', 'Create it (useradd postgres) or run the console as an ordinary user.');
  }
}

/** The connection's settings as pgbackrest options (they override the config file's). */
export function optionArgs(cfg: PitrConfig): string[] {
  const args = [`--stanza=${cfg.stanza}`];
  if (cfg.configFile) args.push(`--config=${cfg.configFile}`);
  const r = cfg.repo;
  if (r?.type === 'posix') args.push('--repo1-type=posix', `--repo1-path=${r.path}`);
  if (r?.type === 's3') {
    args.push('--repo1-type=s3', `--repo1-s3-bucket=${r.bucket}`, `--repo1-s3-endpoint=${r.endpoint}`, `--repo1-s3-region=${r.region}`, `--repo1-path=${r.path ?? '/'}`);
    if (r.uriStyle) args.push(`--repo1-s3-uri-style=${r.uriStyle}`);
    if (r.verifyTls === false) args.push('--no-repo1-storage-verify-tls');
  }
  // Errors to stderr, stdout left to --output=json; no log file (its default folder is often not ours to write).
  args.push('--log-level-console=off', '--log-level-stderr=error', '--log-level-file=off');
  return args;
}

/** S3 keys for pgbackrest from the AWS variables, when its own are not set (never written anywhere). */
function engineEnv(cfg: PitrConfig): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (cfg.repo?.type === 's3') {
    env.PGBACKREST_REPO1_S3_KEY ??= process.env.AWS_ACCESS_KEY_ID;
    env.PGBACKREST_REPO1_S3_KEY_SECRET ??= process.env.AWS_SECRET_ACCESS_KEY;
    if (process.env.AWS_SESSION_TOKEN) env.PGBACKREST_REPO1_S3_TOKEN ??= process.env.AWS_SESSION_TOKEN;
    for (const k of ['PGBACKREST_REPO1_S3_KEY', 'PGBACKREST_REPO1_S3_KEY_SECRET', 'PGBACKREST_REPO1_S3_TOKEN']) if (env[k] === undefined) delete env[k];
  }
  return env;
}

/** pgBackRest error codes an operator can act on. */
const HINTS: Record<string, { code: 'pitr_repo_unreadable' | 'pitr_target_unreachable' | 'pitr_failed'; hint: string }> = {
  '055': { code: 'pitr_repo_unreadable', hint: 'Check the repo path (or bucket) and the stanza name, and that this machine can read the repo; `pgbackrest info` shows what it sees.' },
  '041': { code: 'pitr_repo_unreadable', hint: 'pgbackrest may not read the repo or its files: check their owner and mode (the repo belongs to the database server\'s OS user).' },
  '075': { code: 'pitr_target_unreachable', hint: 'No backup in the repo finished before the target: pick a later target, or take a backup first.' },
  '039': { code: 'pitr_repo_unreadable', hint: 'The S3 repo answered with an error: check the bucket, endpoint, region and the keys (PGBACKREST_REPO1_S3_KEY / _SECRET or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).' },
};

export interface RunOptions {
  signal?: AbortSignal;
  /** Kill it after this long (default: none; a cancel always works). */
  timeoutMs?: number;
  /** Lines pgbackrest writes (its progress at info level, when asked for). */
  onLine?: (line: string) => void;
  /** Extra environment (PGPASSWORD for the commands that connect: stanza-create, backup, check). */
  env?: Record<string, string>;
}

/** pgbackrest <command> with the connection's options; resolves with stdout, rejects with a clear error. */
export function runEngine(engine: Engine, cfg: PitrConfig, command: string, extra: string[], opts: RunOptions = {}): Promise<string> {
  const args = [...optionArgs(cfg), ...extra, command];
  const user = serverUser();
  return new Promise((resolve, reject) => {
    const proc = spawn(engine.path, args, { env: { ...engineEnv(cfg), ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
    const out: Buffer[] = [];
    let err = '';
    proc.stdout.on('data', (c: Buffer) => {
      out.push(c);
      if (opts.onLine) for (const l of c.toString('utf8').split('\n')) if (l.trim()) opts.onLine(l);
    });
    proc.stderr.on('data', (c: Buffer) => {
      if (err.length < 20_000) err += c.toString('utf8');
    });
    const kill = () => proc.kill('SIGTERM');
    opts.signal?.addEventListener('abort', kill, { once: true });
    const timer = opts.timeoutMs ? setTimeout(kill, opts.timeoutMs) : undefined;
    proc.on('error', (e) => reject(new OpsError('pgbackrest_missing', `${engine.path} could not be started: ${e.message}.`, INSTALL_HINT)));
    proc.on('close', (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      if (opts.signal?.aborted) return reject(new OpsError('cancelled', 'Cancelled.'));
      if (sig) return reject(new OpsError('pitr_failed', `pgbackrest ${command} was stopped (${sig})${timer ? ' after its deadline' : ''}.`, 'Nothing was recorded as done; try again.'));
      reject(engineError(command, err, code));
    });
  });
}

/** The last `ERROR: [NNN]: …` of pgbackrest's stderr as an OpsError. */
export function engineError(command: string, stderr: string, exitCode: number | null): OpsError {
  const m = [...stderr.matchAll(/ERROR: \[(\d{3})\]: ([^\n]*(?:\n {2,}[^\n]*)*)/g)].at(-1);
  const said = redact((m?.[2] ?? stderr.trim().split('\n').slice(-3).join(' ')).replace(/\s+/g, ' ').slice(0, 600));
  const known = m ? HINTS[m[1]!] : undefined;
  return new OpsError(known?.code ?? 'pitr_failed', `pgbackrest ${command} failed${m ? ` [${m[1]}]` : ` (exit ${exitCode})`}: ${said || 'no message'}`, known?.hint ?? 'See the message; nothing was recorded as done.');
}
