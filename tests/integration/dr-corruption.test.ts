/**
 * Issue 12 on a private embedded cluster (roles are cluster-wide, so "nothing else is new" can only be
 * asserted where no other test file creates roles): the persistence hunt against a recorded baseline, and
 * the corruption drill (a heap file damaged with the server stopped, found by pg_amcheck and by the amcheck
 * extension, the healthy rest salvaged).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../src/main/core/db/client';
import { baselineAge, persistenceHunt, readBaseline, recordBaseline } from '../../src/main/core/dr/security/baseline';
import { DRILL_TABLE, runCorruptionDrill, startDrillCluster, type DrillCluster } from '../../src/main/core/dr/security/drill';
import { integrityCheck, parseAmcheckOutput, repairChecklist } from '../../src/main/core/dr/security/integrity';

const exec = promisify(execFile);
let cluster: DrillCluster;
let home: string;

beforeAll(async () => {
  cluster = await startDrillCluster();
  home = await mkdtemp(join(tmpdir(), 'pfo-baseline-'));
}, 180_000);

afterAll(async () => {
  await cluster?.dispose();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('persistence hunt', () => {
  it('names the role and the SECURITY DEFINER function created after the baseline, and nothing else', async () => {
    const c = await connectClient({ connectionString: cluster.url });
    try {
      await expect(persistenceHunt(c, await readBaseline(home, 'drill'))).rejects.toMatchObject({ code: 'no_baseline' });
      const baseline = await recordBaseline(c, { home, connectionId: 'drill', now: () => new Date('2026-12-01T08:00:00Z') });
      expect((await readBaseline(home, 'drill'))?.recordedAt).toBe('2026-12-01T08:00:00.000Z');
      expect(await baselineAge(home, 'drill', Date.parse('2026-12-01T09:00:00Z'))).toEqual({ recordedAt: '2026-12-01T08:00:00.000Z', ageSec: 3600 });
      expect((await persistenceHunt(c, baseline)).findings).toEqual([]);

      await c.query('CREATE ROLE backdoor_ops NOLOGIN');
      await c.query(`CREATE FUNCTION public.run_as_owner(cmd text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN EXECUTE cmd; END $$`);
      const hunt = await persistenceHunt(c, (await readBaseline(home, 'drill'))!);
      expect(hunt.findings.map((f) => [f.kind, f.object])).toEqual([
        ['new_role', 'backdoor_ops'],
        ['new_security_definer_function', 'public.run_as_owner(cmd text)'],
      ]);
      expect(hunt.baselineAt).toBe(baseline.recordedAt);
    } finally {
      await c.query('DROP FUNCTION IF EXISTS public.run_as_owner(text); DROP ROLE IF EXISTS backdoor_ops').catch(() => undefined);
      await c.end();
    }
  });
});

describe('corruption drill', () => {
  it('pg_amcheck names the damaged relation and its tenant; the extension agrees; the salvage leaves its rows out; the earlier backup restores it beside', async () => {
    const progress: string[] = [];
    const r = await runCorruptionDrill(cluster, undefined, (p) => progress.push(p.unit));
    expect(r.before.ok).toBe(true);
    expect(r.before.tool.name).toBe('pg_amcheck');
    expect(r.before.dataChecksums).toMatch(/^(on|off)$/);
    expect(r.detected).toBe(true);
    expect(r.after.ok).toBe(false);
    expect(r.after.tenants).toEqual([r.tenant]);
    expect(r.after.relations.map((x) => x.relation)).toEqual([`${r.tenant}.${DRILL_TABLE}`]);
    expect(r.after.findings[0]).toMatchObject({ tenant: r.tenant, kind: 'heap', table: DRILL_TABLE, block: 0 });
    expect(r.after.damagedTables).toEqual([DRILL_TABLE]);
    expect(progress).toContain('pages');

    const ext = await integrityCheck({ url: cluster.url, schema: r.tenant, forceExtension: true });
    expect(ext.tool.name).toBe('amcheck');
    expect(ext.relations.map((x) => x.relation)).toEqual([`${r.tenant}.${DRILL_TABLE}`]);

    // The salvage holds the damaged table's definition but none of its rows, and every other table's.
    expect((await stat(r.salvage.file)).size).toBe(r.salvage.bytes);
    const { stdout } = await exec('pg_restore', ['--list', r.salvage.file]);
    expect(stdout).toMatch(new RegExp(`TABLE ${r.tenant} ${DRILL_TABLE}\\b`));
    expect(stdout).not.toMatch(new RegExp(`TABLE DATA ${r.tenant} ${DRILL_TABLE}\\b`));
    expect(stdout).toMatch(new RegExp(`TABLE DATA ${r.tenant} shows\\b`));
    // The backup from before the damage restores the tenant beside, the table whole.
    expect(r.restored.schema).toMatch(new RegExp(`^${r.tenant}__restored_`));
    expect(r.restored.rows).toBe(r.restored.expectedRows);
  });

  it('the copy-before-repair checklist names this server\'s data directory', async () => {
    const c = await connectClient({ connectionString: cluster.url });
    const dir = (await c.query<{ d: string }>("SELECT current_setting('data_directory') AS d").finally(() => c.end())).rows[0]!.d;
    const text = await repairChecklist(cluster.url, { copyTo: '/mnt/evidence', now: new Date('2026-12-01T10:00:00Z') });
    expect(text).toContain(`rsync -aHAX --numeric-ids '${dir}'/ '/mnt/evidence/pgdata-20261201T100000'/`);
    expect(text).toContain('/usr/lib/postgresql/15/bin/pg_checksums --check');
  });

  it('refuses a schema that does not exist and a job count out of range, checking nothing', async () => {
    await expect(integrityCheck({ url: cluster.url, schema: 'org_nope' })).rejects.toMatchObject({ code: 'no_such_tenant' });
    await expect(integrityCheck({ url: cluster.url, jobs: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('pg_amcheck output', () => {
  it('splits database, schema and relation, with block and offset, and resolves unreadable relations by file node', () => {
    const text = [
      'heap table "db.org_a.b.c", block 3, offset 7:',
      '    line pointer to page offset 32639 is not maximally aligned',
      'btree index "db.org_x.t_pkey":',
      '    ERROR:  index "t_pkey" lacks a main relation fork',
      'pg_amcheck: error: error sending command to database "db": ERROR:  invalid page in block 0 of relation base/16384/24576',
      'pg_amcheck: detail: Query was: SELECT * FROM verify_heapam(…)',
    ].join('\n');
    expect(parseAmcheckOutput(text, 'db', ['org_a', 'org_a.b', 'org_x'])).toEqual([
      { relation: 'org_a.b.c', schema: 'org_a.b', kind: 'heap', block: 3, offset: 7, message: 'line pointer to page offset 32639 is not maximally aligned' },
      { relation: 'org_x.t_pkey', schema: 'org_x', kind: 'btree', message: 'ERROR:  index "t_pkey" lacks a main relation fork' },
      { relation: 'database', kind: 'error', block: 0, message: 'ERROR:  invalid page in block 0 of relation base/16384/24576', filenode: 24576 },
    ]);

  });
});
