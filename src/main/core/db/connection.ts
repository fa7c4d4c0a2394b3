import pgpass from 'pgpass';
import { parse as parseConnectionString } from 'pg-connection-string';
import type pg from 'pg';
import { SSL_MODES, type CredentialOrigin, type SslMode } from '../../../shared/vocabulary';
import { OpsError } from '../util/errors';
import { registerSecret } from '../util/redact';

export type Purpose = 'monitor' | 'admin';

/** Where to connect, libpq style; the password travels separately and never into a profile file. */
export interface Target {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: SslMode;
  /** libpq parameters we pass through (sslrootcert, sslcert, sslkey). */
  params?: Record<string, string>;
}

export interface Credential {
  password?: string;
  source: CredentialOrigin;
}

const PASSTHROUGH = ['sslrootcert', 'sslcert', 'sslkey'];

/** Defaults as libpq takes them: PG* environment, then the usual fallbacks. */
function envDefaults(): Target {
  const user = process.env.PGUSER || process.env.USER || 'postgres';
  return {
    host: process.env.PGHOST || 'localhost',
    port: Number(process.env.PGPORT || 5432),
    database: process.env.PGDATABASE || user,
    user,
    sslmode: (SSL_MODES as readonly string[]).includes(process.env.PGSSLMODE ?? '') ? (process.env.PGSSLMODE as SslMode) : 'prefer',
  };
}

/**
 * Split a libpq URL (postgres://user:pw@host:port/db?sslmode=...) into a target and the password
 * it carried. Missing parts fall back to the PG* environment, as psql does.
 */
export function parseUrl(url: string): { target: Target; password?: string } {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new OpsError('invalid_url', 'A connection URL starts with postgres:// or postgresql://.', 'For example postgres://user@db.example.com:5432/podcastflow?sslmode=require');
  }
  // SSL parameters are read here and applied in clientConfig(); pg-connection-string would read
  // certificate files and warn about sslmode aliases at parse time.
  let query: URLSearchParams;
  let parsed: ReturnType<typeof parseConnectionString>;
  try {
    const asHttp = new URL(url.replace(/^postgres(ql)?:/i, 'http:'));
    query = new URLSearchParams(asHttp.search);
    const stripped = new URLSearchParams([...query].filter(([k]) => !k.startsWith('ssl')));
    parsed = parseConnectionString(url.replace(/\?.*$/, '') + (stripped.size ? `?${stripped.toString()}` : ''));
  } catch {
    throw new OpsError('invalid_url', 'The connection URL could not be parsed.', 'Check its form: postgres://user@host:port/database?sslmode=require');
  }
  const defaults = envDefaults();
  const sslmode = query.get('sslmode') ?? defaults.sslmode;
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new OpsError('invalid_url', `Unknown sslmode "${sslmode}".`, `Use one of ${SSL_MODES.join(', ')}.`);
  }
  const params: Record<string, string> = {};
  for (const key of PASSTHROUGH) {
    const value = query.get(key);
    if (value) params[key] = value;
  }
  const port = parsed.port ? Number(parsed.port) : defaults.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new OpsError('invalid_url', `Invalid port "${parsed.port}".`, 'Use a port from 1 to 65535.');
  const target: Target = {
    host: parsed.host || defaults.host,
    port,
    database: parsed.database || defaults.database,
    user: parsed.user || defaults.user,
    sslmode: sslmode as SslMode,
    ...(Object.keys(params).length ? { params } : {}),
  };
  const password = parsed.password || undefined;
  registerSecret(password);
  return { target, ...(password ? { password } : {}) };
}

/** A URL for display and storage: never with a password. */
export function describeTarget(t: Target): string {
  return `postgres://${encodeURIComponent(t.user)}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/${encodeURIComponent(t.database)}?sslmode=${t.sslmode}`;
}

/** Find the password as libpq would when none was given: PGPASSWORD, then ~/.pgpass. */
export async function ambientCredential(t: Target): Promise<Credential> {
  if (process.env.PGPASSWORD) {
    registerSecret(process.env.PGPASSWORD);
    return { password: process.env.PGPASSWORD, source: 'environment' };
  }
  const fromFile = await new Promise<string | undefined>((resolve) => {
    pgpass({ host: t.host, port: t.port, database: t.database, user: t.user }, (pw) => resolve(pw));
  });
  if (fromFile) {
    registerSecret(fromFile);
    return { password: fromFile, source: 'pgpass' };
  }
  return { source: 'none' };
}

export interface SessionTimeouts {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionMs: number;
  /** Deadline for opening a session (TCP, TLS, authentication). */
  connectTimeoutMs: number;
}

export const MONITOR_TIMEOUTS: SessionTimeouts = { statementTimeoutMs: 30_000, lockTimeoutMs: 2_000, idleInTransactionMs: 60_000, connectTimeoutMs: 10_000 };
export const ADMIN_TIMEOUTS: SessionTimeouts = { statementTimeoutMs: 0, lockTimeoutMs: 10_000, idleInTransactionMs: 600_000, connectTimeoutMs: 10_000 };

function sslConfig(t: Target): pg.ClientConfig['ssl'] {
  // libpq semantics through pg-connection-string's compatibility mode.
  const query = new URLSearchParams({ sslmode: t.sslmode, ...(t.params ?? {}) });
  const parsed = parseConnectionString(`postgres://x@h/d?${query.toString()}`, { useLibpqCompat: true });
  return parsed.ssl as pg.ClientConfig['ssl'];
}

/**
 * Client settings with the console's manners (DESIGN §6): application_name, statement, lock and
 * idle-in-transaction timeouts, and read-only sessions for monitoring.
 */
export function clientConfig(t: Target, cred: Credential, purpose: Purpose, timeouts?: Partial<SessionTimeouts>): pg.ClientConfig {
  const tm = { ...(purpose === 'monitor' ? MONITOR_TIMEOUTS : ADMIN_TIMEOUTS), ...timeouts };
  const options = [
    `-c statement_timeout=${tm.statementTimeoutMs}`,
    `-c lock_timeout=${tm.lockTimeoutMs}`,
    `-c idle_in_transaction_session_timeout=${tm.idleInTransactionMs}`,
    ...(purpose === 'monitor' ? ['-c default_transaction_read_only=on'] : []),
  ].join(' ');
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    ...(cred.password !== undefined ? { password: cred.password } : {}),
    ssl: sslConfig(t),
    application_name: 'podcastflow-ops',
    options,
    connectionTimeoutMillis: tm.connectTimeoutMs,
    keepAlive: true,
  };
}
