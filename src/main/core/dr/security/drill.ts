/**
 * The corruption drill (issue 12 item 3): proves on a throwaway cluster that damage is detected and the
 * healthy rest can be salvaged, without ever touching a real database. The cluster is an embedded
 * PostgreSQL in a fresh temporary folder (as the tests and the demo start one), seeded with one small tenant;
 * a scratch table there is written, checkpointed, the server stopped, bytes of the table's heap file
 * overwritten, the server started again; then integrity_check must name that relation, salvage_dump must
 * dump the tenant without its rows, and the backup taken before the damage must restore the tenant beside
 * with the table whole. The folder is removed at the end, whatever happened.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runBackup } from '../../backup/backup';
import { LocalDestination } from '../../backup/destination';
import { generateKeyFile } from '../../backup/keys';
import { restoreBackup } from '../../backup/restore';
import { connectClient } from '../../db/client';
import { databaseFromUrl } from '../../db/database';
import { startDemo, type DemoHandle } from '../../demo/cluster';
import { integrityCheck, salvageDump, type IntegrityResult, type SalvageResult } from './integrity';
import { throwIfAborted, type Progress } from './common';

export const DRILL_TABLE = 'drill_corruption_scratch';

export interface DrillCluster {
  /** The drill's own folder (removed by dispose). */
  dir: string;
  url: string;
  tenant: string;
  handle: DemoHandle;
  dispose(): Promise<void>;
}

/** A throwaway embedded cluster with one small seeded tenant. */
export async function startDrillCluster(opts: { signal?: AbortSignal; log?: (m: string) => void } = {}): Promise<DrillCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'pfo-drill-'));
  try {
    const handle = await startDemo({ dataDir: dir, port: 55432 + Math.floor(Math.random() * 2000), tenants: 1, scale: 0.02, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.log ? { log: opts.log } : {}) });
    const c = await connectClient({ connectionString: handle.url });
    try {
      const tenant = (await c.query<{ s: string }>("SELECT min(nspname) AS s FROM pg_namespace WHERE nspname LIKE 'org\\_%'")).rows[0]!.s;
      const cluster: DrillCluster = {
        dir,
        url: handle.url,
        tenant,
        handle,
        dispose: async () => {
          await cluster.handle.stop().catch(() => undefined);
          await rm(dir, { recursive: true, force: true });
        },
      };
      return cluster;
    } finally {
      await c.end();
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface CorruptionDrillResult {
  tenant: string;
  damaged: string;
  /** integrity_check before the damage (must be clean) and after it. */
  before: IntegrityResult;
  after: IntegrityResult;
  detected: boolean;
  salvage: SalvageResult;
  /** The tenant restored beside from the backup taken before the damage, and the scratch table's rows there. */
  restored: { backup: string; schema: string; rows: number; expectedRows: number };
}

const ROWS = 200;

/** Writes the scratch table, damages block 0 of its heap file with the server stopped, and checks. */
export async function runCorruptionDrill(cluster: DrillCluster, signal?: AbortSignal, progress?: Progress): Promise<CorruptionDrillResult> {
  const { tenant } = cluster;
  const damaged = `${tenant}.${DRILL_TABLE}`;
  const c = await connectClient({ connectionString: cluster.url });
  let file: string;
  try {
    await c.query(`CREATE TABLE ${pg.escapeIdentifier(tenant)}.${DRILL_TABLE} (id int PRIMARY KEY, note text NOT NULL)`);
    await c.query(`INSERT INTO ${pg.escapeIdentifier(tenant)}.${DRILL_TABLE} SELECT g, 'row ' || g FROM generate_series(1, ${ROWS}) g`);
    await c.query('CHECKPOINT');
    const r = await c.query<{ path: string }>('SELECT pg_relation_filepath($1::regclass) AS path', [`${pg.escapeIdentifier(tenant)}.${DRILL_TABLE}`]);
    file = join(cluster.handle.clusterDir, r.rows[0]!.path);
  } finally {
    await c.end();
  }
  const check = () => integrityCheck({ url: cluster.url, schema: tenant, installMissing: true }, signal, progress);
  const before = await check();
  throwIfAborted(signal);
  // The backup a real incident would restore from: taken while the table was whole.
  const dest = new LocalDestination(join(cluster.dir, 'backups'));
  const key = await generateKeyFile(join(cluster.dir, 'keys'));
  const db = await databaseFromUrl(cluster.url);
  let backup: string;
  try {
    backup = (await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant }, ...(signal ? { signal } : {}) })).manifest.name;
  } finally {
    await db.close();
  }
  await cluster.handle.stop();
  // Block 0's line pointer array (after the 24-byte page header): every tuple's offset and length garbled.
  const h = await open(file, 'r+');
  try {
    await h.write(Buffer.alloc(64, 0x7f), 0, 64, 24);
    await h.sync();
  } finally {
    await h.close();
  }
  cluster.handle = await startDemo({ dataDir: cluster.dir, port: cluster.handle.port });
  cluster.url = cluster.handle.url;
  const after = await check();
  const detected = after.findings.some((f) => f.relation === damaged);
  const salvage = await salvageDump({ url: cluster.url, tenant, exclude: after.damagedTables ?? [DRILL_TABLE], file: join(cluster.dir, `${tenant}.salvage.dump`) }, signal, progress);
  const live = await databaseFromUrl(cluster.url);
  try {
    const out = await restoreBackup({ db: live, dest, name: backup, keys: [key], ...(signal ? { signal } : {}) });
    const schema = out.schema!;
    const n = await live.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(schema)}.${DRILL_TABLE}`, [], { purpose: 'admin' });
    return { tenant, damaged, before, after, detected, salvage, restored: { backup, schema, rows: n.rows[0]!.n, expectedRows: ROWS } };
  } finally {
    await live.close();
  }
}
