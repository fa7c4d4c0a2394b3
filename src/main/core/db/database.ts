import pLimit, { type LimitFunction } from 'p-limit';
import pg from 'pg';
import { connectionLost, isConnectionLost, OpsError } from '../util/errors';
import { guardClient } from './client';
import { ambientCredential, clientConfig, parseUrl, type Credential, type Purpose, type SessionTimeouts, type Target } from './connection';

// int8 and numeric arrive as strings by default; counts and sizes in this console fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface QueryOptions {
  purpose?: Purpose;
  /** statement_timeout for this one query (SET LOCAL inside its own transaction). */
  timeoutMs?: number;
  /** Cancels the statement on the server (pg_cancel_backend) when aborted. */
  signal?: AbortSignal;
  /** Called once the query has a session, before it is sent: time spent queued for one is not its latency. */
  onSession?: () => void;
}

/**
 * Every statement Database.query sends starts with this comment, so the console's own statements can be
 * told apart where no application_name is recorded (pg_stat_statements keeps the text, comment included):
 * health_slow_queries.sql leaves them out by default.
 */
export const OWN_QUERY_TAG = '/* podcastflow-ops */ ';
const tag = (text: string) => OWN_QUERY_TAG + text;

const POOL_SIZE: Record<Purpose, number> = { monitor: 3, admin: 2 };

/**
 * One database the console talks to: a small pool per purpose (read-only monitoring, admin),
 * with the session settings of DESIGN §6.
 */
export class Database {
  private readonly pools = new Map<Purpose, pg.Pool>();
  /**
   * One gate per pool, as wide as the pool: a query waits here for a free session, not inside pg.Pool,
   * whose connectionTimeoutMillis also counts the time spent queued. At 10,000 tenants a check can hold
   * all three sessions for longer than that, and the queries behind it failed with "timeout exceeded when
   * trying to connect" although the server was fine.
   */
  private readonly gates = new Map<Purpose, LimitFunction>();
  private sslDecided: Promise<void> | undefined;
  private sslFallback = false;

  constructor(
    readonly target: Target,
    private readonly credential: Credential,
    private readonly timeouts?: Partial<SessionTimeouts>,
  ) {}

  get passwordSource(): Credential['source'] {
    return this.credential.source;
  }

  /** The credential, for a child process the console starts (pg_dump, pg_restore): never for display. */
  toolCredential(): Credential {
    return this.credential;
  }

  /**
   * sslmode=prefer as libpq means it: try SSL, and use a plain connection only when the server
   * says it has no SSL at all. node-postgres has no such mode, so probe once.
   */
  private decideSsl(): Promise<void> {
    if (this.target.sslmode !== 'prefer') return Promise.resolve();
    this.sslDecided ??= (async () => {
      const probe = guardClient(new pg.Client(this.config('monitor')));
      try {
        await probe.connect();
      } catch (err) {
        if (err instanceof Error && /does not support SSL/.test(err.message)) this.sslFallback = true;
      } finally {
        await probe.end().catch(() => {});
      }
    })();
    return this.sslDecided;
  }

  private config(purpose: Purpose): pg.ClientConfig {
    const config = clientConfig(this.target, this.credential, purpose, this.timeouts);
    return this.sslFallback ? { ...config, ssl: false } : config;
  }

  async pool(purpose: Purpose = 'monitor'): Promise<pg.Pool> {
    await this.decideSsl();
    let pool = this.pools.get(purpose);
    if (!pool) {
      pool = new pg.Pool({ ...this.config(purpose), max: POOL_SIZE[purpose], idleTimeoutMillis: 30_000 });
      // A client whose session the server ends must not crash the process: checked out (guarded from its
      // first connect) or idle (the pool drops it and emits 'error' here). The next call opens a new one.
      pool.on('connect', (client) => guardClient(client));
      pool.on('error', () => {});
      this.pools.set(purpose, pool);
    }
    return pool;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<pg.QueryResult<R>> {
    const purpose = opts.purpose ?? 'monitor';
    if (opts.signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
    let gate = this.gates.get(purpose);
    if (!gate) this.gates.set(purpose, (gate = pLimit(POOL_SIZE[purpose])));
    // A cancel while queued needs no listener of its own: the queries ahead of it are cancelled on the
    // server by theirs, so the queue drains at once, and this one then ends without running.
    return gate(() => (opts.signal?.aborted ? Promise.reject(new OpsError('cancelled', 'Cancelled.')) : this.run<R>(purpose, text, params, opts)));
  }

  private async run<R extends pg.QueryResultRow>(purpose: Purpose, text: string, params: unknown[], opts: QueryOptions): Promise<pg.QueryResult<R>> {
    const client = await (await this.pool(purpose)).connect();
    opts.onSession?.();
    const onAbort = () => {
      void this.cancelBackend((client as unknown as { processID?: number }).processID);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let broken = false;
    try {
      if (opts.timeoutMs === undefined) return await client.query<R>(tag(text), params);
      await client.query(tag(purpose === 'monitor' ? 'BEGIN READ ONLY' : 'BEGIN'));
      try {
        await client.query(tag(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(opts.timeoutMs))}`));
        const result = await client.query<R>(tag(text), params);
        await client.query(tag('COMMIT'));
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
    } catch (err) {
      if (opts.signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
      if (!isConnectionLost(err)) throw err;
      // The pool must not hand this dead session out again (its 'end' may not have arrived yet).
      broken = true;
      throw connectionLost(err);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      client.release(broken);
    }
  }

  /** Cancel a running statement from a separate connection. */
  private async cancelBackend(pid: number | undefined): Promise<void> {
    if (!pid) return;
    const client = guardClient(new pg.Client(this.config('admin')));
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // Best effort: the statement timeout still bounds it.
    } finally {
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
  }
}

/** A Database for a libpq URL given on the command line: its password, else PGPASSWORD / ~/.pgpass. */
export async function databaseFromUrl(url: string): Promise<Database> {
  const { target, password } = parseUrl(url);
  return new Database(target, password ? { password, source: 'url' } : await ambientCredential(target));
}
