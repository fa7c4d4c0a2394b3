/**
 * vitest globalSetup: ONE embedded Postgres 15 for the whole test run, in a fresh temp directory, on a free
 * port, its `podcastflow` database seeded with TEST_TENANTS tenants and every planted problem
 * (docs/demo-problems.md). Tests read it with inject('pgUrl') (seeded database; treat it as read-only) and
 * inject('pgAdminUrl') (the `postgres` database, for CREATE DATABASE; see tests/support/db.ts).
 *
 * PODCASTFLOW_TEST_LOG=1 shows the cluster's progress lines.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { removeOrphanClusters, startDemo, type DemoHandle } from '../../src/main/core/demo/cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The seeded `podcastflow` database (TEST_TENANTS tenants, planted problems). Don't write to it. */
    pgUrl: string;
    /** The same server's `postgres` database: connect here to CREATE / DROP DATABASE. */
    pgAdminUrl: string;
  }
}

/** Tenants in the shared seeded database. */
export const TEST_TENANTS = 12;

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'podcastflow-test-'));
  const verbose = !!process.env.PODCASTFLOW_TEST_LOG;
  let demo: DemoHandle | undefined;
  try {
    demo = await startDemo({
      dataDir: dir,
      port: await freePort(),
      tenants: TEST_TENANTS,
      log: (m) => {
        if (verbose) console.error(`[pg] ${m}`);
      },
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  console.error(
    `[pg] embedded Postgres on ${demo.host}:${demo.port}, ${demo.tenants} tenants seeded in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`,
  );
  project.provide('pgUrl', demo.url);
  project.provide('pgAdminUrl', demo.adminUrl);
  const handle = demo;
  return async () => {
    await handle.stop();
    await rm(dir, { recursive: true, force: true });
    // Had the cluster been relocated (a TMPDIR the postgres OS user cannot reach), it goes now too.
    await removeOrphanClusters();
  };
}
