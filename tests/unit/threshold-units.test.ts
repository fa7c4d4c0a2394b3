import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, THRESHOLD_UNITS } from '../../src/main/core/health/thresholds';
import { fromHuman, thresholdName, toHuman, unitLabel } from '../../src/shared/threshold-units';
import type { Thresholds } from '../../src/shared/domain/health';

describe('thresholds in human units', () => {
  it('shows ratios as %, bytes as MB and milliseconds as seconds', () => {
    expect([toHuman(0.99, 'ratio'), unitLabel('ratio')]).toEqual(['99', '%']);
    expect([toHuman(64 * 1024 * 1024, 'bytes'), unitLabel('bytes')]).toEqual(['64', 'MB']);
    expect([toHuman(200, 'ms'), unitLabel('ms')]).toEqual(['0.2', 's']);
    expect(toHuman(1800, 's')).toBe('1800');
  });

  it('turns what was typed back into the stored unit, integral where the store wants integers', () => {
    expect(fromHuman('97.5', 'ratio')).toBe(0.975);
    expect(fromHuman('1.5', 'bytes')).toBe(1572864);
    expect(fromHuman('0.0000001', 'bytes')).toBe(0);
    expect(fromHuman('2.5', 'ms')).toBe(2500);
    expect(fromHuman(' 7 ', 'days')).toBe(7);
    expect(fromHuman('', 'count')).toBeNaN();
    expect(fromHuman('ten', 's')).toBeNaN();
  });

  it('round-trips every default exactly, so opening and saving the editor changes nothing', () => {
    for (const [k, v] of Object.entries(DEFAULT_THRESHOLDS)) {
      const unit = THRESHOLD_UNITS[k as keyof Thresholds];
      expect(fromHuman(toHuman(v, unit), unit), k).toBe(v);
    }
  });

  it('names a threshold without its unit suffix', () => {
    expect(thresholdName('idleTxWarnSec')).toBe('Idle tx warn');
    expect(thresholdName('bloatMinBytes')).toBe('Bloat min');
    expect(thresholdName('topN')).toBe('Top N');
    expect(thresholdName('cacheHitWarn')).toBe('Cache hit warn');
  });
});
