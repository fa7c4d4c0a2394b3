import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/shared/domain/reports';
import { runBackup } from '../../src/main/core/backup/backup';
import { openDestination, type Destination } from '../../src/main/core/backup/destination';
import { loadKeyFile } from '../../src/main/core/backup/keys';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { buildReport } from '../../src/main/core/reports/build';
import { diffReports } from '../../src/main/core/reports/diff';
import { renderHtml } from '../../src/main/core/reports/html';
import { renderPdf } from '../../src/main/core/reports/pdf';
import { reportJsonSchema } from '../../src/main/core/reports/schema';
import { resourcePath } from '../../src/main/core/util/paths';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/db';

function open(url: string): Database {
  const { target, password } = parseUrl(`${url}${url.includes('?') ? '&' : '?'}sslmode=disable`);
  return new Database(target, { password: password ?? '', source: 'url' });
}

const NEW_TENANT = 'org_new_arrival';
/** Planted problem #9 (docs/demo-problems.md): the one this test fixes between the two reports. */
const FIXED = { tenant: 'org_keen_river_studios', kind: 'security_definer_search_path' };

let scratch: ScratchDatabase;
let db: Database;
let work: string;
let dest: Destination;
let backedUp: string;
let first: Report;

const build = (since?: Date) => buildReport({ db, tenantPattern: 'org\\_%', appVersion: 'test', backups: { destination: dest, retention: { keepLast: 7 } } }, { sections: ['health', 'tenants', 'backups', 'dr', 'secrets'], ...(since ? { since } : {}) });

beforeAll(async () => {
  // 10 tenants or more: the planted problems sit on the same objects for any count (docs/demo-problems.md).
  scratch = await createScratchDatabase({ seed: true, tenants: 10, scale: 0.05 });
  db = open(scratch.url);
  work = await mkdtemp(join(tmpdir(), 'pfo-reports-test-'));
  const keyPath = join(work, 'backup.key');
  await writeFile(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString().trim() + '\n', { mode: 0o600 });
  dest = openDestination(join(work, 'backups'));
  backedUp = scratch.seed!.tenants[3]!;
  await runBackup({ db, dest, key: await loadKeyFile(keyPath), scope: { kind: 'tenant', tenant: backedUp } });
  first = await build(new Date(Date.now() - 86_400_000));
});

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the report model', () => {
  it('validates against the published JSON Schema, which is the one generated from the model', () => {
    const published = JSON.parse(readFileSync(resourcePath('report.schema.json'), 'utf8')) as Record<string, unknown>;
    expect(published).toEqual(reportJsonSchema());
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(published);
    expect(validate(first), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // The schema is not a rubber stamp.
    expect(validate({ ...first, status: 'fine' })).toBe(false);
    expect(validate({ ...first, sections: { tenants: { ...first.sections.tenants, violations: 'many' } } })).toBe(false);
  });

  it('holds the planted problems, the backup posture and DR readiness', () => {
    const s = first.sections;
    expect(first.kind).toBe('health');
    expect(first.status).toBe('critical');
    expect(s.health!.checks.find((c) => c.id === 'sequence_overflow')!.status).toBe('fail');
    expect(s.health!.findings.some((f) => f.check === 'sequence_overflow' && f.object === 'org_lively_sail_labs.audit_log_id_seq')).toBe(true);
    expect(s.health!.checks.find((c) => c.id === 'tenant_isolation')!.status).toBe('fail');
    expect(s.tenants!.tenants).toBe(10);
    expect(s.tenants!.list).toContainEqual(expect.objectContaining({ tenant: 'org_mellow_trail_cast', kind: 'cross_tenant_grant' }));
    expect(s.tenants!.list).toContainEqual(expect.objectContaining(FIXED));
    expect(s.tenants!.worst[0]!.critical).toBeGreaterThan(0);
    // One tenant backed up, none verified: every tenant listed, none with an RPO.
    expect(s.backups!.backups).toBe(1);
    expect(s.backups!.rpo.rows).toHaveLength(10);
    expect(s.backups!.rpo.rows.find((r) => r.tenant === backedUp)).toMatchObject({ newestAgeSec: expect.any(Number) });
    expect(s.backups!.rpo.neverVerified).toBe(10);
    expect(s.backups!.rpo.neverBackedUp).toBe(9);
    expect(s.backups!.verification.unverified).toBe(1);
    expect(s.dr!.readiness.find((r) => r.scenario === 'deletion')!.meets).toBe(false);
    expect(s.dr!.drillsNote).toMatch(/no drills/i);
    expect(s.secrets!.byCategory.every((c) => c.category === 'database')).toBe(true);
    // Masked: no finding carries a value.
    expect(JSON.stringify(s.secrets)).not.toMatch(/masked/);
  });
});

describe('HTML', () => {
  let html: string;
  beforeAll(() => {
    html = renderHtml(first);
  });

  it('is one self-contained file: no script, nothing to fetch, the findings in it', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href|xlink:href|action|srcset)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|https?:|\/\/[a-z]/i);
    expect(html).toContain('org_lively_sail_labs.audit_log_id_seq');
    expect(html).toContain('<svg');
    expect(html).toContain('Appendix');
  });

  it('escapes what the database names', () => {
    const hostile = structuredClone(first);
    hostile.sections.tenants!.worst[0]!.tenant = '<img src=x onerror=alert(1)>';
    const out = renderHtml(hostile);
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x');
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))('opens offline in Chromium with zero network requests', async () => {
    const { chromium } = await import('@playwright/test');
    const file = join(work, 'report.html');
    await writeFile(file, html);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      expect(await page.locator('svg').count()).toBeGreaterThan(1);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await browser.close();
    }
  });
});

describe('PDF', () => {
  for (const [paper, size] of [['A4', '595.28 x 841.89'], ['Letter', '612 x 792']] as const) {
    it(`is a ${paper} PDF with its fonts embedded and the findings in its text`, async () => {
      const pdf = await renderPdf(first, paper);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const file = join(work, `report-${paper}.pdf`);
      await writeFile(file, pdf);
      const fonts = execFileSync('pdffonts', [file]).toString().trim().split('\n').slice(2);
      expect(fonts.length).toBeGreaterThan(0);
      // Columns: name type encoding emb sub uni …; every font embedded.
      for (const line of fonts) expect(line, line).toMatch(/DejaVuSans\S*\s+CID TrueType\s+Identity-H\s+yes/);
      expect(execFileSync('pdfinfo', [file]).toString()).toContain(`Page size:       ${size} pts`);
      const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
      expect(text).toContain('org_lively_sail_labs.audit_log_id_seq');
      expect(text).toMatch(/page 1 of \d+/);
    });
  }
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile('node', ['bin/podcastflow-ops.js', ...args], { maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('CLI report', () => {
  it('writes each format, exits by the worst status, re-renders a saved report and diffs two', async () => {
    const json = join(work, 'cli.json');
    const r = await cli(['report', '--db', `${scratch.url}?sslmode=disable`, '--sections', 'tenants,backups', '--backups', join(work, 'backups'), '--format', 'json', '--out', json]);
    expect(r.code, r.stderr).toBe(2); // critical: the planted cross-tenant grant
    const saved = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(Object.keys(saved.sections)).toEqual(['tenants', 'backups']);
    expect(saved.sections.backups!.backups).toBe(1);

    const html = join(work, 'cli.html');
    expect((await cli(['report', '--from-saved', json, '--format', 'html', '--out', html])).code).toBe(2);
    expect(readFileSync(html, 'utf8')).toContain('Tenant isolation');

    const pdfDir = join(work, 'cli-out');
    const p = await cli(['report', 'diff', json, json, '--format', 'pdf', '--dest', pdfDir, '--json']);
    expect(p.code, p.stderr).toBe(2);
    expect((JSON.parse(p.stdout) as Report).kind).toBe('diff');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(pdfDir)).toEqual([expect.stringMatching(/^report-.*\.pdf$/)]);

    expect((await cli(['report', '--db', scratch.url, '--format', 'pdf'])).code).toBe(64);
    expect((await cli(['report', '--db', scratch.url, '--format', 'doc', '--out', 'x'])).code).toBe(64);
    expect((await cli(['report', '--from-saved', html, '--format', 'json', '--json'])).code).toBe(3);
  });
});

describe('differential report', () => {
  it('after fixing one planted problem and adding a tenant, shows exactly that', async () => {
    await withClient(scratch.url, async (c) => {
      await c.query(`ALTER FUNCTION ${pg.escapeIdentifier(FIXED.tenant)}.campaign_spend(bigint) SET search_path = pg_catalog, ${pg.escapeIdentifier(FIXED.tenant)}`);
      // The new tenant with the seed's own DDL (which owns and grants it like the others).
      await c.query('CREATE SCHEMA podcastflow_seed');
      await c.query(readFileSync(resourcePath('sql', 'demo', '02_tenant.sql'), 'utf8'));
      await c.query('SELECT podcastflow_seed.create_tenant($1)', [NEW_TENANT]);
      await c.query('DROP SCHEMA podcastflow_seed CASCADE');
    });
    const second = await build(new Date(Date.now() - 86_400_000));
    const d = diffReports(second, first).sections.diff!; // either order: older first
    expect(d.from.generatedAt).toBe(first.generatedAt);
    expect(d.tenants.appeared).toEqual([NEW_TENANT]);
    expect(d.tenants.disappeared).toEqual([]);
    expect(d.tenants.violations.resolved).toEqual([expect.stringMatching(new RegExp(`^${FIXED.tenant}: ${FIXED.kind}`))]);
    expect(d.tenants.violations.new).toEqual([]);
    expect(d.tenants.changed).toEqual([{ tenant: FIXED.tenant, from: expect.any(Number), to: expect.any(Number) }]);
    expect(d.tenants.changed[0]!.to).toBe(d.tenants.changed[0]!.from - 1);
    expect(d.findings.resolved).toContainEqual(expect.objectContaining({ check: 'tenant_isolation', tenant: FIXED.tenant }));
    expect(d.findings.new.filter((f) => f.check === 'tenant_isolation')).toEqual([]);
    // The new tenant has no backup: its RPO row is new, not a change; nothing else moved.
    expect(d.rpo).toEqual([]);
    expect(d.notCompared).toEqual([]);
  });

  it('refuses two reports of different connections', () => {
    const other = { ...first, connection: { ...first.connection, key: 'elsewhere:5432/x' } };
    expect(() => diffReports(first, other)).toThrow(expect.objectContaining({ code: 'report_mismatch' }));
  });
});
