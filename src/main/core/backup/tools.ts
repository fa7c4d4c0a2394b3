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
import { OpsError } from '../util/errors';

const execFileAsync = promisify(execFile);
export type PgTool = 'pg_dump' | 'pg_restore' | 'pg_dumpall' | 'psql';

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

/** The tool, checked against the server's major version (server_version_num, e.g. 150018). */
export async function checkedTool(name: PgTool, serverVersionNum: number, serverVersion: string): Promise<ToolVersion> {
  const tool = await toolVersion(name);
  const serverMajor = Math.floor(serverVersionNum / 10_000);
  if (tool.major < serverMajor) {
    throw new OpsError('tool_too_old', `${name} ${tool.version} (${tool.path}) is older than the server (PostgreSQL ${serverVersion}).`, `Install ${name} ${serverMajor} or newer (e.g. apt install postgresql-client-${serverMajor}) and put it first on PATH or in PODCASTFLOW_OPS_PG_BIN.`);
  }
  return tool;
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
