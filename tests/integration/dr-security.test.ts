/**
 * The security DR actions of issue 12 on real parts (embedded PostgreSQL 15, a local backup destination, the
 * test Secrets Manager): breach scope, lock and unlock, evidence capture, the backup integrity sweep and the
 * password rotation. Roles are cluster-wide, so every role here has a random suffix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/main/core/backup/backup';
import { LocalDestination, S3Destination } from '../../src/main/core/backup/destination';
import { loadKeyFile, type BackupKey } from '../../src/main/core/backup/keys';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { breachScope, breachScopeCsv } from '../../src/main/core/dr/security/breach';
import { rows } from '../../src/main/core/dr/security/common';
import { captureEvidence } from '../../src/main/core/dr/security/evidence';
import { lockRole, unlockRole } from '../../src/main/core/dr/security/lock';
import { rotateRolePassword } from '../../src/main/core/dr/security/rotate';
import { backupIntegritySweep } from '../../src/main/core/dr/security/sweep';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/db';
import { startS3 } from '../support/s3';
import { withSecretsManager } from '../support/secrets-manager-server';

const q = pg.escapeIdentifier;
const suffix = randomBytes(4).toString('hex');
const ROLE = `pfo_breach_${suffix}`;
const MEMBER_OF = `pfo_breach_team_${suffix}`;
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

let scratch: ScratchDatabase;
let client: pg.Client;
let tenants: string[];
let work: string;

/** Every grant on tenant schemas and objects, and the role's LOGIN: what lock + unlock must give back. */
async function state(): Promise<{ canLogin: boolean; grants: string[] }> {
  const login = await client.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [ROLE]);
  const grants = await rows<Record<string, unknown>>(client, 'dr_tenant_grants', ['org_%', null, null, null]);
  return { canLogin: login.rows[0]!.rolcanlogin, grants: grants.map((g) => JSON.stringify(g)).sort() };
}

function open(url: string): Database {
  const { target, password } = parseUrl(`${url}?sslmode=disable`);
  return new Database(target, password ? { password, source: 'url' } : { source: 'none' });
}

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 4, workload: false, plantProblems: false, scale: 0.05 });
  client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  tenants = (await client.query<{ s: string }>("SELECT schema_name AS s FROM public.organizations ORDER BY 1")).rows.map((r) => r.s);
  const [a, b, c] = tenants as [string, string, string];
  // One tenant through a direct grant, one through a role membership, one through default privileges.
  await client.query(`CREATE ROLE ${q(ROLE)} LOGIN PASSWORD '${PASSWORD}'`);
  await client.query(`CREATE ROLE ${q(MEMBER_OF)} NOLOGIN`);
  await client.query(`GRANT USAGE ON SCHEMA ${q(a)} TO ${q(ROLE)}; GRANT SELECT ON ${q(a)}.shows TO ${q(ROLE)}`);
  await client.query(`GRANT USAGE ON SCHEMA ${q(b)} TO ${q(MEMBER_OF)}; GRANT SELECT ON ${q(b)}.episodes TO ${q(MEMBER_OF)}; GRANT ${q(MEMBER_OF)} TO ${q(ROLE)}`);
  await client.query(`GRANT USAGE ON SCHEMA ${q(c)} TO ${q(ROLE)}; ALTER DEFAULT PRIVILEGES FOR ROLE podcastflow_app IN SCHEMA ${q(c)} GRANT SELECT ON TABLES TO ${q(ROLE)}`);
  work = await mkdtemp(join(tmpdir(), 'pfo-dr-security-'));
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await scratch?.drop();
  if (scratch) await withClient(scratch.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), async (c) => {
    await c.query(`DROP ROLE IF EXISTS ${q(ROLE)}`);
    await c.query(`DROP ROLE IF EXISTS ${q(MEMBER_OF)}`);
  }).catch(() => undefined);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('breach scope', () => {
  it('lists exactly the three planted tenants, each with how and its organisation\'s owners', async () => {
    const scope = await breachScope(client, { role: ROLE });
    const [a, b, c] = tenants;
    expect(scope.role).toBe(ROLE);
    expect(scope.tenants.map((t) => t.tenant)).toEqual([a, b, c]);
    expect(scope.tenants[0]!.via).toEqual(['grant']);
    expect(scope.tenants[1]!.via).toEqual([`membership:${MEMBER_OF}`]);
    expect(scope.tenants[2]!.via).toEqual(['default_privileges']);
    for (const t of scope.tenants) {
      expect(t.contacts?.organization, t.tenant).toBeTruthy();
      expect(t.contacts?.owners.length, t.tenant).toBe(1);
      expect(t.contacts?.owners[0]!.email).toMatch(/@/);
    }
    const csv = breachScopeCsv(scope);
    expect(csv.split('\r\n')[0]).toBe('role,tenant,via,organization,owner_email,owner_name');
    expect(csv.trim().split('\r\n')).toHaveLength(4);
  });

  it('a shared tenant-keyed table counts for every tenant: through its RLS policy, or bypassing RLS', async () => {
    const reader = `pfo_breach_rls_${suffix}`;
    await client.query(`CREATE ROLE ${q(reader)} NOLOGIN; GRANT SELECT ON public.usage_events TO ${q(reader)}`);
    try {
      const viaPolicy = await breachScope(client, { role: reader });
      expect(viaPolicy.tenants.map((t) => t.tenant)).toEqual(tenants);
      expect(viaPolicy.tenants.every((t) => t.via.join() === 'rls_policy:public.usage_events/usage_events_tenant_isolation')).toBe(true);
      await client.query(`ALTER ROLE ${q(reader)} BYPASSRLS`);
      const bypassing = await breachScope(client, { role: reader });
      expect(bypassing.tenants.every((t) => t.via.join() === 'shared:public.usage_events')).toBe(true);
    } finally {
      await client.query(`REVOKE SELECT ON public.usage_events FROM ${q(reader)}; DROP ROLE ${q(reader)}`);
    }
  });

  it('a superuser reaches every tenant; an unknown role is refused', async () => {
    const su = await breachScope(client, { role: parseUrl(scratch.url).target.user });
    expect(su.tenants.map((t) => t.tenant)).toEqual(tenants);
    expect(su.tenants.every((t) => t.via.includes('superuser'))).toBe(true);
    await expect(breachScope(client, { role: `nobody_${suffix}` })).rejects.toMatchObject({ code: 'no_such_role' });
  });
});

describe('lock and unlock', () => {
  it('locks (NOLOGIN, sessions ended, tenant grants revoked) and the record undoes exactly that', async () => {
    const before = await state();
    expect(before.canLogin).toBe(true);
    const u = new URL(scratch.url);
    u.username = ROLE;
    u.password = PASSWORD;
    const intruder = new pg.Client({ connectionString: u.toString() });
    intruder.on('error', () => undefined);
    await intruder.connect();
    const [a, b, c] = tenants as [string, string, string];
    expect((await intruder.query(`SELECT count(*)::int AS n FROM ${q(a)}.shows`)).rows[0].n).toBeGreaterThan(0);

    const record = await lockRole(client, { role: ROLE });
    expect(record.loginRevoked).toBe(true);
    expect(record.revoked.map((g) => `${g.tenant} ${g.objectType} ${g.object} ${g.privileges.join(',')}`).sort()).toEqual(
      [`${a} schema ${a} USAGE`, `${a} table shows SELECT`, `${c} default TABLES SELECT`, `${c} schema ${c} USAGE`].sort(),
    );
    expect(record.terminated).toHaveLength(1);
    await expect(intruder.query('SELECT 1')).rejects.toThrow();
    await intruder.end().catch(() => undefined);
    expect((await state()).canLogin).toBe(false);
    // What it can still reach is only what it inherits (memberships are left alone, and said so).
    expect((await breachScope(client, { role: ROLE })).tenants.map((t) => t.tenant)).toEqual([b]);
    expect(record.notes.join(' ')).toMatch(/memberships/i);

    // The journal holds JSON: unlock from the serialised record.
    const out = await unlockRole(client, JSON.parse(JSON.stringify(record)));
    expect(out).toEqual({ role: ROLE, granted: 4, loginRestored: true });
    expect(await state()).toEqual(before);
    await expect(unlockRole(client, record)).rejects.toMatchObject({ code: 'not_locked' });
    expect(await state()).toEqual(before);
  });

  it('refuses to lock the console\'s own role or a predefined one, changing nothing', async () => {
    const before = await state();
    await expect(lockRole(client, { role: parseUrl(scratch.url).target.user })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('lock the console out') });
    await expect(lockRole(client, { role: 'pg_read_all_data' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(lockRole(client, { role: 'x'.repeat(64) })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await state()).toEqual(before);
  });

  it('refuses a journal record whose privileges are not privileges, and changes nothing', async () => {
    const before = await state();
    const bad = { role: ROLE, lockedAt: new Date().toISOString(), loginRevoked: false, terminated: [], notes: [], revoked: [{ tenant: tenants[0], objectType: 'table', object: 'shows', grantor: 'postgres', privileges: ['SELECT; DROP TABLE x'], grantable: false }] };
    await expect(unlockRole(client, bad as never)).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await state()).toEqual(before);
  });
});

describe('evidence', () => {
  it('writes read-only files whose SHA-256 is the one returned, with no password in any of them', async () => {
    // The password lands in pg_stat_statements' text of this statement.
    await client.query(`ALTER ROLE ${q(ROLE)} PASSWORD '${PASSWORD}'`);
    const dir = join(work, 'evidence');
    const files = await captureEvidence(client, { dir });
    expect(files.map((f) => f.file).sort()).toEqual(
      ['event_triggers.json', 'extensions.json', 'pg_hba_file_rules.json', 'pg_stat_activity.json', 'pg_stat_statements.json', 'roles.json', 'server_log.json', 'settings.json', 'tenant_grants.json'].sort(),
    );
    expect((await readdir(dir)).sort()).toEqual(files.map((f) => f.file).sort());
    let statements = '';
    for (const f of files) {
      const text = await readFile(join(dir, f.file), 'utf8');
      expect(createHash('sha256').update(text).digest('hex'), f.file).toBe(f.sha256);
      expect((await stat(join(dir, f.file))).mode & 0o777, f.file).toBe(0o400);
      expect(text, f.file).not.toContain(PASSWORD);
      expect(text, f.file).not.toMatch(/SCRAM-SHA-256\$/);
      if (f.file === 'pg_stat_statements.json') statements = text;
    }
    // The statement is there, its password masked.
    expect(statements).toMatch(/PASSWORD '\*\*\*'/);
    const roles = JSON.parse(await readFile(join(dir, 'roles.json'), 'utf8')) as { rows: { role: string; member_of: { role: string }[] }[] };
    expect(roles.rows.find((r) => r.role === ROLE)?.member_of.map((m) => m.role)).toEqual([MEMBER_OF]);
    await expect(captureEvidence(client, { dir })).rejects.toMatchObject({ code: 'evidence_exists' });
  });
});

describe('backup integrity sweep', () => {
  let key: BackupKey;
  let dest: LocalDestination;
  const at = (iso: string) => () => new Date(iso);

  beforeAll(async () => {
    const keyPath = join(work, 'backup.key');
    await writeFile(keyPath, randomBytes(36).toString('base64') + '\n', { mode: 0o600 });
    key = await loadKeyFile(keyPath);
    dest = new LocalDestination(join(work, 'backups'));
    const db = open(scratch.url);
    try {
      const [a, b] = tenants as [string, string];
      await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant: a }, now: at('2026-11-20T10:00:00Z') });
      await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant: a }, now: at('2026-11-21T10:00:00Z') });
      await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant: b }, now: at('2026-11-20T11:00:00Z') });
    } finally {
      await db.close();
    }
  });

  it('finds a tampered object and a tampered manifest, and proposes the newest intact backup before the intrusion', async () => {
    const [a, b] = tenants as [string, string];
    const names = (await readdir(dest.location)).filter((n) => n.endsWith('.manifest.json')).sort();
    const manifests = await Promise.all(names.map(async (n) => ({ n, m: JSON.parse(await readFile(join(dest.location, n), 'utf8')) as { id: string; tenant: string; finishedAt: string; files: { dump: string }; tables: { rows: number }[] } })));
    const newestA = manifests.find((x) => x.m.tenant === a && x.m.finishedAt.startsWith('2026-11-21'))!;
    const olderA = manifests.find((x) => x.m.tenant === a && x.m.finishedAt.startsWith('2026-11-20'))!;
    const onlyB = manifests.find((x) => x.m.tenant === b)!;

    const before = await backupIntegritySweep(dest, key, undefined, undefined, { incidentAt: '2026-11-22T00:00:00Z' });
    expect(before.backups.map((x) => [x.verdict, x.detail])).toEqual(before.backups.map(() => ["intact", undefined]));
    expect(before.restorePoints?.find((p) => p.tenant === a)).toMatchObject({ point: { backup: { id: newestA.m.id } } });

    // The ransomware rewrote one byte of the newest backup of a, and "fixed" a row count in b's manifest.
    const dump = join(dest.location, newestA.m.files.dump);
    const bytes = await readFile(dump);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    await writeFile(dump, bytes);
    onlyB.m.tables[0]!.rows += 1;
    await writeFile(join(dest.location, onlyB.n), JSON.stringify(onlyB.m, null, 2));

    const progress: number[] = [];
    const r = await backupIntegritySweep(dest, key, undefined, (p) => progress.push(p.done), { incidentAt: '2026-11-22T00:00:00Z' });
    const verdict = (id: string) => r.backups.find((x) => x.id === id)?.verdict;
    expect(verdict(newestA.m.id)).toBe('checksum_mismatch');
    expect(verdict(olderA.m.id)).toBe('intact');
    expect(verdict(onlyB.m.id)).toBe('manifest_tampered');
    expect([r.intact, r.failed]).toEqual([1, 2]);
    expect(r.restorePoints?.find((p) => p.tenant === a)).toMatchObject({ point: { backup: { id: olderA.m.id } } });
    expect(r.restorePoints?.find((p) => p.tenant === b)).toMatchObject({ error: { code: 'no_restore_point' } });
    expect(r.bucket).toBeUndefined();
    // Only tenant backups here: no full backup to propose for the whole database.
    expect(r.backup).toBeUndefined();
    expect(progress.at(-1)).toBe(3);
  });

  it('on S3: reports versioning and Object Lock, and a bucket that does not answer within the deadline', async () => {
    let hang = false;
    const s3 = await startS3('pfo-sweep', (req) => (hang && 'versioning' in req.query ? req.hang() : undefined));
    const saved = process.env.PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS;
    try {
      const s3dest = new S3Destination(s3.bucket, 'dr', { endpoint: s3.endpoint, forcePathStyle: true });
      const db = open(scratch.url);
      try {
        await runBackup({ db, dest: s3dest, key, scope: { kind: 'full' }, now: at('2026-11-20T12:00:00Z') });
      } finally {
        await db.close();
      }
      const r = await backupIntegritySweep(s3dest, key, undefined, undefined, { incidentAt: '2026-11-22T00:00:00Z' });
      expect(r.backups.map((x) => x.verdict)).toEqual(['intact']);
      expect(r.bucket).toMatchObject({ bucket: 'pfo-sweep', versioning: 'Enabled', objectLock: { enabled: false } });
      expect(r.bucket?.notes.join(' ')).toMatch(/Object Lock is off/);
      expect(r.backup?.kind).toBe('full');
      expect(r.rpoGapSec).toBe(36 * 3600);

      hang = true;
      process.env.PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS = '1500';
      const slow = await backupIntegritySweep(s3dest, key);
      expect(slow.bucket?.versioning).toBe('unknown');
      expect(slow.bucket?.notes.join(' ')).toMatch(/did not answer \(GetBucketVersioning\) within 1500 ms/);

      // The attacker deleted the dump object and left the manifest.
      hang = false;
      await s3dest.remove(`${r.backups[0]!.name}.dump.enc`);
      expect((await backupIntegritySweep(s3dest, key)).backups.map((x) => x.verdict)).toEqual(['object_missing']);
    } finally {
      if (saved === undefined) delete process.env.PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS;
      else process.env.PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS = saved;
      await s3.close();
    }
  });

  it('a cancelled sweep ends cancelled, judging nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(backupIntegritySweep(dest, key, ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
    await expect(backupIntegritySweep(dest, key, undefined, undefined, { incidentAt: 'last tuesday' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('names a backup whose key is not given as key_missing', async () => {
    const otherPath = join(work, 'other.key');
    await writeFile(otherPath, randomBytes(36).toString('base64') + '\n', { mode: 0o600 });
    const r = await backupIntegritySweep(dest, await loadKeyFile(otherPath));
    expect(r.backups.map((x) => x.verdict)).toEqual(['key_missing', 'key_missing', 'key_missing']);
  });
});

describe('password rotation', () => {
  const secretsManager = withSecretsManager();

  it('sets a new password stored only in the role\'s secret, which then logs in; the old one no longer does', async () => {
    const sm = secretsManager();
    const u = new URL(scratch.url);
    u.username = ROLE;
    u.password = 'placeholder';
    sm.create('db/breach', JSON.stringify({ engine: 'postgres', host: u.hostname, port: Number(u.port), username: ROLE, password: PASSWORD, dbname: scratch.name }));
    const out = await rotateRolePassword(client, { role: ROLE, secret: { id: 'db/breach' } });
    expect(JSON.stringify(out)).not.toMatch(/password"/i);
    expect(out.storedIn?.secretId).toBe('db/breach');
    expect(out.applicationMust).toMatch(/restart|reload/);
    const secret = sm.secrets.get('db/breach')!;
    const current = JSON.parse(secret.versions.find((v) => v.stages.includes('AWSCURRENT'))!.value) as { password: string; username: string };
    expect(current.username).toBe(ROLE);
    expect(current.password).not.toBe(PASSWORD);
    expect(JSON.stringify(out)).not.toContain(current.password);
    u.password = current.password;
    await withClient(u.toString(), (c) => c.query('SELECT 1'));
    u.password = PASSWORD;
    await expect(withClient(u.toString(), (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '28P01' });
    // The server never saw the password: pg_stat_statements holds a verifier at most.
    const seen = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_statements WHERE query LIKE $1', [`%${current.password}%`]);
    expect(seen.rows[0]!.n).toBe(0);
  });

  it('refuses a secret of another role, and when the secret cannot be written the password stays as it was', async () => {
    const sm = secretsManager();
    sm.create('db/other', JSON.stringify({ url: `postgres://someone_else:x@127.0.0.1:5432/db` }));
    await expect(rotateRolePassword(client, { role: ROLE, secret: { id: 'db/other' } })).rejects.toMatchObject({ code: 'secret_mismatch' });
    const secret = sm.secrets.get('db/breach')!;
    const current = () => (JSON.parse(secret.versions.find((v) => v.stages.includes('AWSCURRENT'))!.value) as { password: string }).password;
    const pw = current();
    sm.failNext('AccessDeniedException', 1, 'PutSecretValue');
    await expect(rotateRolePassword(client, { role: ROLE, secret: { id: 'db/breach' } })).rejects.toMatchObject({ code: 'aws_access_denied' });
    expect(current()).toBe(pw);
    const u = new URL(scratch.url);
    u.username = ROLE;
    u.password = pw;
    await withClient(u.toString(), (c) => c.query('SELECT 1'));
  });
});
