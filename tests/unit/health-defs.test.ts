import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC, withChecksSection } from '../../scripts/docs-health';
import { loadSql, sqlParams } from '../../src/main/core/db/sql';
import { sampleOf } from '../../src/main/core/health/history';
import { CHECKS, checkSql } from '../../src/main/core/health/registry';
import { DEFAULT_THRESHOLDS, THRESHOLD_DOCS, THRESHOLD_SPECS, THRESHOLD_UNITS } from '../../src/main/core/health/thresholds';
import { CHECK_IDS, Thresholds, type HealthReport } from '../../src/shared/domain/health';

describe('health check definitions', () => {
  it('docs/health.md lists the checks as their definitions say (npm run docs:health rewrites it)', () => {
    const md = readFileSync(DOC(), 'utf8');
    expect(withChecksSection(md), 'docs/health.md is out of date: run npm run docs:health').toBe(md);
    for (const c of CHECKS) expect(md).toContain(`| \`${c.id}\` | ${c.docs.replace(/\|/g, '\\|')} |`);
  });

  it('are the 18 checks of DESIGN §3 and wal_archiving, in that order, each with a title, docs and its SQL', () => {
    expect(CHECKS.map((c) => c.id)).toEqual([...CHECK_IDS]);
    for (const c of CHECKS) {
      expect(c.title.length, c.id).toBeGreaterThan(0);
      expect(c.docs.length, c.id).toBeGreaterThan(0);
      expect(checkSql(c.id).length, c.id).toBeGreaterThan(0);
    }
  });

  it('bind the parameters each SQL file declares, by the same names, in the same order', () => {
    let bound = 0;
    for (const spec of CHECKS.flatMap((c) => c.sql)) {
      if (!spec.params) continue;
      const text = loadSql(spec.file);
      const declared = sqlParams(text).map((p) => p.name);
      expect(Object.keys(spec.params), spec.file).toEqual(declared);
      const used = Math.max(0, ...[...text.replace(/--.*$/gm, '').matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      expect(used, spec.file).toBe(declared.length);
      bound += 1;
    }
    expect(bound).toBeGreaterThan(10);
  });

  it('give every threshold of the schema exactly one default, unit and doc', () => {
    const keys = Object.keys(Thresholds.shape).sort();
    expect(Object.keys(THRESHOLD_SPECS).sort()).toEqual(keys);
    expect(Object.keys(DEFAULT_THRESHOLDS).sort()).toEqual(keys);
    expect(Object.keys(THRESHOLD_UNITS).sort()).toEqual(keys);
    expect(Object.keys(THRESHOLD_DOCS).sort()).toEqual(keys);
    expect(Thresholds.safeParse(DEFAULT_THRESHOLDS).success).toBe(true);
    // A threshold two checks share is one spec, not two copies that could drift.
    const bloat = CHECKS.filter((c) => c.id === 'table_bloat' || c.id === 'index_bloat').map((c) => c.thresholds.bloatWarnRatio);
    expect(bloat[0]).toBe(bloat[1]);
    expect(DEFAULT_THRESHOLDS).toMatchObject({ checkTimeoutMs: 60_000, topN: 50, cacheHitWarn: 0.99, bloatMinBytes: 1024 * 1024, cheapIntervalSec: 60, heavyIntervalSec: 1_800 });
  });

  it('choose the history figures: mapped keys, prefix maps and every duration', () => {
    const check = (id: (typeof CHECK_IDS)[number], metrics: Record<string, number>) => ({ id, title: id, status: 'pass' as const, durationMs: 2, summary: '', findings: [], metrics });
    const report: HealthReport = {
      status: 'healthy',
      durationMs: 5,
      database: { name: 'x', serverVersion: '15' },
      checks: [
        check('connectivity', { latencyMs: 1.5 }),
        check('connections', { used: 3, max: 100, usable: 97, 'state.active': 1, 'state.idle': 2 }),
        check('cache_hit_ratio', { heap: 0.99, heapHit: 99, heapRead: 1 }),
        check('sizes', { databaseBytes: 1e6, tenants: 3, tenantBytes: 5e5 }),
      ],
    };
    const s = sampleOf(report, new Date('2026-01-01T00:00:00Z'));
    expect(s.metrics).toEqual({
      latencyMs: 1.5,
      'conn.used': 3,
      'conn.max': 100,
      'conn.usable': 97,
      'conn.active': 1,
      'conn.idle': 2,
      'cache.heap': 0.99,
      'size.database': 1e6,
      'ms.connectivity': 2,
      'ms.connections': 2,
      'ms.cache_hit_ratio': 2,
      'ms.sizes': 2,
    });
  });
});
