/**
 * Seeds PodcastFlow Pro's shape into a database, given a connection string: the shared schema `public`,
 * N tenant schemas `org_<slug>` with uneven, deterministic volumes, a short representative workload, the
 * planted problems (docs/demo-problems.md) and ANALYZE. The SQL lives in resources/sql/demo/*.sql; this
 * module orders it, runs the per-tenant work over a few connections in parallel and reports progress.
 *
 * The target database must be empty of PodcastFlow objects (no public.organizations) and the connection
 * must be a superuser's (roles, CREATE INDEX on tenant tables, SET ROLE podcastflow_app).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { resourcePath } from '../util/paths';
import { connectClient } from '../db/client';

export interface SeedProgress {
  phase: string;
  done: number;
  total: number;
}

export interface SeedOptions {
  tenants: number;
  /** Plant the demo's problems (docs/demo-problems.md). Default true. False gives a clean database. */
  plantProblems?: boolean;
  /** Run the short representative workload (pg_stat_statements, idx_scan, seq_scan). Default true. */
  workload?: boolean;
  onProgress?: (p: SeedProgress) => void;
  log?: (msg: string) => void;
  signal?: AbortSignal;
  /** Connections building tenants in parallel. Default 2. */
  concurrency?: number;
  /** Multiplies every row count (min 1 row where the tier has rows). Default 1. Tests use less. */
  scale?: number;
  /** "Now" for generated timestamps. Default: today at 00:00 UTC, so the data is stable within a day. */
  anchor?: Date;
}

export type TenantTier = 'big' | 'medium' | 'small' | 'trial';

export interface TenantSpec {
  ordinal: number; // = public.organizations.id
  slug: string;
  schema: string; // 'org_' + slug
  name: string;
  planId: number;
  tier: TenantTier;
  members: number;
  shows: number;
  episodes: number;
  campaigns: number;
  adSlots: number;
  impressions: number;
  invoices: number;
  audit: number;
  /** False for the tenant that missed migration 42 (no campaigns.budget_cents). */
  migration42: boolean;
}

export type ProblemKey =
  | 'table_bloat'
  | 'unused_index'
  | 'duplicate_index'
  | 'invalid_index'
  | 'missed_migration'
  | 'cross_tenant_grant'
  | 'shared_table_without_rls'
  | 'sequence_overflow'
  | 'security_definer_search_path';

export interface PlantedProblem {
  n: number; // 1..9, as numbered in docs/demo-problems.md
  key: ProblemKey;
  /** Tenant schema(s) concerned; empty for a shared object. */
  tenants: string[];
  /** Qualified object names. */
  objects: string[];
  /** Which health check id / tenant-verify kind should report it. */
  detectedBy: string[];
  detail: string;
}

export interface SeedResult {
  tenants: string[];
  durationMs: number;
  problems: PlantedProblem[];
  /** Milliseconds per phase. */
  phases: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------------
// The deterministic plan
// ---------------------------------------------------------------------------------------------------

const ADJECTIVES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'cedar', 'clear', 'cobalt', 'coral', 'crisp',
  'dapper', 'eager', 'early', 'fair', 'fern', 'gentle', 'golden', 'grand', 'happy', 'hidden',
  'indigo', 'ivory', 'jolly', 'keen', 'lively', 'lunar', 'maple', 'mellow', 'misty', 'noble',
  'olive', 'polar', 'quiet', 'rapid', 'rustic', 'silver', 'solar', 'sunny', 'swift', 'velvet',
] as const;
const NOUNS = [
  'anchor', 'arrow', 'beacon', 'birch', 'bridge', 'canyon', 'cliff', 'comet', 'creek', 'delta',
  'ember', 'falcon', 'field', 'forest', 'fox', 'garden', 'glacier', 'harbor', 'hawk', 'hill',
  'island', 'lake', 'lantern', 'meadow', 'mesa', 'moon', 'orchard', 'otter', 'owl', 'peak',
  'pine', 'prairie', 'quarry', 'raven', 'reef', 'ridge', 'river', 'rock', 'sail', 'spruce',
  'stone', 'summit', 'thunder', 'tide', 'trail', 'valley', 'wave', 'willow', 'wolf', 'wren',
] as const;
const SUFFIXES = ['media', 'audio', 'podcasts', 'studios', 'radio', 'network', 'sound', 'cast', 'fm', 'labs'] as const;
const COMBOS = ADJECTIVES.length * NOUNS.length * SUFFIXES.length; // 20,000

/** The slug of tenant `ordinal` (1-based): the same for a given ordinal whatever the tenant count. */
export function tenantSlug(ordinal: number): string {
  // 7919 is prime and coprime with 20,000: ordinals 1..20,000 map to distinct word combinations.
  const k = (((ordinal - 1) % COMBOS) * 7919 + 4111) % COMBOS;
  const adj = ADJECTIVES[k % ADJECTIVES.length]!;
  const noun = NOUNS[Math.floor(k / ADJECTIVES.length) % NOUNS.length]!;
  const suffix = SUFFIXES[Math.floor(k / (ADJECTIVES.length * NOUNS.length))]!;
  const round = Math.floor((ordinal - 1) / COMBOS);
  return `${adj}_${noun}_${suffix}${round > 0 ? `_${round + 1}` : ''}`;
}

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ordinal of the tenant that problem `n`'s k-th target lands on, wrapping when there are fewer tenants. */
function targetOrdinal(ordinal: number, tenantCount: number): number {
  return ((ordinal - 1) % tenantCount) + 1;
}

/** Fixed target ordinals of the tenant-scoped problems. */
const TARGETS = {
  table_bloat: 1, // big tenant: impressions
  unused_index: 2, // big tenant: impressions(created_at)
  duplicate_index: 3, // big tenant: episodes(show_id)
  invalid_index: 4, // medium tenant (>= 40 campaigns, 12 advertisers: duplicates guaranteed)
  cross_tenant_grant: [5, 6],
  missed_migration: 7,
  sequence_overflow: 8,
  security_definer_search_path: 9,
} as const;

/** Every tenant's spec, deterministic in (count, plantProblems, scale). */
export function tenantPlan(count: number, opts: { plantProblems?: boolean; scale?: number } = {}): TenantSpec[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`tenants must be a positive integer, got ${count}`);
  const scale = opts.scale ?? 1;
  const plant = opts.plantProblems ?? true;
  const missed = plant ? targetOrdinal(TARGETS.missed_migration, count) : -1;
  const specs: TenantSpec[] = [];
  const n = (x: number, min = 1) => (x <= 0 ? 0 : Math.max(min, Math.round(x * scale)));
  for (let i = 1; i <= count; i++) {
    const r = prng(i * 0x9e3779b1);
    const between = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const slug = tenantSlug(i);
    let tier: TenantTier;
    if (i <= 3) tier = 'big';
    else if (i % 8 === 4) tier = 'medium';
    else tier = r() < 0.25 ? 'trial' : 'small';
    let s: Omit<TenantSpec, 'ordinal' | 'slug' | 'schema' | 'name' | 'tier' | 'migration42'>;
    switch (tier) {
      case 'big':
        s = {
          planId: 4, members: between(30, 50), shows: between(20, 30), episodes: between(600, 900),
          campaigns: between(220, 260), adSlots: between(3000, 4000), impressions: [120_000, 100_000, 90_000][i - 1]!,
          invoices: between(800, 1000), audit: between(4000, 6000),
        };
        break;
      case 'medium':
        s = {
          planId: 3, members: between(8, 16), shows: between(4, 10), episodes: between(80, 240),
          campaigns: between(40, 80), adSlots: between(200, 600), impressions: between(1000, 3000),
          invoices: between(60, 200), audit: between(300, 900),
        };
        break;
      case 'small': {
        const u = r();
        s = {
          planId: r() < 0.5 ? 2 : 1, members: between(2, 6), shows: between(1, 3), episodes: between(3, 24),
          campaigns: between(2, 12), adSlots: between(4, 40), impressions: 20 + Math.floor(u * u * 380),
          invoices: between(1, 20), audit: between(10, 80),
        };
        break;
      }
      default:
        s = {
          planId: 1, members: 1, shows: 1, episodes: between(0, 2), campaigns: 0, adSlots: 0, impressions: 0,
          invoices: 0, audit: between(2, 8),
        };
    }
    const words = slug.split('_').filter((w) => !/^\d+$/.test(w));
    specs.push({
      ordinal: i,
      slug,
      schema: `org_${slug}`,
      name: words.map((w) => (w === 'fm' ? 'FM' : w[0]!.toUpperCase() + w.slice(1))).join(' '),
      tier,
      planId: s.planId,
      members: s.members,
      shows: Math.max(1, n(s.shows)),
      episodes: n(s.episodes),
      campaigns: tier === 'medium' || tier === 'big' ? Math.max(13, n(s.campaigns)) : n(s.campaigns),
      adSlots: n(s.adSlots),
      impressions: n(s.impressions),
      invoices: n(s.invoices),
      audit: n(s.audit),
      migration42: i !== missed,
    });
  }
  return specs;
}

/** The problems planted into a database seeded with `count` tenants (what docs/demo-problems.md lists). */
export function plannedProblems(count: number): PlantedProblem[] {
  const s = (ordinal: number) => `org_${tenantSlug(targetOrdinal(ordinal, count))}`;
  const bloat = s(TARGETS.table_bloat);
  const unused = s(TARGETS.unused_index);
  const dup = s(TARGETS.duplicate_index);
  const invalid = s(TARGETS.invalid_index);
  const grants = [...new Set(TARGETS.cross_tenant_grant.map(s))];
  const missed = s(TARGETS.missed_migration);
  const seq = s(TARGETS.sequence_overflow);
  const secdef = s(TARGETS.security_definer_search_path);
  return [
    {
      n: 1, key: 'table_bloat', tenants: [bloat], objects: [`${bloat}.impressions`], detectedBy: ['table_bloat', 'autovacuum'],
      detail: 'autovacuum_enabled=off on the table, then ~70% of its rows deleted: the dead tuples stay',
    },
    {
      n: 2, key: 'unused_index', tenants: [unused], objects: [`${unused}.impressions_created_at_idx`], detectedBy: ['unused_indexes'],
      detail: 'non-unique index on impressions(created_at), never scanned',
    },
    {
      n: 3, key: 'duplicate_index', tenants: [dup], objects: [`${dup}.episodes_show_id_idx`, `${dup}.episodes_show_id_published_at_idx`],
      detectedBy: ['duplicate_indexes'],
      detail: 'episodes(show_id) is a leading-column prefix of episodes(show_id, published_at)',
    },
    {
      n: 4, key: 'invalid_index', tenants: [invalid], objects: [`${invalid}.campaigns_advertiser_key`],
      detectedBy: ['invalid_indexes', 'invalid_index'],
      detail: 'left INVALID by a failed CREATE UNIQUE INDEX CONCURRENTLY on campaigns(advertiser), which has duplicates',
    },
    {
      n: 5, key: 'missed_migration', tenants: [missed], objects: [`${missed}.campaigns.budget_cents`, `${missed}.campaigns_budget_cents_idx`],
      detectedBy: ['missing_column', 'missing_index'],
      detail: 'this tenant never got migration 42 (public.organizations.schema_version = 41): no campaigns.budget_cents, no campaigns_budget_cents_idx',
    },
    {
      n: 6, key: 'cross_tenant_grant', tenants: grants, objects: ['agency_acme', ...grants],
      detectedBy: ['cross_tenant_grant', 'tenant_isolation'],
      detail: `role agency_acme (NOLOGIN) has USAGE and SELECT on all tables in ${grants.join(' and ')}`,
    },
    {
      n: 7, key: 'shared_table_without_rls', tenants: [], objects: ['public.usage_events'],
      detectedBy: ['shared_table_without_rls', 'tenant_isolation'],
      detail: 'shared table keyed by organization_id with row-level security disabled and no policy (public.feature_flags, RLS forced with a policy, is the true negative)',
    },
    {
      n: 8, key: 'sequence_overflow', tenants: [seq], objects: [`${seq}.audit_log_id_seq`], detectedBy: ['sequence_overflow'],
      detail: 'int4 identity sequence of audit_log.id at 2,000,000,000 of 2,147,483,647 (93%)',
    },
    {
      n: 9, key: 'security_definer_search_path', tenants: [secdef], objects: [`${secdef}.campaign_spend(bigint)`],
      detectedBy: ['security_definer_search_path', 'tenant_isolation'],
      detail: "SECURITY DEFINER function without SET search_path (every other tenant's copy pins pg_catalog, <schema>)",
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Running it
// ---------------------------------------------------------------------------------------------------

/** resources/sql/demo/<name>.sql, in the order the seed runs them. */
type SqlFile = '01_shared' | '02_tenant' | '03_problems' | '04_invalid_index' | '05_finish' | '06_vacuum_catalogs';

function demoSql(name: SqlFile): string {
  return readFileSync(resourcePath('sql', 'demo', `${name}.sql`), 'utf8');
}

/** psql-style variable substitution for the few statements that cannot be functions: :"name" and :'name'. */
export function substitutePsqlVars(sql: string, vars: Record<string, string>): string {
  return sql.replace(/:(["'])([A-Za-z_][A-Za-z0-9_]*)\1/g, (whole, quote: string, name: string) => {
    const v = vars[name];
    if (v === undefined) return whole;
    return quote === '"' ? pg.escapeIdentifier(v) : pg.escapeLiteral(v);
  });
}

/** Work through `items` on every client at once: each client takes the next item as soon as it is free. */
async function acrossClients<T>(clients: pg.Client[], items: T[], signal: AbortSignal | undefined, work: (c: pg.Client, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (c) => {
      for (;;) {
        if (signal?.aborted) throw abortError(signal);
        if (next >= items.length) return;
        await work(c, items[next++]!);
      }
    }),
  );
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('Seeding was cancelled');
  err.name = 'AbortError';
  return err;
}

async function connect(url: string, applicationName: string): Promise<pg.Client> {
  const client = await connectClient({ connectionString: url, application_name: applicationName });
  // Seed sessions: no timeouts (big DDL batches), async commit (nothing here needs to survive a crash:
  // an interrupted seed is redone from scratch), and keep DDL out of pg_stat_statements.
  await client.query(
    "SET statement_timeout = 0; SET lock_timeout = '60s'; SET idle_in_transaction_session_timeout = 0; SET synchronous_commit = off; SET client_min_messages = warning",
  );
  try {
    await client.query("SET pg_stat_statements.track = 'none'");
  } catch {
    // not a superuser, or the extension is not loaded: nothing to keep clean
  }
  return client;
}

/** Throttles progress reports to ~10 a second, always passing the first and last of a phase. */
function progressReporter(onProgress: SeedOptions['onProgress']) {
  let last = 0;
  return (phase: string, done: number, total: number) => {
    if (!onProgress) return;
    const now = Date.now();
    if (done === 0 || done >= total || now - last >= 100) {
      last = now;
      onProgress({ phase, done, total });
    }
  };
}

export async function seedDatabase(connectionString: string, opts: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const report = progressReporter(opts.onProgress);
  const signal = opts.signal;
  const plant = opts.plantProblems ?? true;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 2));
  const specs = tenantPlan(opts.tenants, { plantProblems: plant, scale: opts.scale ?? 1 });
  const anchor = opts.anchor ?? new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const phases: Record<string, number> = {};
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    signal?.throwIfAborted();
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      phases[phase] = Date.now() - t0;
    }
  };

  const admin = await connect(connectionString, 'podcastflow-seed');
  const workers: pg.Client[] = [];
  const workerPids: number[] = [];
  // Cancelling: stop the statements in flight (pg_cancel_backend), then the loops notice the signal.
  const onAbort = () => {
    if (workerPids.length === 0) return;
    admin.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [workerPids]).catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await timed('prepare', async () => {
      report('prepare', 0, 1);
      const exists = await admin.query("SELECT to_regclass('public.organizations') IS NOT NULL AS seeded");
      if (exists.rows[0]?.seeded) {
        throw new Error('This database already holds a PodcastFlow schema (public.organizations); seed an empty database.');
      }
      for (const ext of ['pg_stat_statements', 'pgstattuple']) {
        try {
          await admin.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
        } catch (err) {
          log(`Could not create extension ${ext}: ${(err as Error).message}`);
        }
      }
      await admin.query(demoSql('01_shared'));
      await admin.query(demoSql('02_tenant'));
      await admin.query(demoSql('03_problems'));
      await admin.query('SELECT podcastflow_seed.register_organizations($1, $2, $3, $4, $5)', [
        specs.map((s) => s.slug),
        specs.map((s) => s.name),
        specs.map((s) => s.planId),
        specs.map((s) => s.members),
        anchor,
      ]);
      report('prepare', 1, 1);
    });

    const openWorker = async (slot: number) => {
      const c = await connect(connectionString, 'podcastflow-seed');
      const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      workers[slot] = c;
      workerPids[slot] = r.rows[0]!.pid;
      return c;
    };
    for (let i = 0; i < Math.min(concurrency, specs.length); i++) await openWorker(i);

    await timed('tenants', async () => {
      log(`Creating ${specs.length} tenant schema${specs.length === 1 ? '' : 's'} over ${workers.length} connection${workers.length === 1 ? '' : 's'}…`);
      let next = 0;
      let done = 0;
      report('tenants', 0, specs.length);
      await Promise.all(
        workers.map(async (_, slot) => {
          let c = workers[slot]!;
          for (let built = 0; ; built++) {
            if (signal?.aborted) throw abortError(signal);
            const s = specs[next++];
            if (!s) return;
            // A backend that created thousands of relations keeps them all in its caches and processes
            // every other backend's invalidations against them: its DDL slows down as it goes (quadratic
            // overall). A fresh session every 50 tenants keeps the rate flat: 2,000 tenants took 140 s
            // without, 51 s with (same machine, same load).
            if (built > 0 && built % 50 === 0) {
              await c.end().catch(() => undefined);
              c = await openWorker(slot);
            }
            await c.query('SELECT podcastflow_seed.build_tenant($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)', [
              s.schema, s.ordinal, anchor, s.migration42,
              s.shows, s.episodes, s.campaigns, s.adSlots, s.impressions, s.invoices, s.audit,
            ]);
            report('tenants', ++done, specs.length);
          }
        }),
      );
    });

    // Every tenant was ANALYZEd as it was built; what changed since is analyzed again at the end.
    const touched = new Set<string>(['public']);
    if (opts.workload ?? true) {
      const schemas = await timed('workload', () => runWorkload(connectionString, specs, workers.length, report, signal));
      for (const s of schemas) touched.add(s);
    }

    const problems = plant ? await timed('problems', () => plantProblems(admin, connectionString, specs.length, report, log)) : [];
    for (const p of problems) for (const t of p.tenants) touched.add(t);

    await timed('analyze', () => analyzeSchemas(admin, workers, [...touched], report, signal));

    await timed('finish', async () => {
      await admin.query(demoSql('05_finish'));
    });
    await timed('catalogs', () => vacuumCatalogs(admin));

    const durationMs = Date.now() - started;
    log(`Seeded ${specs.length} tenant${specs.length === 1 ? '' : 's'} in ${(durationMs / 1000).toFixed(1)} s.`);
    return { tenants: specs.map((s) => s.schema), durationMs, problems, phases };
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all([admin, ...workers].map((c) => c.end().catch(() => undefined)));
  }
}

async function plantProblems(
  admin: pg.Client,
  url: string,
  tenantCount: number,
  report: (phase: string, done: number, total: number) => void,
  log: (msg: string) => void,
): Promise<PlantedProblem[]> {
  const problems = plannedProblems(tenantCount);
  const schemaOf = (key: ProblemKey) => problems.find((p) => p.key === key)!.tenants;
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['table_bloat', () => admin.query('SELECT podcastflow_seed.plant_table_bloat($1)', [schemaOf('table_bloat')[0]])],
    ['unused_index', () => admin.query('SELECT podcastflow_seed.plant_unused_index($1)', [schemaOf('unused_index')[0]])],
    ['duplicate_index', () => admin.query('SELECT podcastflow_seed.plant_duplicate_index($1)', [schemaOf('duplicate_index')[0]])],
    [
      'invalid_index',
      async () => {
        // CREATE INDEX CONCURRENTLY: in its own autocommit session (never inside a transaction); it waits for
        // older transactions in this database, and fails by design on the duplicate advertisers.
        const c = await connectClient({ connectionString: url, application_name: 'podcastflow-seed' });
        try {
          await c.query("SET statement_timeout = 0; SET lock_timeout = '60s'");
          await c.query(substitutePsqlVars(demoSql('04_invalid_index'), { schema: schemaOf('invalid_index')[0]! }));
          throw new Error('CREATE UNIQUE INDEX CONCURRENTLY unexpectedly succeeded: the planted invalid index is missing');
        } catch (err) {
          if ((err as { code?: string }).code !== '23505') throw err; // unique_violation is the expected failure
        } finally {
          await c.end().catch(() => undefined);
        }
      },
    ],
    ['missed_migration', async () => undefined], // made when the tenant was built
    ['cross_tenant_grant', () => admin.query('SELECT podcastflow_seed.plant_cross_tenant_grant($1)', [schemaOf('cross_tenant_grant')])],
    ['shared_table_without_rls', () => admin.query('SELECT podcastflow_seed.plant_shared_table_without_rls()')],
    ['sequence_overflow', () => admin.query('SELECT podcastflow_seed.plant_sequence_near_overflow($1)', [schemaOf('sequence_overflow')[0]])],
    [
      'security_definer_search_path',
      () => admin.query('SELECT podcastflow_seed.plant_security_definer_search_path($1)', [schemaOf('security_definer_search_path')[0]]),
    ],
  ];
  let done = 0;
  report('problems', 0, steps.length);
  for (const [, step] of steps) {
    await step();
    report('problems', ++done, steps.length);
  }
  log(`Planted ${problems.length} problems (see docs/demo-problems.md).`);
  return problems;
}

/** VACUUM (ANALYZE) every system catalog (06_vacuum_catalogs.sql): the state autovacuum keeps them in. */
export async function vacuumCatalogs(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ statement: string }>(demoSql('06_vacuum_catalogs'));
  await client.query(rows[0]!.statement);
}

/** ANALYZE every table of the given schemas, one schema per statement, spread over the worker connections. */
async function analyzeSchemas(
  admin: pg.Client,
  workers: pg.Client[],
  schemas: string[],
  report: (phase: string, done: number, total: number) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { rows } = await admin.query<{ nspname: string; tables: string[] }>(
    `SELECT n.nspname, array_agg(format('%I.%I', n.nspname, c.relname) ORDER BY c.relname) AS tables
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = ANY ($1::text[])
     GROUP BY n.nspname
     ORDER BY sum(c.relpages) DESC`,
    [schemas],
  );
  const batches = rows.map((r) => r.tables);
  let done = 0;
  report('analyze', 0, batches.length);
  await acrossClients(workers.length > 0 ? workers : [admin], batches, signal, async (c, b) => {
    await c.query(`ANALYZE ${b.join(', ')}`);
    report('analyze', ++done, batches.length);
  });
}

/**
 * A short, representative application workload (a few hundred statements, parameterised like the app's):
 * lookups by id, campaign -> ad_slots -> impressions joins, per-day aggregates and a few sequential scans
 * of a big table. It runs before the problems are planted, so the planted unused index is never scanned.
 */
async function runWorkload(
  url: string,
  specs: TenantSpec[],
  connections: number,
  report: (phase: string, done: number, total: number) => void,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  // The three big tenants, the first medium one, and a spread of small ones.
  const picks = new Map<number, TenantSpec>();
  for (const s of specs) if (s.tier === 'big' || s.ordinal === 4) picks.set(s.ordinal, s);
  const step = Math.max(1, Math.floor(specs.length / 20));
  for (let i = 0; i < specs.length && picks.size < 24; i += step) {
    const s = specs[i]!;
    if (s.tier !== 'trial') picks.set(s.ordinal, s);
  }
  // public.users ids are assigned in (organization, k) order: the first user id of each tenant.
  const firstUser = new Map<number, number>();
  let uid = 1;
  for (const s of specs) {
    firstUser.set(s.ordinal, uid);
    uid += Math.max(1, s.members);
  }
  type Q = { text: string; values: unknown[] };
  const queries: Q[] = [];
  for (const s of picks.values()) {
    const t = pg.escapeIdentifier(s.schema);
    const big = s.tier === 'big';
    const reps = big ? 6 : 2;
    const id = (k: number, max: number) => 1 + ((k * 7919 + s.ordinal) % Math.max(1, max));
    queries.push({ text: 'SELECT id, slug, name, plan_id, schema_name FROM public.organizations WHERE slug = $1', values: [s.slug] });
    for (let k = 0; k < reps; k++) {
      if (s.campaigns > 0) {
        queries.push({ text: `SELECT * FROM ${t}.campaigns WHERE id = $1`, values: [id(k, s.campaigns)] });
        queries.push({ text: `SELECT id, number, amount_cents, status FROM ${t}.invoices WHERE campaign_id = $1 ORDER BY issued_on DESC`, values: [id(k + 1, s.campaigns)] });
        queries.push({ text: `SELECT ${t}.campaign_spend($1) AS spend_cents`, values: [id(k + 2, s.campaigns)] });
        queries.push({
          text: `SELECT c.id, c.name, count(i.id) AS impressions, count(DISTINCT s.id) AS slots
                 FROM ${t}.campaigns c
                 JOIN ${t}.ad_slots s ON s.campaign_id = c.id
                 JOIN ${t}.impressions i ON i.ad_slot_id = s.id
                 WHERE c.id = $1
                 GROUP BY c.id, c.name`,
          values: [id(k + 3, s.campaigns)],
        });
      }
      queries.push({ text: `SELECT id, number, title, published_at FROM ${t}.episodes WHERE show_id = $1 ORDER BY published_at DESC NULLS LAST LIMIT 20`, values: [id(k, s.shows)] });
      if (s.adSlots > 0) queries.push({ text: `SELECT * FROM ${t}.ad_slots WHERE id = $1`, values: [id(k + 4, s.adSlots)] });
      if (s.adSlots > 0) queries.push({ text: `SELECT count(*) FROM ${t}.impressions WHERE ad_slot_id = $1`, values: [id(k + 5, Math.min(s.adSlots, 50))] });
      queries.push({ text: `SELECT id, action, entity, entity_id, created_at FROM ${t}.audit_log ORDER BY created_at DESC LIMIT 50`, values: [] });
      queries.push({ text: `SELECT id, email, role FROM ${t}.members WHERE user_id = $1`, values: [firstUser.get(s.ordinal)! + (k % s.members)] });
    }
    queries.push({
      text: `SELECT date_trunc('day', occurred_at) AS day, count(*) AS impressions
             FROM ${t}.impressions WHERE occurred_at >= $1::timestamptz - interval '30 days'
             GROUP BY 1 ORDER BY 1`,
      values: [new Date()],
    });
    queries.push({
      text: `SELECT event_type, sum(quantity) FROM public.usage_events WHERE organization_id = $1 GROUP BY 1`,
      values: [s.ordinal],
    });
    if (big) {
      // Reports that read the whole table (sequential scans of a big table).
      for (let k = 0; k < 3; k++) {
        queries.push({ text: `SELECT country, device, count(*) FROM ${t}.impressions GROUP BY 1, 2 ORDER BY 3 DESC`, values: [] });
      }
      queries.push({
        text: `SELECT date_trunc('day', i.occurred_at) AS day, c.advertiser, count(*)
               FROM ${t}.impressions i JOIN ${t}.ad_slots s ON s.id = i.ad_slot_id JOIN ${t}.campaigns c ON c.id = s.campaign_id
               GROUP BY 1, 2 ORDER BY 1 DESC, 3 DESC LIMIT 100`,
        values: [],
      });
      for (let k = 0; k < 5; k++) {
        queries.push({ text: `UPDATE ${t}.campaigns SET updated_at = now() WHERE id = $1`, values: [id(k, s.campaigns)] });
        queries.push({
          text: `INSERT INTO ${t}.audit_log (member_id, action, entity, entity_id, details) VALUES (NULL, 'update', 'campaign', $1, '{"via":"api"}')`,
          values: [id(k, s.campaigns)],
        });
      }
    }
  }
  let done = 0;
  const total = queries.length;
  report('workload', 0, total);
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < Math.max(1, connections); i++) {
      const c = await connectClient({ connectionString: url, application_name: 'podcastflow-pro' });
      await c.query('SET statement_timeout = 0');
      clients.push(c);
    }
    await acrossClients(clients, queries, signal, async (c, q) => {
      await c.query(q.text, q.values);
      report('workload', ++done, total);
    });
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  return [...picks.values()].map((s) => s.schema);
}
