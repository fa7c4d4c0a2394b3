import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnKind, columnsFile, exportedQueries, pgwatchDefinitions, pgwatchYaml, readColumnCatalog, type ColumnCatalog } from '../../src/main/core/fleet/pgwatch';
import { CHECKS } from '../../src/main/core/health/registry';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/db';

let db: ScratchDatabase;

beforeAll(async () => {
  db = await createScratchDatabase({ tenants: 3, scale: 0.02, workload: false });
});
afterAll(async () => {
  await db?.drop();
});

/** The result columns of every exported query, as a live PostgreSQL 15 describes them. */
async function describeColumns(): Promise<ColumnCatalog> {
  return withClient(db.url, async (c) => {
    const out: ColumnCatalog = {};
    for (const q of exportedQueries()) {
      const r = await c.query(`SELECT * FROM (${q.sql}) q LIMIT 0`);
      out[q.file] = r.fields.map((f) => ({ name: f.name, kind: columnKind(f.dataTypeID) }));
    }
    return out;
  });
}

describe('export pgwatch', () => {
  it('has every check but tenant isolation, with its query and the columns the server reports', async () => {
    const live = await describeColumns();
    if (process.env.PGWATCH_COLUMNS_UPDATE === '1') writeFileSync(columnsFile(), `${JSON.stringify(live, null, 2)}\n`);
    // Stale columns.json: rerun with PGWATCH_COLUMNS_UPDATE=1 (see src/main/core/fleet/pgwatch.ts).
    expect(readColumnCatalog()).toEqual(live);
    const checks = new Set(exportedQueries().map((q) => q.checkId));
    expect([...checks].sort()).toEqual(CHECKS.map((c) => c.id).filter((id) => id !== 'tenant_isolation').sort());
  });

  it('writes SQL that runs as is on the server and gives epoch_ns, tag_ columns and the gauges it lists', async () => {
    const defs = pgwatchDefinitions();
    const catalog = readColumnCatalog();
    await withClient(db.url, async (c) => {
      for (const q of exportedQueries()) {
        const m = defs.metrics[q.metric]!;
        // Run without parameters: a placeholder left in would fail here.
        const r = await c.query(m.sqls[13]!);
        const fields = r.fields.map((f) => f.name);
        expect(fields[0], q.metric).toBe('epoch_ns');
        for (const g of m.gauges) expect(fields, `${q.metric} gauge ${g}`).toContain(g);
        for (const col of catalog[q.file]!.filter((x) => x.kind === 'tag')) expect(fields, q.metric).toContain(`tag_${col.name}`);
      }
    });
    // The seed plants a sequence near its end: the exported query finds it, tagged by schema.
    const seq = await withClient(db.url, (c) => c.query(defs.metrics.podcastflow_sequence_overflow!.sqls[13]!));
    expect(seq.rows.some((r: { tag_schema?: string; used_ratio?: string }) => typeof r.tag_schema === 'string' && Number(r.used_ratio) > 0.5)).toBe(true);
    expect(Object.keys(defs.presets.podcastflow!.metrics).sort()).toEqual(Object.keys(defs.metrics).sort());
  });

  it('prints YAML in pgwatch v3 layout (metrics → name → sqls → version: |- block)', () => {
    const yaml = pgwatchYaml();
    expect(yaml).toMatch(/^metrics:\n {2}podcastflow_connectivity:\n {4}description: ".+"\n {4}sqls:\n {6}13: \|-\n {8}SELECT \/\* pgwatch_generated \*\//m);
    expect(yaml).toMatch(/^presets:\n {2}podcastflow:\n/m);
  });
});
