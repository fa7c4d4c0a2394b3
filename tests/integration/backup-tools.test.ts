/**
 * The PostgreSQL client programs are found and version-checked once per request, not once per step:
 * PODCASTFLOW_OPS_PG_BIN points at wrappers that note every call and run the real program.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/main/core/backup/backup';
import { openDestination } from '../../src/main/core/backup/destination';
import { loadKeyFile, type BackupKey } from '../../src/main/core/backup/keys';
import { restoreBackup, verifyBackup } from '../../src/main/core/backup/restore';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { createScratchDatabase, type ScratchDatabase } from '../support/db';

const TOOLS = ['pg_dump', 'pg_restore', 'pg_dumpall'] as const;
let scratch: ScratchDatabase;
let db: Database;
let work: string;
let bin: string;
let key: BackupKey;

/** How often each tool was asked for its version (how often it was resolved) since the last reset. */
async function versionCalls(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TOOLS) out[t] = (await readFile(join(work, `${t}.calls`), 'utf8').catch(() => '')).split('\n').filter((l) => l === '--version').length;
  return out;
}

async function resetCalls(): Promise<void> {
  for (const t of TOOLS) await rm(join(work, `${t}.calls`), { force: true });
}

beforeAll(async () => {
  scratch = await createScratchDatabase();
  const { target, password } = parseUrl(`${scratch.url}${scratch.url.includes('?') ? '&' : '?'}sslmode=disable`);
  db = new Database(target, password ? { password, source: 'url' } : { source: 'none' });
  for (const t of ['org_a', 'org_b']) await db.query(`CREATE SCHEMA ${t}; CREATE TABLE ${t}.notes (id int PRIMARY KEY); INSERT INTO ${t}.notes SELECT generate_series(1, 3)`, [], { purpose: 'admin' });
  work = await mkdtemp(join(tmpdir(), 'pfo-tools-test-'));
  bin = join(work, 'bin');
  await mkdir(bin);
  for (const t of TOOLS) {
    const real = execFileSync('which', [t]).toString().trim();
    await writeFile(join(bin, t), `#!/bin/bash\nprintf '%s\\n' "$1" >> '${join(work, `${t}.calls`)}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  const keyPath = join(work, 'backup.key');
  await writeFile(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString(), { mode: 0o600 });
  key = await loadKeyFile(keyPath);
  // Every run of this file goes through the wrappers.
  process.env.PODCASTFLOW_OPS_PG_BIN = bin;
});

afterAll(async () => {
  delete process.env.PODCASTFLOW_OPS_PG_BIN;
  await db?.close();
  await scratch?.drop();
  await rm(work, { recursive: true, force: true });
});

describe('server tools', () => {
  it('a tenant restore from an all-tenants backup resolves pg_restore and pg_dump once each', async () => {
    const dest = openDestination(join(work, 'all'));
    const { manifest } = await runBackup({ db, dest, key, scope: { kind: 'all-tenants', pattern: 'org\\_%' } });
    await resetCalls();
    // Three steps run pg_restore (the table of contents, the scratch restore, the copy across), one pg_dump.
    const out = await restoreBackup({ db, dest, name: manifest.name, keys: [key], tenant: 'org_a' });
    expect(out).toMatchObject({ tenant: 'org_a', rows: 3, mismatches: [] });
    expect(await versionCalls()).toEqual({ pg_dump: 1, pg_restore: 1, pg_dumpall: 0 });
  });

  it('a full backup resolves pg_dump and pg_dumpall once each, and its verify pg_restore once', async () => {
    const dest = openDestination(join(work, 'full'));
    await resetCalls();
    const { manifest } = await runBackup({ db, dest, key, scope: { kind: 'full' } });
    expect(await versionCalls()).toEqual({ pg_dump: 1, pg_restore: 0, pg_dumpall: 1 });
    await resetCalls();
    expect((await verifyBackup({ db, dest, name: manifest.name, keys: [key] })).status).toBe('restorable');
    expect((await versionCalls()).pg_restore).toBe(1);
  });
});
