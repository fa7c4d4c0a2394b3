/**
 * Backups under hostile names and bad luck, on real parts (embedded PostgreSQL 15, the machine's bash,
 * openssl, pg_dump and pg_restore): a tenant whose name is shell syntax, destinations that cannot be used,
 * restores that are cancelled, broken or raced, and verifies that cannot reach a verdict.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/main/app';
import { runBackup } from '../../src/main/core/backup/backup';
import { readCatalog } from '../../src/main/core/backup/catalog';
import { openDestination, type Destination } from '../../src/main/core/backup/destination';
import { loadKeyFile, type BackupKey } from '../../src/main/core/backup/keys';
import { restoreBackup, restoreLockKey, verifyBackup } from '../../src/main/core/backup/restore';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { silentLogger } from '../../src/main/core/util/log';
import { createScratchDatabase, databaseUrl, withClient, type ScratchDatabase } from '../support/db';

const run = promisify(execFile);
/** The database backed up here: two tenants, NASTY (3 notes) and PLAIN (2 notes), nothing else. */
let scratch: ScratchDatabase;
let db: Database;
/** Backups, key file and fake tool folders. */
let work: string;
let keyPath: string;
let key: BackupKey;
/** Where this file's restores decrypt to (TMPDIR), so "no plaintext left" can be checked without other files' restores. */
let privateTmp: string;
let savedTmp: string | undefined;
const marker = join(tmpdir(), `pfo-pwned-${process.pid}`);
/** Quote, command substitution, a line break, a command after it. */
const NASTY = `org_x'$(touch ${marker})\n;rm -rf "x`;
const PLAIN = 'org_plain';

function open(url: string): Database {
  const { target, password } = parseUrl(`${url}${url.includes('?') ? '&' : '?'}sslmode=disable`);
  return new Database(target, password ? { password, source: 'url' } : { source: 'none' });
}

async function rowsOf(url: string, schema: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query(`SELECT count(*) AS n FROM ${c.escapeIdentifier(schema)}.notes`)).rows[0].n));
}

async function schemasOf(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'org%' ORDER BY 1")).rows.map((r) => r.n));
}

async function databaseExists(name: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name], { purpose: 'admin' })).rowCount === 1;
}

/** Files left under the private temp dir (decrypted archives live in pfo-restore-* folders there). */
async function leftInTmp(): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await readdir(privateTmp)).filter((n) => n.startsWith('pfo-'))) {
    const p = join(privateTmp, d);
    out.push(d, ...((await stat(p)).isDirectory() ? (await readdir(p)).map((f) => `${d}/${f}`) : []));
  }
  return out;
}

/** The scratch database a restore or verify names in its log. */
function scratchFrom(lines: string[]): string | undefined {
  for (const l of lines) {
    const m = /scratch database (\S+?)\.$/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

/** A PODCASTFLOW_OPS_PG_BIN folder whose pg_restore is `script` (bash; REAL is the real one). */
async function fakePgRestore(name: string, script: string): Promise<string> {
  const bin = join(work, name);
  await mkdir(bin, { recursive: true });
  const real = execFileSync('which', ['pg_restore']).toString().trim();
  await writeFile(join(bin, 'pg_restore'), `#!/bin/bash\nREAL=${real}\n[ "$1" = --version ] && exec $REAL --version\n${script}\n`, { mode: 0o755 });
  return bin;
}

async function withPgBin<T>(bin: string, fn: () => Promise<T>): Promise<T> {
  process.env.PODCASTFLOW_OPS_PG_BIN = bin;
  try {
    return await fn();
  } finally {
    delete process.env.PODCASTFLOW_OPS_PG_BIN;
  }
}

beforeAll(async () => {
  scratch = await createScratchDatabase();
  await withClient(scratch.url, async (c) => {
    for (const [schema, n] of [
      [NASTY, 3],
      [PLAIN, 2],
    ] as const) {
      const s = c.escapeIdentifier(schema);
      await c.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.notes (id int PRIMARY KEY, body text); INSERT INTO ${s}.notes SELECT g, 'note ' || g FROM generate_series(1, ${n}) g`);
    }
    // Some MB of hard-to-compress data, so that a pipe into a pg_restore that died is still being written to.
    await c.query(`CREATE TABLE ${PLAIN}.blobs AS SELECT g AS id, string_agg(md5(g::text || '.' || i), '') AS body FROM generate_series(1, 4000) g, generate_series(1, 16) i GROUP BY g`);
  });
  db = open(scratch.url);
  work = await mkdtemp(join(tmpdir(), 'pfo-safety-test-'));
  keyPath = join(work, 'backup.key');
  await writeFile(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString(), { mode: 0o600 });
  key = await loadKeyFile(keyPath);
  privateTmp = join(work, 'tmp');
  await mkdir(privateTmp);
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
});

afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await db?.close();
  await scratch?.drop();
  await rm(work, { recursive: true, force: true });
  await rm(marker, { force: true });
});

describe('a tenant whose name is shell syntax', () => {
  it('backs up, and its restore.sh (run as ./NAME.restore.sh with a relative key path) restores it and runs nothing else', async () => {
    const dir = join(work, 'nasty');
    const out = await runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'tenant', tenant: NASTY } });
    const script = join(dir, out.manifest.files.restoreScript);
    expect((await stat(script)).mode & 0o777).toBe(0o700);
    // Its own usage line.
    const usage = (await run(script, [], { cwd: work }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/^usage: bash .*\.restore\.sh KEYFILE TARGET_DATABASE_URL/);

    const target = await createScratchDatabase();
    try {
      const url = databaseUrl(target.url, target.name);
      const { stdout, stderr } = await run(script, [relative(dir, keyPath), url], { cwd: dir });
      expect(existsSync(marker)).toBe(false);
      expect(await schemasOf(target.url)).toEqual([NASTY]);
      expect(await rowsOf(target.url, NASTY)).toBe(3);
      const password = decodeURIComponent(new URL(url).password);
      if (password) expect(stdout + stderr).not.toContain(password);
      expect(stderr).toContain('restoring into');
    } finally {
      await target.drop();
    }
  });

  it('from an all-tenants backup, restore.sh TENANT brings back that tenant alone (a fixed-string match), and so does the console', async () => {
    const dir = join(work, 'nasty-all');
    const out = await runBackup({ db, dest: openDestination(dir), key, scope: { kind: 'all-tenants', pattern: 'org_%' } });
    expect(out.manifest.tenants).toEqual([NASTY, PLAIN].sort());
    const target = await createScratchDatabase();
    try {
      await run('bash', [join(dir, out.manifest.files.restoreScript), keyPath, databaseUrl(target.url, target.name), NASTY], { cwd: work });
      expect(existsSync(marker)).toBe(false);
      expect(await schemasOf(target.url)).toEqual([NASTY]);
      expect(await rowsOf(target.url, NASTY)).toBe(3);
      // A tenant the backup does not hold: refused, nothing restored.
      const other = (await run('bash', [join(dir, out.manifest.files.restoreScript), keyPath, databaseUrl(target.url, target.name), 'org_x']).catch((e: unknown) => e)) as { code: number };
      expect(other.code).toBe(65);
    } finally {
      await target.drop();
    }
    const r = await restoreBackup({ db, dest: openDestination(dir), name: out.manifest.name, keys: [key], tenant: NASTY });
    expect(r.mismatches).toEqual([]);
    expect(await rowsOf(scratch.url, r.schema!)).toBe(3);
    await withClient(scratch.url, (c) => c.query(`DROP SCHEMA ${c.escapeIdentifier(r.schema!)} CASCADE`));
    expect(existsSync(marker)).toBe(false);
  });
});

describe('destinations are checked', () => {
  it('a folder under /proc fails at once as a failed mkdir (it used to spin for ever)', async () => {
    const err = (await runBackup({ db, dest: openDestination('/proc/pfo-nope/backups'), key, scope: { kind: 'tenant', tenant: PLAIN } }).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('destination_not_found');
    expect(err.message).toContain('/proc/pfo-nope/backups');
    expect(err.message).toContain('mkdir');
    expect(err.message).not.toMatch(/pg_dump/);
  });

  it('a file is not a folder, in a backup and when saved in the settings', async () => {
    const file = join(work, 'a-file');
    await writeFile(file, 'x');
    await expect(runBackup({ db, dest: openDestination(file), key, scope: { kind: 'tenant', tenant: PLAIN } })).rejects.toMatchObject({ code: 'destination_not_a_folder', message: expect.stringContaining(file) });
    const app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: join(work, 'app') });
    try {
      await expect(app.backups.configure({ destination: join(file, 'sub') })).rejects.toMatchObject({ code: 'destination_not_a_folder' });
      await expect(app.backups.configure({ destination: '/proc/pfo-nope' })).rejects.toMatchObject({ code: 'destination_not_found' });
      const good = join(work, 'made', 'by', 'settings');
      await app.backups.configure({ destination: good });
      expect((await stat(good)).isDirectory()).toBe(true);
      expect(await readdir(good)).toEqual([]); // the probe file is gone
    } finally {
      await app.close();
    }
  });

  it('backups list: a missing folder exits 3 "destination not found", an empty one 0 "no backups yet"', async () => {
    const missing = join(work, 'no-such-folder');
    const a = (await run('node', ['bin/podcastflow-ops.js', 'backups', 'list', '--dest', missing, '--json']).catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(a.code).toBe(3);
    expect(JSON.parse(a.stdout).error).toMatchObject({ code: 'destination_not_found', message: expect.stringContaining('Destination not found') });
    const empty = join(work, 'empty');
    await mkdir(empty);
    const b = await run('node', ['bin/podcastflow-ops.js', 'backups', 'list', '--dest', empty]);
    expect(b.stdout).toContain('No backups yet');
  });
});

describe('decrypted data never outlives a failed restore', () => {
  let dest: Destination;
  let name: string;
  beforeAll(async () => {
    dest = openDestination(join(work, 'plain'));
    name = (await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant: PLAIN } })).manifest.name;
  });

  it('cancel mid-restore: no plaintext under the temp dir, no scratch database, no side schema', async () => {
    const c = new AbortController();
    const lines: string[] = [];
    const log = (l: string) => {
      lines.push(l);
      if (/into scratch database/.test(l)) c.abort();
    };
    await expect(restoreBackup({ db, dest, name, keys: [key], target: 'org_plain__cancelled', signal: c.signal, log })).rejects.toMatchObject({ code: 'cancelled' });
    expect(await leftInTmp()).toEqual([]);
    expect(await databaseExists(scratchFrom(lines)!)).toBe(false);
    expect(await schemasOf(scratch.url)).not.toContain('org_plain__cancelled');
  });

  it('pg_restore dying in the copy step (EPIPE on its stdin) is an error, not a crash, and leaves nothing', async () => {
    // The copy step's pg_restore reads a little of its stdin, then dies.
    const bin = await fakePgRestore('epipe-bin', 'for a in "$@"; do [ "$a" = --single-transaction ] && { head -c 16384 > /dev/null; echo "pg_restore: error: simulated failure" >&2; exit 1; }; done\nexec $REAL "$@"');
    const lines: string[] = [];
    const err = await withPgBin(bin, () => restoreBackup({ db, dest, name, keys: [key], target: 'org_plain__epipe', log: (l) => lines.push(l) }).catch((e: unknown) => e));
    expect(err).toMatchObject({ code: 'tool_failed', message: expect.stringContaining('simulated failure') });
    expect(await leftInTmp()).toEqual([]);
    expect(await databaseExists(scratchFrom(lines)!)).toBe(false);
    expect(await schemasOf(scratch.url)).not.toContain('org_plain__epipe');
  });

  it('a second restore into the same target is refused up front, in this process and from another session', async () => {
    let second: Promise<unknown> | undefined;
    const first = restoreBackup({
      db,
      dest,
      name,
      keys: [key],
      target: 'org_plain__race',
      log: (l) => {
        if (/into scratch database/.test(l)) second ??= restoreBackup({ db, dest, name, keys: [key], target: 'org_plain__race' }).catch((e: unknown) => e);
      },
    });
    const out = await first;
    expect(await second).toMatchObject({ code: 'restore_in_progress', message: expect.stringContaining('org_plain__race') });
    expect(out.schema).toBe('org_plain__race');
    expect(await rowsOf(scratch.url, 'org_plain__race')).toBe(2);
    await db.query('DROP SCHEMA org_plain__race CASCADE', [], { purpose: 'admin' });

    // Another process holding the target's advisory lock.
    await withClient(scratch.url, async (c) => {
      await c.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [restoreLockKey(db, { schema: 'org_plain__race' })]);
      await expect(restoreBackup({ db, dest, name, keys: [key], target: 'org_plain__race' })).rejects.toMatchObject({ code: 'restore_in_progress' });
      // A replace writes the tenant itself: refused while another session restores into it.
      await c.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [restoreLockKey(db, { schema: PLAIN })]);
      await expect(restoreBackup({ db, dest, name, keys: [key], mode: 'replace', confirm: PLAIN })).rejects.toMatchObject({ code: 'restore_in_progress', message: expect.stringContaining(PLAIN) });
    });
    expect(await leftInTmp()).toEqual([]);
    expect(await schemasOf(scratch.url)).not.toContain('org_plain__race');
  });
});

describe('verify verdicts are about the backup only', () => {
  let dest: Destination;
  let name: string;
  const verifyFile = () => readFile(join(work, 'verify', `${name}.verify.json`), 'utf8').then(JSON.parse, () => undefined);
  beforeAll(async () => {
    dest = openDestination(join(work, 'verify'));
    name = (await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant: PLAIN } })).manifest.name;
  });

  it('a too-old local pg_restore records "could not verify", the backup stays unverified, the CLI exits 3', async () => {
    const bin = join(work, 'old-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'pg_restore'), '#!/bin/sh\necho "pg_restore (PostgreSQL) 13.4"\n', { mode: 0o755 });
    const rec = await withPgBin(bin, () => verifyBackup({ db, dest, name, keys: [key] }));
    expect(rec).toMatchObject({ ok: false, status: 'could-not-verify', error: expect.stringMatching(/^could not verify: pg_restore 13\.4/) });
    const entry = (await readCatalog(dest)).find((e) => e.id === name)!;
    expect(entry.verified).toBeUndefined();
    expect(entry.verifyAttempt?.reason).toMatch(/could not verify/);
    const cli = (await run('node', ['bin/podcastflow-ops.js', 'verify', '--backup', join(work, 'verify', `${name}.manifest.json`), '--db', `${scratch.url}?sslmode=disable`, '--key-file', keyPath], { env: { ...process.env, PODCASTFLOW_OPS_PG_BIN: bin } }).catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(cli.code).toBe(3);
    expect(cli.stdout).toContain('could not verify');
  });

  it('a session lost under pg_restore is "could not verify", and never overwrites an earlier verdict', async () => {
    const lost = await fakePgRestore('lost-bin', 'echo "pg_restore: error: connection to server on socket failed: server closed the connection unexpectedly" >&2\nexit 1');
    expect((await withPgBin(lost, () => verifyBackup({ db, dest, name, keys: [key] }))).status).toBe('could-not-verify');
    expect((await verifyBackup({ db, dest, name, keys: [key] })).status).toBe('restorable');
    expect((await withPgBin(lost, () => verifyBackup({ db, dest, name, keys: [key] }))).status).toBe('could-not-verify');
    expect(await verifyFile()).toMatchObject({ ok: true, status: 'restorable' });
    expect((await readCatalog(dest)).find((e) => e.id === name)!.verified?.ok).toBe(true);
  });

  it('a cancel during verify is recorded as "could not verify: cancelled" (no failed verdict), leaving no scratch database', async () => {
    const other = openDestination(join(work, 'verify-cancel'));
    const n = (await runBackup({ db, dest: other, key, scope: { kind: 'tenant', tenant: PLAIN } })).manifest.name;
    const c = new AbortController();
    const lines: string[] = [];
    await expect(
      verifyBackup({
        db,
        dest: other,
        name: n,
        keys: [key],
        signal: c.signal,
        log: (l) => {
          lines.push(l);
          c.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(JSON.parse(await readFile(join(work, 'verify-cancel', `${n}.verify.json`), 'utf8'))).toMatchObject({ ok: false, status: 'could-not-verify', error: 'could not verify: cancelled' });
    expect((await readCatalog(other))[0]!.verified).toBeUndefined();
    expect(await databaseExists(scratchFrom(lines)!)).toBe(false);
    expect(await leftInTmp()).toEqual([]);
  });

  it('a damaged backup is still a failed verdict', async () => {
    const enc = join(work, 'verify', `${name}.dump.enc`);
    const buf = await readFile(enc);
    const at = buf.length >> 1;
    buf[at] = buf[at]! ^ 1;
    await writeFile(enc, buf);
    expect(await verifyBackup({ db, dest, name, keys: [key] })).toMatchObject({ ok: false, status: 'not-restorable', error: expect.stringContaining('does not match') });
  });
});
