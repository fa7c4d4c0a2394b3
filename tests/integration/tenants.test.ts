import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/db';
import { HOSTILE, plantEveryKind, type Expected } from './tenants-plant';

let scratch: ScratchDatabase;
let db: Database;
let expected: Expected[];
let touched: Set<string>;
let result: VerifyResult;
let home: string;

const VERIFY_KINDS = new Set<string>(VIOLATION_KINDS);
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
    const r = await verifyTenants(db, { platformRoles: ['pfo_test_auditor', 'agency_acme'] });
    expect(r.violations.filter((v) => v.kind === 'cross_tenant_grant')).toEqual([]);
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
      const { profile } = await app.connections.save({ name: 'scratch', environment: 'production', url: scratch.url, sslmode: 'disable', savePassword: false });
      const saved = await invoke(app, 'tenants.saveSettings', { settings: { template: '', platformRoles: ['pfo_test_auditor', ' agency_acme '] } });
      expect(saved).toEqual({ ok: true, result: { template: '', platformRoles: ['pfo_test_auditor', 'agency_acme'] } });
      const started = await invoke(app, 'tenants.verify', {});
      if (!started.ok) throw new Error(started.error.message);
      const taskId = (started.result as { taskId: string }).taskId;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          const t = app.tasks.get(taskId);
          if (t?.status === 'succeeded') return resolve();
          if (t && t.status !== 'running') return reject(new Error(t.error?.message ?? t.status));
          setTimeout(check, 50);
        };
        check();
      });
      const r = await invoke(app, 'tenants.result', {});
      if (!r.ok) throw new Error(r.error.message);
      const res = (r.result as { result: VerifyResult }).result;
      expect(res.violations.filter((v) => v.kind === 'cross_tenant_grant')).toEqual([]);
      expect(res.violations.some((v) => v.kind === 'missing_table' && v.tenant === HOSTILE.quoted) || res.violations.length > 0).toBe(true);
      // A violation that is not in the last run cannot be "fixed"; production wants the name typed back.
      const bogus = await invoke(app, 'tenants.fix', { tenant: HOSTILE.quoted, kind: 'extra_table', object: 'nope', confirmed: true });
      expect(bogus).toMatchObject({ ok: false, error: { code: 'not_found' } });
      const v = res.violations.find((x) => x.fixSql)!;
      const unconfirmed = await invoke(app, 'tenants.fix', { tenant: v.tenant, kind: v.kind, ...(v.object ? { object: v.object } : {}), confirmed: true });
      expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'confirmation_required' } });
      expect(profile.environment).toBe('production');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const profileBase = { name: 'scratch', host: '127.0.0.1', port: 5432, user: 'postgres', sslmode: 'disable' as const, tenantPattern: 'org_%', passwordStored: false };
