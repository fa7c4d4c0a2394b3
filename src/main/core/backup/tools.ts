/**
 * The PostgreSQL client programs a backup needs (pg_dump, pg_restore, pg_dumpall), found on PATH or in
 * PODCASTFLOW_OPS_PG_BIN, and checked against the server: pg_dump refuses (or worse, silently misses
 * objects of) a server newer than itself, so we say so first, naming both versions.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { Credential, Target } from '../db/connection';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { OpsError } from '../util/errors';

const execFileAsync = promisify(execFile);
export type PgTool = 'pg_dump' | 'pg_restore' | 'pg_dumpall';

export function findTool(name: PgTool): string | undefined {
  const dirs = [process.env.PODCASTFLOW_OPS_PG_BIN, ...(process.env.PATH ?? '').split(delimiter)].filter((d): d is string => Boolean(d));
  for (const dir of dirs) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface ToolVersion {
  path: string;
  version: string;
  major: number;
}

export async function toolVersion(name: PgTool): Promise<ToolVersion> {
  const path = findTool(name);
  if (!path) {
    throw new OpsError('tool_missing', `${name} was not found on PATH (nor in PODCASTFLOW_OPS_PG_BIN).`, 'Install the PostgreSQL client programs matching your server (e.g. apt install postgresql-client-15), or set PODCASTFLOW_OPS_PG_BIN to their directory.');
  }
  const { stdout } = await execFileAsync(path, ['--version']);
  const m = /(\d+)(?:\.(\d+))?/.exec(stdout);
  if (!m) throw new OpsError('tool_unknown', `Could not read the version of ${path}: "${stdout.trim()}".`);
  return { path, version: m[0], major: Number(m[1]) };
}

/** What a backup records about the server, and what its tools are checked against. */
export interface ServerFacts {
  database: string;
  server_version: string;
  /** e.g. 150018 */
  server_version_num: number;
}

export async function serverFacts(db: Database): Promise<ServerFacts> {
  return (await db.query<ServerFacts>(loadSql('backup/server'), [], { purpose: 'admin' })).rows[0]!;
}

/** The tool, checked against the server's major version. */
export async function checkedTool(name: PgTool, server: ServerFacts): Promise<ToolVersion> {
  const tool = await toolVersion(name);
  const serverMajor = Math.floor(server.server_version_num / 10_000);
  if (tool.major < serverMajor) {
    throw new OpsError('tool_too_old', `${name} ${tool.version} (${tool.path}) is older than the server (PostgreSQL ${server.server_version}).`, `Install ${name} ${serverMajor} or newer (e.g. apt install postgresql-client-${serverMajor}) and put it first on PATH or in PODCASTFLOW_OPS_PG_BIN.`);
  }
  return tool;
}

/** The tools a restore or verify runs, found and checked once per request and passed down. */
export interface RestoreTools {
  pgRestore: ToolVersion;
  pgDump: ToolVersion;
}

export async function restoreTools(db: Database): Promise<RestoreTools> {
  const server = await serverFacts(db);
  return { pgRestore: await checkedTool('pg_restore', server), pgDump: await checkedTool('pg_dump', server) };
}

/** libpq environment for a child process: the password travels in the environment, never in argv. */
export function pgEnv(target: Target, cred: Credential, database = target.database): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGDATABASE: database,
    PGSSLMODE: target.sslmode,
    PGAPPNAME: 'podcastflow-ops',
    PGCONNECT_TIMEOUT: '10',
  };
  delete env.PGPASSWORD;
  if (cred.password !== undefined) env.PGPASSWORD = cred.password;
  for (const [k, v] of Object.entries(target.params ?? {})) env[`PG${k.toUpperCase()}`] = v;
  return env;
}
