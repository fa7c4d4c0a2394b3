import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { runBackup } from '../../src/main/core/backup/backup';
import { openDestination } from '../../src/main/core/backup/destination';
import { loadKeyFile } from '../../src/main/core/backup/keys';
import { dropRestoredCopy, listRestoredCopies } from '../../src/main/core/backup/restored-copies';
import { restoreBackup } from '../../src/main/core/backup/restore';
import { runHealth } from '../../src/main/core/health/registry';
import { DEFAULT_THRESHOLDS } from '../../src/main/core/health/thresholds';
import { overviewFacts } from '../../src/main/core/overview/overview';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIOLATION_KINDS, type VerifyResult, type Violation } from '../../src/shared/domain/tenants';
import { invoke } from '../../src/main/api';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { parseUrl } from '../../src/main/core/db/connection';
import { silentLogger } from '../../src/main/core/util/log';
import { Database } from '../../src/main/core/db/database';
import { applyFix, findViolation } from '../../src/main/core/tenants/fix';
import { summarizeForHealth } from '../../src/main/core/tenants/summary';
import { verifyTenants } from '../../src/main/core/tenants/verify';
import pg from 'pg';
import { createScratchDatabase, openDatabase, withClient, type ScratchDatabase } from '../support/db';
import { taskEnded } from '../support/tasks';
import { HOSTILE, PLATFORM_ROLE, SIDE, plantEveryKind, type Expected } from './tenants-plant';

let scratch: ScratchDatabase;
let db: Database;
let expected: Expected[];
let touched: Set<string>;
let result: VerifyResult;
let home: string;

const VERIFY_KINDS = new Set<string>(VIOLATION_KINDS);
const keys = (r: VerifyResult) => r.violations.map((v) => `${v.kind} ${v.tenant} ${v.object}`).sort();
const has = (r: VerifyResult, e: Expected) => r.violations.some((v) => v.tenant === e.tenant && v.kind === e.kind && (e.object === undefined || v.object === e.object));

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 14, workload: false, scale: 0.05 });
  const planted = scratch.seed!.problems;
  const seedTouched = new Set(planted.filter((p) => p.detectedBy.some((k) => VERIFY_KINDS.has(k))).flatMap((p) => p.tenants));
  const plain = scratch.seed!.tenants.filter((t) => !seedTouched.has(t));
  expect(plain.length).toBeGreaterThanOrEqual(5);
  expected = await plantEveryKind(scratch.url, plain);
  touched = new Set([...seedTouched, ...expected.map((e) => e.tenant).filter((t): t is string => t !== null)]);
  const { target, password } = parseUrl(scratch.url);
  db = new Database({ ...target, sslmode: 'disable' }, { password: password ?? '', source: 'url' });
  home = mkdtempSync(join(tmpdir(), 'pfo-tenants-'));
  result = await verifyTenants(db);
});

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('tenant verification', () => {
  it('finds every tenant, hostile names included, exactly as named', () => {
    expect(result.tenants).toBe(14 + Object.keys(HOSTILE).length);
    const names = result.tenantStats.map((t) => t.name);
    for (const h of Object.values(HOSTILE)) expect(names).toContain(h);
    expect(Buffer.byteLength(HOSTILE.long)).toBe(63);
    // A restored copy matches org_% but is no tenant: not counted, no findings of its own.
    expect(names).not.toContain(SIDE);
    expect(result.violations.filter((v) => v.tenant === SIDE || v.detail.includes(SIDE))).toEqual([]);
    expect(result.reference).toEqual({ mode: 'majority' });
  });

  it('reports each planted violation with the right kind, tenant and object', () => {
    const missing = expected.filter((e) => !has(result, e));
    expect(missing).toEqual([]);
    // Every kind of DESIGN §3 is covered by the plant.
    expect(new Set(result.violations.map((v) => v.kind))).toEqual(new Set(VIOLATION_KINDS));
  });

  it("reports the seed's own planted tenant problems", () => {
    for (const p of scratch.seed!.problems) {
      const kinds = p.detectedBy.filter((k) => VERIFY_KINDS.has(k));
      for (const kind of kinds) {
        const hit = result.violations.filter((v) => v.kind === kind && (p.tenants.length === 0 ? v.tenant === null : p.tenants.includes(v.tenant ?? '')));
        expect(hit.length, `${p.key} as ${kind}`).toBeGreaterThan(0);
      }
    }
  });

  it('tenants nobody touched report nothing', () => {
    const stray = result.violations.filter((v) => v.tenant !== null && !touched.has(v.tenant));
    expect(stray).toEqual([]);
    const clean = result.tenantStats.map((t) => t.name).filter((t) => !touched.has(t));
    expect(clean.length).toBeGreaterThan(0);
  });

  it('compares indexes by definition: a renamed index is not missing', () => {
    expect(result.violations.filter((v) => v.kind === 'missing_index' && v.object?.startsWith('audit_log.'))).toEqual([]);
  });

  it('summarises for the health check', () => {
    const s = summarizeForHealth(result);
    expect(s.status).toBe('fail');
    expect(s.value).toBe(result.violations.length);
    expect(s.findings.some((f) => f.tenant === HOSTILE.quoted && f.severity === 'critical')).toBe(true);
    expect(s.summary).toMatch(/violations/);
  });

  it('verifies an explicit list and says which names do not exist', async () => {
    const r = await verifyTenants(db, { tenants: [HOSTILE.quoted, HOSTILE.space, 'org_nope'] });
    expect(r.tenants).toBe(2);
    expect(r.notes.join(' ')).toContain('org_nope');
    expect(r.violations.every((v) => v.tenant === null || v.tenant === HOSTILE.quoted || v.tenant === HOSTILE.space)).toBe(true);
    expect(has(r, { tenant: HOSTILE.quoted, kind: 'missing_table', object: 'audit_log' })).toBe(true);
    // Other tenants are not "shared schemas" when only some are verified.
    expect(r.violations.filter((v) => v.tenant === null && !v.object?.startsWith('public.'))).toEqual([]);
  });

  it('compares against a template schema when one is configured', async () => {
    const clean = result.tenantStats.map((t) => t.name).find((t) => !touched.has(t))!;
    const r = await verifyTenants(db, { template: clean });
    expect(r.reference).toEqual({ mode: 'template', template: clean });
    expect(r.tenantStats.map((t) => t.name)).not.toContain(clean);
    expect(has(r, { tenant: HOSTILE.unicode, kind: 'missing_column', object: 'shows.category' })).toBe(true);
    await expect(verifyTenants(db, { template: 'org_absent' })).rejects.toThrow(/does not exist/);
  });

  it('honours configured platform roles for cross-tenant grants', async () => {
    const r = await verifyTenants(db, { platformRoles: ['pfo_test_auditor', 'agency_acme', PLATFORM_ROLE] });
    expect(r.violations.filter((v) => v.kind === 'cross_tenant_grant' || v.kind === 'missing_platform_grant')).toEqual([]);
  });

  it('a role in every tenant but one is a platform role: one drift finding, no critical', () => {
    expect(result.violations.filter((v) => v.object === PLATFORM_ROLE)).toEqual([
      expect.objectContaining({ kind: 'missing_platform_grant', severity: 'warn', tenant: expected.find((e) => e.kind === 'missing_platform_grant')!.tenant }),
    ]);
  });

  it("includes the database's own verify_tenant_isolation() when it exists", async () => {
    expect(result.isolationFunction).toBeNull();
    expect(result.notes.join(' ')).toMatch(/no verify_tenant_isolation\(\) function/);
    await withClient(scratch.url, (c) =>
      c.query(`CREATE FUNCTION public.verify_tenant_isolation() RETURNS TABLE (check_name text, ok boolean) LANGUAGE sql STABLE
               AS $$ VALUES ('schemas separated', true), ('no shared rows', false) $$`),
    );
    try {
      const r = await verifyTenants(db, { tenants: [HOSTILE.space] });
      expect(r.isolationFunction).toMatchObject({ name: 'public.verify_tenant_isolation', ok: false });
      expect(r.isolationFunction!.rows).toEqual([
        { check_name: 'schemas separated', ok: true },
        { check_name: 'no shared rows', ok: false },
      ]);
      expect(summarizeForHealth(r).findings[0]).toMatchObject({ severity: 'critical', object: 'public.verify_tenant_isolation' });
    } finally {
      await withClient(scratch.url, (c) => c.query('DROP FUNCTION public.verify_tenant_isolation()'));
    }
  });

  it('can be cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(verifyTenants(db, { signal: ac.signal })).rejects.toThrow(/Cancelled/);
  });
});

describe('fix SQL', () => {
  const pick = (kind: Violation['kind'], tenant: string | null) => findViolation(result, { tenant, kind, object: result.violations.find((v) => v.kind === kind && v.tenant === tenant)?.object });

  it('refuses on production without the database name typed back, and changes nothing', async () => {
    const v = pick('security_definer_search_path', HOSTILE.unicode);
    const prod = { id: 'p', environment: 'production' as const, database: scratch.name };
    await expect(applyFix(db, { ...profileBase, ...prod }, v, 'wrong', home)).rejects.toThrow(/type the database name/);
    const again = await verifyTenants(db, { tenants: [HOSTILE.unicode] });
    expect(has(again, { tenant: HOSTILE.unicode, kind: 'security_definer_search_path' })).toBe(true);
  });

  it('runs mechanical fixes on hostile names, in a transaction, and they clear the violation', async () => {
    const prod = { ...profileBase, id: 'p', environment: 'production' as const, database: scratch.name };
    const fixes = [
      pick('security_definer_search_path', HOSTILE.unicode),
      pick('missing_index', HOSTILE.quoted),
      pick('missing_table', HOSTILE.quoted),
      pick('cross_tenant_grant', HOSTILE.quoted),
      pick('invalid_index', HOSTILE.space),
      pick('unexpected_owner', HOSTILE.space),
      pick('missing_column', HOSTILE.unicode),
      pick('cross_tenant_reference', HOSTILE.long),
    ];
    for (const v of fixes) await applyFix(db, prod, v, scratch.name, home);
    const after = await verifyTenants(db);
    for (const v of fixes) expect(has(after, { tenant: v.tenant, kind: v.kind, ...(v.object ? { object: v.object } : {}) }), `${v.kind} ${v.tenant}`).toBe(false);
    const journal = readFileSync(join(home, 'tenant-fixes.jsonl'), 'utf8').trim().split('\n');
    expect(journal.length).toBe(fixes.length);
  });

  it('a failing fix rolls back entirely', async () => {
    const bad: Violation = { tenant: HOSTILE.quoted, kind: 'extra_table', detail: 'x', severity: 'warn', fixSql: `CREATE TABLE "org_""quo;ted".half_done (id int); SELECT 1/0;` };
    await expect(applyFix(db, { ...profileBase, id: 'd', environment: 'development', database: scratch.name }, bad, undefined, home)).rejects.toThrow(/division by zero/);
    const exists = await withClient(scratch.url, (c) => c.query(`SELECT to_regclass('"org_""quo;ted".half_done') AS r`));
    expect(exists.rows[0].r).toBeNull();
  });

  it('a clean seed has no tenant violations', async () => {
    const clean = await createScratchDatabase({ seed: true, tenants: 3, workload: false, plantProblems: false, scale: 0.02 });
    const { target, password } = parseUrl(clean.url);
    const cdb = new Database({ ...target, sslmode: 'disable' }, { password: password ?? '', source: 'url' });
    try {
      const r = await verifyTenants(cdb);
      expect(r.tenants).toBe(3);
      expect(r.violations.filter((v) => v.tenant !== null)).toEqual([]);
    } finally {
      await cdb.close();
      await clean.drop();
    }
  });
});

describe('through the contract (what the Tenants page calls)', () => {
  it('saves settings per connection, verifies as a task, and never runs SQL it did not produce', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfo-tenants-app-'));
    const app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: dir });
    try {
      await app.connections.save({ name: 'scratch', environment: 'production', url: scratch.url, sslmode: 'disable', savePassword: false });
      const saved = await invoke(app, 'tenants.saveSettings', { settings: { template: '', platformRoles: ['pfo_test_auditor', ' agency_acme '] } });
      expect(saved).toEqual({ ok: true, result: { template: '', platformRoles: ['pfo_test_auditor', 'agency_acme'] } });
      const started = await invoke(app, 'tenants.verify', {});
      if (!started.ok) throw new Error(started.error.message);
      const taskId = (started.result as { taskId: string }).taskId;
      const task = await taskEnded(app.tasks, taskId);
      expect(task).toMatchObject({ status: 'succeeded' });
      const r = await invoke(app, 'tenants.result', {});
      if (!r.ok) throw new Error(r.error.message);
      const res = (r.result as { result: VerifyResult }).result;
      // The task's result is what the core finds with the saved settings, violation for violation.
      const direct = await verifyTenants(db, { platformRoles: ['pfo_test_auditor', 'agency_acme'] });
      expect(keys(res)).toEqual(keys(direct));
      // The saved platform roles were used: the auditor's grant in HOSTILE.unicode (never fixed) is not reported...
      expect(res.violations.filter((v) => v.kind === 'cross_tenant_grant')).toEqual([]);
      expect(has(result, { tenant: HOSTILE.unicode, kind: 'cross_tenant_grant', object: 'pfo_test_auditor' })).toBe(true);
      // ...while a planted violation no test fixes still is.
      expect(has(res, { tenant: HOSTILE.space, kind: 'extra_table', object: 'scratch_copy' })).toBe(true);
      // A violation that is not in the last run cannot be "fixed"; production wants the name typed back.
      const bogus = await invoke(app, 'tenants.fix', { tenant: HOSTILE.quoted, kind: 'extra_table', object: 'nope', confirmed: true });
      expect(bogus).toMatchObject({ ok: false, error: { code: 'not_found' } });
      const v = res.violations.find((x) => x.kind === 'public_privilege' && x.object === 'invoices')!;
      expect(v.fixSql).toMatch(/^REVOKE /);
      const unconfirmed = await invoke(app, 'tenants.fix', { tenant: v.tenant, kind: v.kind, ...(v.object ? { object: v.object } : {}), confirmed: true });
      expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'confirmation_required', message: `To run this fix on production, type the database name "${scratch.name}" to confirm.` } });
      // Nothing ran: the violation is still there.
      expect(has(await verifyTenants(db, { tenants: [v.tenant!] }), { tenant: v.tenant, kind: v.kind, object: 'invoices' })).toBe(true);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const exec = promisify(execFile);
const cli = (args: string[]) =>
  exec('node', ['bin/podcastflow-ops.js', ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );

describe("the console's own objects are not tenants", () => {
  it('leaves restored copies out of health findings and the tenant count', async () => {
    const report = await runHealth(db, { tenantPattern: 'org_%', thresholds: { ...DEFAULT_THRESHOLDS, topN: 1000 }, only: ['duplicate_indexes', 'unused_indexes', 'sizes'] });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    for (const id of ['duplicate_indexes', 'unused_indexes']) {
      expect(byId[id]!.status, id).not.toBe('error');
      expect(JSON.stringify(byId[id]!.findings), id).not.toContain(SIDE);
    }
    // Its planted duplicate would be reported if it were looked at; a tenant's own duplicate still is.
    expect(byId.duplicate_indexes!.findings.length).toBeGreaterThan(0);
    expect(byId.sizes!.findings.filter((f) => f.tenant === SIDE)).toEqual([]);
    expect((await overviewFacts(db, 'x', 'org_%')).tenantCount).toBe(result.tenants);
  });

  it('an all-tenants backup neither lists nor dumps a restored copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfo-tenants-backup-'));
    try {
      const keyPath = join(dir, 'key');
      writeFileSync(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString(), { mode: 0o600 });
      const out = await runBackup({ db, dest: openDestination(join(dir, 'dest')), key: await loadKeyFile(keyPath), scope: { kind: 'all-tenants', pattern: 'org_%' } });
      expect(out.manifest.tenants).toHaveLength(result.tenants);
      expect(out.manifest.tenants).not.toContain(SIDE);
      expect(out.manifest.tables.filter((t) => t.schema === SIDE)).toEqual([]);
      const plain = join(dir, 'plain.dump');
      await exec('openssl', ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-md', 'sha256', '-iter', String(out.manifest.encryption.iterations), '-pass', `file:${keyPath}`, '-in', out.location, '-out', plain]);
      const toc = (await exec('pg_restore', ['-l', plain], { maxBuffer: 64 * 1024 * 1024 })).stdout;
      expect(toc).toContain(HOSTILE.space);
      expect(toc).not.toContain(SIDE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves the console's own statements out of slow_queries unless asked", async () => {
    // Two different statements (one shape shares one pg_stat_statements entry whoever runs it).
    await db.query('SELECT pg_sleep(0.05) AS pfo_own_marker');
    await withClient(scratch.url, (c) => c.query('SELECT pg_sleep(0.05) FROM (VALUES (1)) AS pfo_other_marker (x)'));
    const slow = async (includeOwnQueries: boolean) => {
      const r = await runHealth(db, { tenantPattern: 'org_%', thresholds: { ...DEFAULT_THRESHOLDS, topN: 5000 }, only: ['slow_queries'], includeOwnQueries });
      return JSON.stringify(r.checks.find((c) => c.id === 'slow_queries')!.findings);
    };
    const without = await slow(false);
    expect(without).toContain('pfo_other_marker');
    expect(without).not.toContain('pfo_own_marker');
    expect(await slow(true)).toContain('pfo_own_marker');
  });
});

describe('restored copies: list and drop', () => {
  let dir: string;
  let restored: string;
  let backupId: string;
  const url = () => `${scratch.url}?sslmode=disable`;
  const clean = () => result.tenantStats.map((t) => t.name).find((t) => !touched.has(t))!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pfo-restores-'));
    const keyPath = join(dir, 'key');
    writeFileSync(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString(), { mode: 0o600 });
    const key = await loadKeyFile(keyPath);
    const dest = openDestination(join(dir, 'dest'));
    const b = await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant: clean() } });
    backupId = b.manifest.id;
    const r = await restoreBackup({ db, dest, name: b.manifest.name, keys: [key] });
    restored = r.schema!;
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every copy with its size, age and the backup it came from', async () => {
    const copies = await listRestoredCopies(db, { now: new Date('2026-01-02T09:30:00Z') });
    expect(copies.map((c) => c.schema).sort()).toEqual([SIDE, restored].sort());
    const mine = copies.find((c) => c.schema === restored)!;
    expect(mine).toMatchObject({ kind: 'restored', tenant: clean(), tenantExists: true, origin: { backupId } });
    expect(mine.tables).toBeGreaterThan(0);
    expect(mine.bytes).toBeGreaterThan(0);
    // A copy without a recorded origin is dated by the stamp in its name.
    expect(copies.find((c) => c.schema === SIDE)).toMatchObject({ tenant: 'org_copy', tenantExists: false, createdAt: '2026-01-01T09:30:00.000Z', ageSec: 86_400 });
    expect(copies.find((c) => c.schema === SIDE)!.origin).toBeUndefined();
    // and the restored copy is no tenant either
    const again = await verifyTenants(db);
    expect(again.tenants).toBe(result.tenants);
    expect(again.violations.filter((v) => v.tenant === restored)).toEqual([]);
  });

  it('drop refuses a live tenant, and a copy something outside depends on', async () => {
    await expect(dropRestoredCopy(db, clean())).rejects.toMatchObject({ code: 'not_a_restored_copy' });
    await withClient(scratch.url, (c) => c.query(`CREATE VIEW public.pfo_peek_copy AS SELECT id FROM ${pg.escapeIdentifier(SIDE)}.shows`));
    try {
      await expect(dropRestoredCopy(db, SIDE)).rejects.toMatchObject({ code: 'has_dependents', message: expect.stringContaining('pfo_peek_copy') });
    } finally {
      await withClient(scratch.url, (c) => c.query('DROP VIEW public.pfo_peek_copy'));
    }
    const left = await withClient(scratch.url, (c) => c.query<{ n: string }>('SELECT nspname AS n FROM pg_namespace WHERE nspname = ANY ($1)', [[clean(), SIDE]]));
    expect(left.rows.map((r) => r.n).sort()).toEqual([clean(), SIDE].sort());
  });

  it('restores list|drop on the command line', async () => {
    const list = await cli(['restores', 'list', '--db', url(), '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { copies: { schema: string }[] }).copies.map((c) => c.schema)).toContain(restored);
    const refused = await cli(['restores', 'drop', '--db', url(), '--schema', clean(), '--json']);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'not_a_restored_copy' } });
    const usage = await cli(['restores', 'drop', '--db', url()]);
    expect(usage.code).toBe(64);
    const dropped = await cli(['restores', 'drop', '--db', url(), '--schema', restored, '--json']);
    expect(dropped.code).toBe(0);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ dropped: restored });
    const after = JSON.parse((await cli(['restores', 'list', '--db', url(), '--json'])).stdout) as { copies: { schema: string }[] };
    expect(after.copies.map((c) => c.schema)).toEqual([SIDE]);
  });

  it('through the contract: listed, and dropped on production only with the database name typed', async () => {
    const home2 = mkdtempSync(join(tmpdir(), 'pfo-restores-app-'));
    const app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: home2 });
    try {
      await app.connections.save({ name: 'scratch', environment: 'production', url: scratch.url, sslmode: 'disable', savePassword: false });
      const listed = await invoke(app, 'backups.restoredCopies', {});
      expect(listed).toMatchObject({ ok: true, result: { copies: [expect.objectContaining({ schema: SIDE })] } });
      expect(await invoke(app, 'backups.dropRestoredCopy', { schema: SIDE })).toMatchObject({ ok: false, error: { code: 'confirmation_required' } });
      expect(await invoke(app, 'backups.dropRestoredCopy', { schema: clean(), confirm: scratch.name })).toMatchObject({ ok: false, error: { code: 'not_a_restored_copy' } });
      expect(await invoke(app, 'backups.dropRestoredCopy', { schema: SIDE, confirm: scratch.name })).toMatchObject({ ok: true, result: { dropped: SIDE } });
      expect(await listRestoredCopies(db)).toEqual([]);
    } finally {
      await app.close();
      rmSync(home2, { recursive: true, force: true });
    }
  });
});

describe('platform roles and production-safe fixes (12 bare tenants)', () => {
  let bare: ScratchDatabase;
  let bdb: Database;
  const T = Array.from({ length: 12 }, (_, i) => `org_p${String(i + 1).padStart(2, '0')}`);

  beforeAll(async () => {
    bare = await createScratchDatabase();
    bdb = openDatabase(bare.url);
    await withClient(bare.url, async (c) => {
      for (const r of ['pfo_test_report', 'pfo_test_agency']) await c.query(`DO $$ BEGIN CREATE ROLE ${r} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      for (const [i, t] of T.entries()) {
        await c.query(`CREATE SCHEMA ${t}; CREATE TABLE ${t}.items (id int NOT NULL, code text, CONSTRAINT items_code_key UNIQUE (code)); CREATE INDEX items_id_idx ON ${t}.items (id)`);
        if (i < 11) await c.query(`GRANT USAGE ON SCHEMA ${t} TO pfo_test_report; GRANT SELECT ON ${t}.items TO pfo_test_report`);
        if (i < 2) await c.query(`GRANT USAGE ON SCHEMA ${t} TO pfo_test_agency`);
      }
      // a missing unique constraint, a missing plain index
      await c.query(`ALTER TABLE org_p05.items DROP CONSTRAINT items_code_key; DROP INDEX org_p07.items_id_idx`);
      // a real invalid index: a CREATE UNIQUE INDEX CONCURRENTLY that failed on duplicates, since cleaned up
      await c.query(`INSERT INTO org_p06.items (id, code) VALUES (1, 'a'), (1, 'b')`);
      await expect(c.query('CREATE UNIQUE INDEX CONCURRENTLY items_id_uniq ON org_p06.items (id)')).rejects.toThrow(/could not create unique index/);
      await c.query(`DELETE FROM org_p06.items WHERE code = 'b'`);
    });
  });
  afterAll(async () => {
    await bdb?.close();
    await bare?.drop();
  });

  it('a role in 11 of 12 tenants is one drift finding; a role in 2 of 12 is critical on both', async () => {
    const r = await verifyTenants(bdb);
    expect(r.tenants).toBe(12);
    expect(r.violations.filter((v) => v.object === 'pfo_test_report').map((v) => [v.tenant, v.kind, v.severity])).toEqual([['org_p12', 'missing_platform_grant', 'warn']]);
    expect(r.violations.filter((v) => v.object === 'pfo_test_agency').map((v) => [v.tenant, v.kind, v.severity])).toEqual([
      ['org_p01', 'cross_tenant_grant', 'critical'],
      ['org_p02', 'cross_tenant_grant', 'critical'],
    ]);
    // Explicit platform roles still win.
    const configured = await verifyTenants(bdb, { platformRoles: ['pfo_test_report', 'pfo_test_agency'] });
    expect(configured.violations.filter((v) => v.object === 'pfo_test_report' || v.object === 'pfo_test_agency')).toEqual([]);
  });

  it("flags a sequence of another owner on its own, but not one a column owns (it follows its table)", async () => {
    await withClient(bare.url, (c) =>
      c.query(`DO $$ BEGIN CREATE ROLE pfo_test_other NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
               CREATE SEQUENCE org_p09.loose_seq; ALTER SEQUENCE org_p09.loose_seq OWNER TO pfo_test_other;
               CREATE TABLE org_p10.counters (id serial); ALTER TABLE org_p10.counters OWNER TO pfo_test_other`),
    );
    try {
      const r = await verifyTenants(bdb);
      expect(r.violations.filter((v) => v.kind === 'unexpected_owner').map((v) => [v.tenant, v.object])).toEqual([
        ['org_p09', 'loose_seq'],
        ['org_p10', 'counters'],
      ]);
    } finally {
      await withClient(bare.url, (c) => c.query('DROP SEQUENCE org_p09.loose_seq; DROP TABLE org_p10.counters; DROP ROLE pfo_test_other'));
    }
  });

  it('index fixes build CONCURRENTLY outside a transaction, say their lock, and clear the violation', async () => {
    const r = await verifyTenants(bdb);
    const invalid = findViolation(r, { tenant: 'org_p06', kind: 'invalid_index', object: 'items.items_id_uniq' });
    const unique = findViolation(r, { tenant: 'org_p05', kind: 'missing_index', object: 'items.items_code_key' });
    const plainIdx = findViolation(r, { tenant: 'org_p07', kind: 'missing_index', object: 'items.items_id_idx' });
    expect(invalid.fixSql).toBe('REINDEX INDEX CONCURRENTLY org_p06.items_id_uniq;');
    expect(plainIdx.fixSql).toMatch(/^CREATE INDEX CONCURRENTLY items_id_idx ON org_p07\.items/);
    expect(unique.fixSql).toMatch(/^CREATE UNIQUE INDEX CONCURRENTLY items_code_key .*; ALTER TABLE org_p05\.items ADD CONSTRAINT items_code_key UNIQUE USING INDEX items_code_key;$/);
    expect(invalid.fixLock).toMatch(/^SHARE UPDATE EXCLUSIVE on the table; reads and writes continue/);
    expect(unique.fixLock).toMatch(/SHARE UPDATE EXCLUSIVE .*; then ACCESS EXCLUSIVE on the table, briefly/);
    const dev = { ...profileBase, id: 'd', environment: 'development' as const, database: bare.name };
    for (const v of [invalid, unique, plainIdx]) expect(await applyFix(bdb, dev, v, undefined, home)).toMatchObject({ applied: true, lock: v.fixLock });
    const after = await verifyTenants(bdb);
    expect(after.violations.filter((v) => v.kind === 'invalid_index' || v.kind === 'missing_index')).toEqual([]);
    const state = await withClient(bare.url, (c) =>
      c.query<{ indisvalid: boolean; constraint: string | null }>(`SELECT i.indisvalid, (SELECT conname FROM pg_constraint WHERE conindid = i.indexrelid) AS constraint
                                                                   FROM pg_index i WHERE indexrelid = ANY (ARRAY['org_p06.items_id_uniq', 'org_p05.items_code_key']::regclass[]) ORDER BY indexrelid::regclass::text`),
    );
    expect(state.rows).toEqual([
      { indisvalid: true, constraint: 'items_code_key' },
      { indisvalid: true, constraint: null },
    ]);
  });
});

const profileBase = { name: 'scratch', host: '127.0.0.1', port: 5432, user: 'postgres', sslmode: 'disable' as const, tenantPattern: 'org_%', passwordStored: false };

describe('shape compared through hashes (bare tenants of different name lengths, DDL schema-qualified)', () => {
  let bare: ScratchDatabase;
  let bdb: Database;
  // Names of different lengths shift every token position in the stored defaults and expressions.
  const T = ['org_a', 'org_bb', 'org_cccccccccccc', 'org_dddd', 'org_eeeeeee', 'org_ffffffffffffffffffff', 'org_gg'];
  const [a, bb, , d, e, f, g] = T as [string, string, string, string, string, string, string];

  beforeAll(async () => {
    bare = await createScratchDatabase();
    bdb = openDatabase(bare.url);
    await withClient(bare.url, async (c) => {
      for (const t of T) {
        // f's columns are in another order: matched by name, that is no drift. g has a column more, of qty's
        // type at qty's number in the others: g's index on it is not the reference's index on qty.
        const cols =
          t === f
            ? `name text DEFAULT 'x', qty int NOT NULL DEFAULT 0, id serial PRIMARY KEY`
            : t === g
              ? `id serial PRIMARY KEY, spare int, qty int NOT NULL DEFAULT 0, name text DEFAULT 'x'`
              : `id serial PRIMARY KEY, qty int NOT NULL DEFAULT ${t === e ? 1 : 0}, name text DEFAULT 'x'`;
        await c.query(`CREATE SCHEMA ${t}; CREATE TABLE ${t}.items (${cols}); CREATE TABLE ${t}.notes (body text, at timestamptz DEFAULT now())`);
        await c.query(`CREATE INDEX items_qty_idx ON ${t}.items (${t === g ? 'spare' : 'qty'})`);
        await c.query(t === d ? `CREATE INDEX notes_lower_idx ON ${t}.notes (lower(body))` : `CREATE INDEX notes_lower_idx ON ${t}.notes (lower(body)) WHERE at > '2020-01-01'`);
      }
      // a partition in one tenant of a table in another: a dependency read from pg_inherits
      await c.query(`CREATE TABLE ${bb}.events (at date) PARTITION BY RANGE (at); CREATE TABLE ${a}.events_2026 PARTITION OF ${bb}.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`);
    });
  });
  afterAll(async () => {
    await bdb?.close();
    await bare?.drop();
  });

  it('finds a changed default, an index without its predicate and one on another column, and nothing for names, serials or column order', async () => {
    const r = await verifyTenants(bdb);
    const found = r.violations
      .filter((v) => ['missing_column', 'type_mismatch', 'missing_index', 'cross_tenant_reference'].includes(v.kind))
      .map((v) => [v.tenant, v.kind, v.object]);
    expect(found).toEqual(
      expect.arrayContaining([
        [e, 'type_mismatch', 'items.qty'],
        [d, 'missing_index', 'notes.notes_lower_idx'],
        [a, 'cross_tenant_reference', 'events_2026'],
        [g, 'missing_index', 'items.items_qty_idx'],
      ]),
    );
    expect(found).toHaveLength(4);
    expect(r.violations.find((v) => v.tenant === e && v.kind === 'type_mismatch')?.detail).toBe('default is 1, reference is 0');
  });
});
