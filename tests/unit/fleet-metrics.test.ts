import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FleetMetrics } from '../../src/main/core/fleet/metrics';
import { seriesOf, syntheticSnapshot } from '../support/fleet-snapshot';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('/metrics exposition', () => {
  it('stays bounded at 10,000 tenants: per-tenant series only for the top N, the same count as at 100', async () => {
    const big = seriesOf(await new FleetMetrics('0.0.0', 20).render(await syntheticSnapshot(10_000, NOW), NOW));
    const small = seriesOf(await new FleetMetrics('0.0.0', 20).render(await syntheticSnapshot(200, NOW), NOW));
    expect(big.filter((l) => l.includes('tenant="')).length).toBe(40); // 20 isolation offenders + 20 stalest RPOs
    expect(big.length).toBe(small.length);
    // docs/metrics.md states this figure.
    expect(big.length).toBe(253);
    // Unbounded (every tenant) would be thousands: the bound is what keeps it small.
    const all = seriesOf(await new FleetMetrics('0.0.0', 100_000).render(await syntheticSnapshot(10_000, NOW), NOW));
    expect(all.length).toBeGreaterThan(10_000);
  });

  it('gives base-unit values from the latest results: ages at scrape time, outcomes, readiness, drills', async () => {
    const text = await new FleetMetrics('1.2.3', 5).render(await syntheticSnapshot(100, NOW), NOW + 60_000);
    expect(text).toContain('pfops_backup_age_seconds{database="podcastflow",kind="all-tenants"} 3660');
    expect(text).toContain('pfops_backup_rpo_target_seconds{database="podcastflow",kind="full"} 86400');
    expect(text).toContain('pfops_backup_last_success{kind="full"} 0');
    expect(text).toContain('pfops_backup_last_success{kind="all-tenants"} 1');
    expect(text).toContain('pfops_tenant_isolation_violations{connection="prod",kind="cross_tenant_grant",severity="critical"} 5');
    expect(text).toContain('pfops_dr_drill_rto_seconds{scenario="deletion"} 1000');
    expect(text).toContain('pfops_health_check_status{connection="prod",check="cache_hit_ratio"} 1');
    expect(text).toContain('pfops_db_latency_seconds{connection="prod"} 0');
    expect(text).toMatch(/^pfops_build_info\{version="1\.2\.3"\} 1$/m);
  });

  it('passes promtool check metrics (names, units, help)', async () => {
    const text = await new FleetMetrics('0.0.0', 20).render(await syntheticSnapshot(300, NOW), NOW);
    // promtool exits non-zero and names the metric on any lint problem.
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(out).toBe('');
  });
});
