import { ZodError } from 'zod';
import type { WireError } from '../../../shared/errors';
import { redact } from './redact';

/** An error meant for a person: what went wrong, and what to do about it. */
export class OpsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'OpsError';
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: number;
  address?: string;
  port?: number;
}

// Postgres SQLSTATEs and socket errors a DBA meets, translated into a next step.
const known: Record<string, { code: string; hint: string }> = {
  '28P01': { code: 'auth_failed', hint: 'Check the user and password (or ~/.pgpass, PGPASSWORD) for this connection.' },
  '28000': { code: 'auth_rejected', hint: 'pg_hba.conf rejected this connection: check the host, user, database and sslmode it allows.' },
  '3D000': { code: 'no_such_database', hint: 'Check the database name of this connection.' },
  '57014': { code: 'cancelled', hint: 'The statement was cancelled (statement_timeout or a cancel request).' },
  '55P03': { code: 'lock_timeout', hint: 'Another session holds a lock this needs; try again later or look at blocked queries.' },
  '42501': { code: 'permission_denied', hint: 'The connection role lacks a privilege this needs.' },
  '53300': { code: 'too_many_connections', hint: 'The server is at max_connections; free some connections or raise the limit.' },
  ECONNREFUSED: { code: 'unreachable', hint: 'Nothing is listening at that host and port: is the server running, and is the port right?' },
  ENOTFOUND: { code: 'unreachable', hint: 'The host name does not resolve: check the host of this connection.' },
  ETIMEDOUT: { code: 'unreachable', hint: 'The server did not answer in time: check the host, port and any firewall.' },
  EHOSTUNREACH: { code: 'unreachable', hint: 'No route to that host: check the network and host.' },
};

/**
 * The server ended our session, or the network dropped it: admin_shutdown (pg_terminate_backend, a fast
 * shutdown), crash_shutdown, cannot_connect_now (restarting), connection_exception / does_not_exist /
 * failure; node-postgres and libpq's tools (pg_dump, pg_restore) say it in words.
 */
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006']);
const LOST_TEXT =
  /Connection terminated unexpectedly|Client has encountered a connection error and is not queryable|terminating connection due to administrator command|server closed the connection unexpectedly|connection to server was lost|no connection to the server|could not receive data from server|SSL SYSCALL error: EOF detected/i;
// A reset or broken socket is a lost session only when it comes from a database client: the same codes
// come from a child's stdin or an S3 socket, so toWireError does not map them by code alone.
const LOST_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

export const CONNECTION_LOST_HINT =
  'The server ended the session (restart, failover, pg_terminate_backend or a network drop); nothing was recorded as done. Run it again: the console opens a new session.';

function sessionEnded(e: PgLikeError): boolean {
  return (e.code !== undefined && LOST_SQLSTATES.has(e.code)) || (typeof e.message === 'string' && LOST_TEXT.test(e.message));
}

/** Did this error, thrown by a database client, come from a session the server (or the network) ended? */
export function isConnectionLost(err: unknown): boolean {
  if (err instanceof OpsError) return err.code === 'connection_lost';
  if (!err || typeof err !== 'object') return false;
  const e = err as PgLikeError;
  return sessionEnded(e) || (e.code !== undefined && LOST_SOCKET.has(e.code));
}

/** Text from a tool (pg_dump's stderr) that says its session was lost. */
export function saysConnectionLost(text: string): boolean {
  return LOST_TEXT.test(text);
}

/** The agreed error for a lost session: `connection_lost`, the driver's words as the message. */
export function connectionLost(err: unknown, what = 'The database session was lost'): OpsError {
  if (err instanceof OpsError && err.code === 'connection_lost') return err;
  const said = err instanceof Error ? err.message : String(err);
  return new OpsError('connection_lost', `${what}: ${said}`, CONNECTION_LOST_HINT);
}

// node-pg's words when the server asks for a password (SCRAM or md5) and the client has none.
const NO_PASSWORD = /client password must be a string/;

/** Turn anything thrown into the wire shape, with secrets masked and no stack. */
export function toWireError(err: unknown): WireError {
  if (err && typeof err === 'object' && !(err instanceof OpsError) && sessionEnded(err as PgLikeError)) return toWireError(connectionLost(err));
  if (err instanceof OpsError) {
    return { code: err.code, message: redact(err.message), ...(err.hint ? { hint: redact(err.hint) } : {}) };
  }
  if (err instanceof ZodError) {
    const issues = err.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`)
      .join('; ');
    return { code: 'invalid_input', message: `Invalid input: ${issues}`, hint: 'Correct the fields named and try again; nothing was changed.' };
  }
  if (err && typeof err === 'object') {
    const e = err as PgLikeError;
    const mapped = e.code ? known[e.code] : undefined;
    if (mapped) return { code: mapped.code, message: redact(e.message ?? mapped.code), hint: mapped.hint };
    if (typeof e.message === 'string' && NO_PASSWORD.test(e.message)) {
      return {
        code: 'no_password',
        message: 'The server asks for a password and none was given.',
        hint: 'Give it as libpq would find it: in the URL (postgres://user:PASSWORD@host/db), in PGPASSWORD, or as a line host:port:database:user:password in ~/.pgpass (mode 0600).',
      };
    }
    if (err instanceof Error && err.name === 'AbortError') return { code: 'cancelled', message: 'Cancelled.' };
    if (typeof e.message === 'string') return { code: 'error', message: redact(e.message) };
  }
  return { code: 'error', message: redact(String(err)) };
}
