/**
 * Database helpers for integration tests, on the one cluster started by tests/support/global-setup.ts.
 *
 *   const db = await createScratchDatabase({ seed: true, tenants: 4 });   // private, seeded, planted problems
 *   try { ... db.url ... } finally { await db.drop(); }
 *
 * A scratch database is yours: plant, break or restore into it without disturbing other tests (which may
 * run at the same time in other files). Roles are cluster-wide, so don't drop the seed's roles
 * (podcastflow_app, podcastflow_readonly, agency_acme).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { parseUrl, type SessionTimeouts } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { seedDatabase, type SeedResult } from '../../src/main/core/demo/seed';

export interface ScratchDatabaseOptions {
  /** Seed it (default: true when `tenants` is given; otherwise an empty database with pg_stat_statements and
   *  pgstattuple). */
  seed?: boolean;
  /** Tenants when seeding (default 4). The first 3 are the big ones (see tenantPlan in seed.ts). */
  tenants?: number;
  /** Plant the demo problems when seeding (default true; false gives a clean database). */
  plantProblems?: boolean;
  /** Run the short workload when seeding (default true). */
  workload?: boolean;
  /** Row-count multiplier when seeding (default 1; e.g. 0.05 makes the big tenants ~5k impressions). */
  scale?: number;
}

export interface ScratchDatabase {
  url: string;
  name: string;
  /** What seedDatabase returned, when seeded. */
  seed?: SeedResult;
  /** DROP DATABASE ... WITH (FORCE); idempotent. */
  drop(): Promise<void>;
}

/** Runs fn with one connected client, then disconnects. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'podcastflow-tests' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The console's Database for a test URL (no TLS), as the URL's user or as another role with its password,
 * with the session timeouts given (the defaults otherwise).
 */
export function openDatabase(url: string, as?: { user: string; password: string }, timeouts?: Partial<SessionTimeouts>): Database {
  const { target, password } = parseUrl(`${url}${url.includes('?') ? '&' : '?'}sslmode=disable`);
  if (as) return new Database({ ...target, user: as.user }, { password: as.password, source: 'secrets-manager' }, timeouts);
  return new Database(target, password ? { password, source: 'url' } : { source: 'none' }, timeouts);
}

/** The URL of database `name` on the same server as `url`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(name);
  return u.toString();
}

export async function createScratchDatabase(opts: ScratchDatabaseOptions = {}): Promise<ScratchDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `scratch_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
  };
  const url = databaseUrl(adminUrl, name);
  try {
    await withClient(url, (c) =>
      c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION IF NOT EXISTS pgstattuple'),
    );
    let seed: SeedResult | undefined;
    if (opts.seed ?? opts.tenants !== undefined) {
      seed = await seedDatabase(url, {
        tenants: opts.tenants ?? 4,
        plantProblems: opts.plantProblems ?? true,
        workload: opts.workload ?? true,
        scale: opts.scale ?? 1,
        concurrency: 1, // test files run two at a time on two cores
      });
    }
    return { url, name, ...(seed ? { seed } : {}), drop };
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
}
