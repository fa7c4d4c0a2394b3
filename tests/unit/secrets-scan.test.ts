import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/main/core/secrets/audit';
import { BASELINE_FILE, suppress } from '../../src/main/core/secrets/baseline';
import { exitCodeFor, fingerprint } from '../../src/main/core/secrets/findings';
import { GENERIC_ENTROPY, scanText, shannonEntropy } from '../../src/main/core/secrets/rules';
import { CONFIG_LEAKS, LEAKS, makeConfigFormatsProject, makeLeakyProject } from '../support/secrets-fixture';

const run = promisify(execFile);
let root: string;
// Recall on the formats gitleaks' generic-api-key rule covers, and the suppressions teams bring from it.
let formats: string;

beforeAll(() => {
  root = makeLeakyProject();
  formats = makeConfigFormatsProject();
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(formats, { recursive: true, force: true });
});

describe('secrets audit: code and env', () => {
  it('finds every planted leak, masked and fingerprinted, and nothing from the decoys', async () => {
    const report = await runAudit({ path: root });
    const got = report.findings.map((f) => `${f.rule} ${f.file}`);
    expect(got).toEqual(
      expect.arrayContaining([
        'aws-access-key-id src/aws.ts',
        'aws-secret-access-key src/aws.ts',
        'postgres-uri-password config/database.yml',
        'private-key deploy/id_rsa',
        'pgpassword-assignment scripts/restore.sh',
        'env-file-world-readable .env',
        'env-file-tracked .env',
        'env-missing-from-example src/aws.ts',
      ]),
    );
    // Decoys: loopback/templated/placeholder URIs, AWS's documented example keys, node_modules, ignored build/.
    expect(report.findings.filter((f) => f.file === 'src/decoys.ts' || f.file?.startsWith('node_modules') || f.file?.startsWith('build/'))).toEqual([]);
    expect(report.findings.find((f) => f.rule === 'env-missing-from-example' && f.message.startsWith('AWS_REGION'))).toBeUndefined();
    // No value anywhere in the report, only masks and fingerprints.
    const text = JSON.stringify(report);
    for (const v of Object.values(LEAKS)) expect(text).not.toContain(v);
    const pg = report.findings.find((f) => f.rule === 'postgres-uri-password')!;
    expect(pg.fingerprint).toBe(fingerprint('postgres-uri-password', 'config/database.yml', LEAKS.pgPassword));
    expect(pg.masked).toMatch(/^\w\*+\w$/);
    expect(pg.line).toBe(2);
    expect(report.summary.worst).toBe('critical');
    expect(exitCodeFor(report)).toBe(2);
  });

  it('suppresses by fingerprint through a baseline file that holds no value', async () => {
    const before = await runAudit({ path: root });
    const target = before.findings.find((f) => f.rule === 'private-key')!;
    await suppress(root, target.fingerprint!, 'test key, revoked');
    const after = await runAudit({ path: root });
    expect(after.findings.some((f) => f.fingerprint === target.fingerprint)).toBe(false);
    expect(after.summary.suppressed).toBe(1);
    expect(after.summary.total).toBe(before.summary.total - 1);
    const baseline = readFileSync(join(root, BASELINE_FILE), 'utf8');
    expect(baseline).toContain(target.fingerprint!);
    expect(baseline).not.toContain(LEAKS.privateKeyBody.slice(0, 20));
  });

  it('respects .gitignore outside git too, and a clean folder exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfo-clean-'));
    try {
      writeFileSync(join(dir, '.gitignore'), 'secret-stuff/\n*.local\n');
      writeFileSync(join(dir, 'app.local'), `aws_secret_access_key = "${LEAKS.secretKey}"\n`);
      writeFileSync(join(dir, 'README.md'), 'Connect with postgres://app:<password>@db.example.com/app\n');
      const clean = await runAudit({ path: dir });
      expect(clean.findings).toEqual([]);
      expect(exitCodeFor(clean)).toBe(0);
      // A .env that is not ignored, group-readable, with no .env.example.
      writeFileSync(join(dir, '.env'), 'API_TOKEN=abc\n');
      chmodSync(join(dir, '.env'), 0o640);
      const dirty = await runAudit({ path: dir });
      expect(dirty.findings.map((f) => f.rule).sort()).toEqual(['env-file-group-readable', 'env-file-not-ignored', 'env-missing-from-example']);
      expect(exitCodeFor(dirty)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cancelled audit stops and reports no result', async () => {
    const controller = new AbortController();
    controller.abort(new Error('Cancelled by the user.'));
    await expect(runAudit({ path: root }, { signal: controller.signal })).rejects.toThrow(/Cancelled/);
  });

  it('rules: example keys, loopback and templated URIs are not findings', () => {
    expect(scanText("AKIAIOSFODNN7EXAMPLE secret_access_key='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'")).toEqual([]);
    expect(scanText('postgres://u:pw1234@[::1]:5432/d postgres://u:{{ db_password }}@db.x/d PGPASSWORD=${PGPASS}')).toEqual([]);
    expect(scanText('export PGPASSWORD="hunter2hunter2"').map((h) => h.rule)).toEqual(['pgpassword-assignment']);
  });

  it('CLI: audit secrets --path --json prints DESIGN §3 JSON and exits 2', async () => {
    const r = await run('node', ['bin/podcastflow-ops.js', 'audit', 'secrets', '--path', root, '--json'], { cwd: process.cwd() }).catch((e: { code: number; stdout: string }) => e);
    expect((r as { code?: number }).code).toBe(2);
    const doc = JSON.parse((r as { stdout: string }).stdout) as { findings: Array<{ category: string; rule: string; severity: string }>; summary: { total: number } };
    expect(doc.findings.length).toBe(doc.summary.total);
    expect(doc.findings[0]).toMatchObject({ category: expect.stringMatching(/code|env/), severity: 'critical' });
    for (const v of Object.values(LEAKS)) expect((r as { stdout: string }).stdout).not.toContain(v);
  });
});

describe('generic password/token/key assignments', () => {
  it('finds one in each format, at its line, masked; no placeholder, reference or empty', async () => {
    const report = await runAudit({ path: formats });
    const generic = report.findings.filter((f) => f.rule === 'generic-api-key').map((f) => `${f.file}:${f.line}`);
    expect(generic.sort()).toEqual(['.env:3', 'config/app.ini:3', 'config/app.json:4', 'config/app.properties:2', 'config/app.yaml:3']);
    const codeFiles = report.findings.filter((f) => f.category === 'code').map((f) => f.file);
    expect(codeFiles.filter((f) => f!.includes('placeholders') || f === 'src/settings.ts')).toEqual([]);
    const env = report.findings.find((f) => f.file === '.env' && f.rule === 'generic-api-key')!;
    expect(env).toMatchObject({ severity: 'high', message: 'DB_PASSWORD is assigned a literal secret', masked: 'q************K' });
    const text = JSON.stringify(report);
    for (const v of Object.values(CONFIG_LEAKS)) expect(text).not.toContain(v);
  });

  it('honours gitleaks:allow and .gitleaksignore (plain and commit-qualified), and never scans the baseline', async () => {
    const report = await runAudit({ path: formats });
    const files = report.findings.map((f) => f.file);
    expect(files).not.toContain('config/allowed.yaml');
    expect(files).not.toContain('config/ignored.properties');
    expect(files).not.toContain('config/ignored.ini');
    expect(files).not.toContain('.podcastflow-secrets-baseline.json');
    expect(files).not.toContain('.gitleaksignore');
    expect(report.summary.suppressed).toBe(3);
  });

  it('rules: entropy as gitleaks measures it, references and code expressions are not findings', () => {
    expect(shannonEntropy(CONFIG_LEAKS.env)).toBe(4);
    expect(shannonEntropy('hunter2hunter2')).toBeLessThan(GENERIC_ENTROPY);
    expect(scanText('password: hunter2hunter2\ntoken: ${TOKEN}\napi_key: os.environ["API_KEY"]\nsecret: getSecret()\n')).toEqual([]);
    // In program code only a quoted literal counts; in config a bare value does.
    expect(scanText(`token: ${CONFIG_LEAKS.yaml}`, 'src/a.ts')).toEqual([]);
    expect(scanText(`const token = '${CONFIG_LEAKS.yaml}';`, 'src/a.ts').map((h) => h.rule)).toEqual(['generic-api-key']);
    expect(scanText(`token: ${CONFIG_LEAKS.yaml}`, 'config/a.yml').map((h) => h.rule)).toEqual(['generic-api-key']);
    // The shape of gitleaks' own .env fixture: a 22-digit lowercase hex password among plain settings.
    const hex = '5fd0c2b19e' + '7a43d86bc1fa';
    expect(shannonEntropy(hex)).toBeGreaterThanOrEqual(GENERIC_ENTROPY);
    expect(scanText(`DB_HOST=db.example.com\nDB_PORT=443\nDB_USERNAME=postgres\nDB_PASSWORD=${hex}\nDB_SSL=true\n`, '.env.prod').map((h) => h.message)).toEqual(['DB_PASSWORD is assigned a literal secret']);
  });
});
