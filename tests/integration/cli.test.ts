/**
 * The CLI's surface: --version, usage errors (exit 64) on every command, the "no password" explanation,
 * and `sql print`: every resources/sql file printed with its parameters inlined runs as is in psql.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadSql, printableSql, replacePlaceholders, sqlParams } from '../../src/main/core/db/sql';
import { createScratchDatabase, withClient } from '../support/db';

const exec = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  try {
    const { stdout, stderr } = await exec('node', ['bin/podcastflow-ops.js', ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('CLI usage', () => {
  it('--version prints the version from package.json', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const r = await cli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it.each([
    [['health'], /required option '--db <url>'/],
    [['tenants', 'verify'], /required option '--db <url>'/],
    [['backup', '--db', 'postgres://x@h/d'], /required option '--dest <dest>'/],
    [['backup', '--db', 'postgres://x@h/d', '--dest', '/tmp/x'], /exactly one of --tenant SCHEMA, --all-tenants or --full/],
    [['backups', 'list'], /required option '--dest <dest>'/],
    [['restore', '--db', 'postgres://x@h/d'], /required option '--backup <manifest>'/],
    [['verify', '--backup', 'x.manifest.json'], /required option '--db <url>'/],
    [['retention', 'apply'], /required option '--dest <dest>'/],
    [['audit', 'secrets'], /nothing to audit/],
    [['sql', 'print'], /missing required argument 'file'/],
    [['sql', 'print', 'overview', '--param', 'nope=1'], /overview\.sql has no parameter nope; it takes pattern/],
    [['sql', 'print', 'health_exact_bloat'], /needs --param schema=/],
    [['sql', 'print', 'nope'], /There is no resources\/sql\/nope\.sql/],
    [['sql', 'print', 'health_table_bloat', '--param', 'top=many'], /top \(\$2\) takes a whole number/],
    [['demo', 'up', '--tenants', '0'], /expected a whole number from 1 to 10000/],
    [['dr', 'readiness'], /required option '--dest <dest>'/],
    [['dr', 'baseline'], /required option '--db <url>'/],
    [['no-such-command'], /unknown command/],
  ])('%j exits 64 with a message', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
  });
});

describe('output', () => {
  it('a --json report larger than a pipe buffer reaches the reader whole', async () => {
    // Through a shell pipe (64 KiB), as in `health --json | jq`: node writes to it asynchronously.
    const { stdout } = await exec('sh', ['-c', 'node bin/podcastflow-ops.js health --db "$PFO_URL" --json | cat'], {
      env: { ...process.env, PFO_URL: inject('pgUrl') },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout: string }) => e);
    expect(stdout.length).toBeGreaterThan(65_536); // more than the pipe holds: exiting at once cut it there
    expect((JSON.parse(stdout) as { checks: unknown[] }).checks.length).toBe(19);
  });
});

describe('no password', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'pfo-nopass-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('explains the URL, PGPASSWORD and ~/.pgpass instead of the SCRAM message', async () => {
    const u = new URL(inject('pgUrl'));
    u.password = '';
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PGPASSFILE: path.join(home, 'none') };
    delete env.PGPASSWORD;
    const r = await cli(['health', '--db', u.toString(), '--json'], env);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { status: string; checks: Array<{ id: string; summary: string; findings: Array<{ message: string; data?: { code?: string } }> }> };
    expect(report.status).toBe('unhealthy');
    const conn = report.checks.find((c) => c.id === 'connectivity')!;
    expect(conn.summary).toBe('The server asks for a password and none was given.');
    expect(conn.findings[0]!.data?.code).toBe('no_password');
    expect(conn.findings[0]!.message).toMatch(/PGPASSWORD.*~\/\.pgpass/);
    expect(r.stdout + r.stderr).not.toMatch(/SASL|SCRAM|must be a string/);
  });
});

describe('sql print', () => {
  const url = inject('pgUrl');

  it('inlines placeholders only where Postgres sees them', () => {
    const text = `SELECT $1, '$1', E'\\'$1', "a$1", x$1, $$ $1 $$, $q$ $2 $q$ -- $1\n/* $2 */ FROM t WHERE a = $2::int`;
    expect(replacePlaceholders(text, (n) => `<${n}>`)).toBe(
      `SELECT <1>, '$1', E'\\'$1', "a$1", x$1, $$ $1 $$, $q$ $2 $q$ -- $1\n/* $2 */ FROM t WHERE a = <2>::int`,
    );
  });

  it('quotes a given value as a literal, so a value cannot become SQL', () => {
    const out = printableSql('overview', { pattern: "org_%'; DROP TABLE x; --" });
    expect(out).toContain(`LIKE 'org_%''; DROP TABLE x; --'`);
  });

  it('every file declares each $n it uses, and printed with its defaults runs as is in psql', async () => {
    const root = 'resources/sql';
    const files = [
      ...(await readdir(root)).filter((f) => f.endsWith('.sql')),
      ...(await readdir(path.join(root, 'backup'))).filter((f) => f.endsWith('.sql')).map((f) => `backup/${f}`),
    ].map((f) => f.replace(/\.sql$/, ''));
    const tenant = await withClient(url, async (c) => (await c.query<{ s: string }>(`SELECT min(nspname) AS s FROM pg_namespace WHERE nspname LIKE 'org\\_%'`)).rows[0]!.s);
    const required: Record<string, Record<string, string>> = {
      health_exact_bloat: { schema: tenant, table: 'impressions' },
      'backup/row_counts': { schemas: tenant },
      'backup/table_sizes': { schemas: tenant },
      'backup/lock_capacity': { schemas: tenant },
      'backup/schema_search_paths': { schema: tenant },
      dr_write_grants: { tenant },
      dr_roles: { roles: 'podcastflow_app' },
      dr_terminate_sessions: { role: 'no_such_role_for_sql_print' },
      dr_copy_tables: { copy: `${tenant}__restored_20000101_0000`, live: tenant },
      dr_breach_scope: { role: 'podcastflow_readonly' },
      dr_tenant_contacts: { tenants: tenant },
    };
    const u = new URL(url);
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
    u.password = '';
    let withParams = 0;
    for (const name of files) {
      // The text the console runs: includes (resources/sql/include) expanded.
      const text = loadSql(name);
      const used = new Set<number>();
      replacePlaceholders(text, (n) => (used.add(n), ''));
      expect([...used].sort(), name).toEqual(sqlParams(text).map((p) => p.index));
      if (used.size) withParams += 1;
      const printed = printableSql(name, required[name] ?? {});
      replacePlaceholders(printed, (n) => {
        throw new Error(`${name}: $${n} left in the printed SQL`);
      });
      const { stdout } = await exec('psql', [u.toString(), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-c', 'BEGIN READ ONLY', '-c', printed, '-c', 'ROLLBACK'], { env });
      expect(typeof stdout, name).toBe('string');
    }
    expect(withParams).toBeGreaterThanOrEqual(25);
  });

  it('the command prints the file with the given parameter', async () => {
    const r = await cli(['sql', 'print', 'health_table_bloat', '--param', 'top=7']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/LIMIT 7\b/);
    expect(r.stdout).toContain(`LIKE 'org_%'`);
  });
});

describe('dr scenarios', () => {
  it('--json lists the five runbooks with their versions, RTO targets and step counts', async () => {
    const r = await cli(['dr', 'scenarios', '--json']);
    expect(r.code).toBe(0);
    const { scenarios } = JSON.parse(r.stdout) as { scenarios: { scenario: string; version: number; rtoTargetSec: number; rpoTargetSec?: number; steps: number }[] };
    expect(scenarios.map((s) => [s.scenario, s.rtoTargetSec])).toEqual([
      ['corruption', 3600],
      ['deletion', 7200],
      ['system-failure', 14400],
      ['ransomware', 28800],
      ['breach', 1800],
    ]);
    for (const s of scenarios) {
      expect(s.version, s.scenario).toBeGreaterThanOrEqual(1);
      expect(s.steps, s.scenario).toBeGreaterThan(5);
    }
    expect(scenarios.find((s) => s.scenario === 'breach')?.rpoTargetSec).toBeUndefined();
  });
  it('prints one line per scenario without --json', async () => {
    const r = await cli(['dr', 'scenarios']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['corruption', 'deletion', 'system-failure', 'ransomware', 'breach']);
  });
});

describe('dr readiness', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'pfo-dr-readiness-'));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  interface Readiness {
    scenarios: { scenario: string; meets: boolean | null; judged: number; missing: { tenant?: string; verifiedAgeSec?: number }[] }[];
    tenants: { tenant: string; verifiedAgeSec?: number; newest?: string }[];
  }
  const byScenario = (r: Result) => Object.fromEntries((JSON.parse(r.stdout) as Readiness).scenarios.map((s) => [s.scenario, s]));

  it('exits 1 on a destination with no backups, 3 on one that does not exist', async () => {
    const empty = await cli(['dr', 'readiness', '--dest', work]);
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/^deletion\s+RPO target 24 h: MISSED \(nothing backed up at this destination\)$/m);
    const none = await cli(['dr', 'readiness', '--dest', path.join(work, 'nope'), '--json']);
    expect(none.code).toBe(3);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: 'destination_not_found' } });
  });

  it('counts a tenant as meeting its RPO only once its backup is verified', async () => {
    const scratch = await createScratchDatabase({ seed: true, tenants: 2, workload: false, plantProblems: false, scale: 0.1 });
    try {
      const keyFile = path.join(work, 'backup.key');
      await writeFile(keyFile, `${'k'.repeat(24)}-${Date.now()}\n`, { mode: 0o600 });
      const dest = path.join(work, 'dest');
      const url = `${scratch.url}?sslmode=disable`;
      const backup = await cli(['backup', '--db', url, '--all-tenants', '--dest', dest, '--key-file', keyFile, '--json']);
      expect(backup.code, backup.stderr).toBe(0);

      const before = await cli(['dr', 'readiness', '--dest', dest, '--json']);
      expect(before.code).toBe(1);
      const b = byScenario(before);
      expect(b.deletion).toMatchObject({ meets: false, judged: 2 });
      expect(b.deletion!.missing.every((m) => m.verifiedAgeSec === undefined)).toBe(true);
      expect(b['system-failure']).toMatchObject({ meets: false }); // no full backup at all
      expect(b.breach).toMatchObject({ meets: null });

      const manifest = (await readdir(dest)).find((f) => f.endsWith('.manifest.json'))!;
      const verify = await cli(['verify', '--backup', path.join(dest, manifest), '--db', url, '--key-file', keyFile]);
      expect(verify.code, verify.stderr).toBe(0);
      const after = byScenario(await cli(['dr', 'readiness', '--dest', dest, '--json']));
      expect(after.deletion).toMatchObject({ meets: true, judged: 2, missing: [] });
      expect(after['system-failure']).toMatchObject({ meets: false });
    } finally {
      await scratch.drop();
    }
  });
});

describe('dr baseline', () => {
  it('records the baseline under --data and prints it with --json', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'pfo-cli-baseline-'));
    try {
      const r = await cli(['dr', 'baseline', '--db', inject('pgUrl'), '--data', data, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const b = JSON.parse(r.stdout) as { connectionId: string; database: string; state: { roles: { role: string; superuser: boolean }[]; extensions: { name: string }[] } };
      expect(b.database).toBe('podcastflow');
      expect(b.state.roles.some((x) => x.superuser)).toBe(true);
      expect(b.state.extensions.map((x) => x.name)).toContain('pg_stat_statements');
      const saved = JSON.parse(await readFile(path.join(data, 'dr', 'baselines', `${b.connectionId}.json`), 'utf8')) as unknown;
      expect(saved).toEqual(b);
      expect(r.stdout).not.toMatch(/password/i);
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});
