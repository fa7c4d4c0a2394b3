import type { CheckDef, SqlSpec } from '../types';
import { count, pct, ratio } from '../types';

interface Row {
  heap_hit: number;
  heap_read: number;
  idx_hit: number;
  idx_read: number;
  stats_reset: Date | null;
}

const SQL: SqlSpec = { file: 'health_cache_hit_ratio' };

const hitRatio = (hit: number, read: number): number | undefined => (hit + read > 0 ? hit / (hit + read) : undefined);

/**
 * Heap and index hit ratios, cumulative since the last stats reset and over the interval since the
 * previous run (deltas of the counters, kept in the previous result's metrics). The cumulative figure
 * of a long-running server hides a recent drop; the interval figure shows it.
 */
export const cacheHitRatio: CheckDef = {
  id: 'cache_hit_ratio', title: 'Cache hit ratio', heavy: false, sql: [SQL],
  docs: 'heap and index hit ratios since the stats reset and per sampling interval (deltas); `value` = heap ratio',
  thresholds: {
    cacheHitWarn: ratio(0.99, 'Heap hit ratio below this warns (cumulative, or over the last interval when it saw enough reads).'), cacheHitFail: ratio(0.95, 'Heap hit ratio below this fails.'),
    cacheMinBlocks: count(1_000, 'An interval with fewer block reads than this is too small to judge.'),
  },
  history: { 'cache.heap': 'heap', 'cache.index': 'index', 'cache.heapInterval': 'heapInterval', 'cache.indexInterval': 'indexInterval' },
  async run(ctx) {
    const [r] = await ctx.rows<Row>(SQL);
    if (!r) throw new Error('pg_statio_user_tables returned nothing');
    const heap = hitRatio(r.heap_hit, r.heap_read);
    const index = hitRatio(r.idx_hit, r.idx_read);
    const metrics: Record<string, number> = { heapHit: r.heap_hit, heapRead: r.heap_read, idxHit: r.idx_hit, idxRead: r.idx_read };
    if (heap !== undefined) metrics.heap = heap;
    if (index !== undefined) metrics.index = index;

    // Per-interval ratios from the previous counters; a counter going backwards means a stats reset.
    const prev = ctx.previous?.metrics;
    let heapInterval: number | undefined;
    if (prev && prev.heapHit !== undefined && prev.heapRead !== undefined && r.heap_hit >= prev.heapHit && r.heap_read >= prev.heapRead) {
      const dh = r.heap_hit - prev.heapHit;
      const dr = r.heap_read - prev.heapRead;
      if (dh + dr >= ctx.t.cacheMinBlocks) heapInterval = dh / (dh + dr);
      const di = r.idx_hit - (prev.idxHit ?? 0);
      const dir = r.idx_read - (prev.idxRead ?? 0);
      if (di >= 0 && dir >= 0 && di + dir >= ctx.t.cacheMinBlocks) metrics.indexInterval = di / (di + dir);
    }
    if (heapInterval !== undefined) metrics.heapInterval = heapInterval;

    if (heap === undefined) return { status: 'pass', summary: 'No table blocks read since the last stats reset: nothing to judge yet.', findings: [], metrics };
    const judged = [heap, ...(heapInterval !== undefined ? [heapInterval] : [])];
    const low = Math.min(...judged);
    const status = low < ctx.t.cacheHitFail ? 'fail' : low < ctx.t.cacheHitWarn ? 'warn' : 'pass';
    const findings = [];
    if (heap < ctx.t.cacheHitWarn) findings.push({ severity: heap < ctx.t.cacheHitFail ? 'critical' as const : 'warn' as const, message: `Heap hit ratio ${pct(heap, 2)} since ${r.stats_reset ? r.stats_reset.toISOString() : 'the server started'} (${r.heap_read} blocks read from disk).`, data: { heap, heapRead: r.heap_read } });
    if (heapInterval !== undefined && heapInterval < ctx.t.cacheHitWarn) findings.push({ severity: heapInterval < ctx.t.cacheHitFail ? 'critical' as const : 'warn' as const, message: `Heap hit ratio ${pct(heapInterval, 2)} over the last interval: a recent drop.`, data: { heapInterval } });
    if (index !== undefined && index < ctx.t.cacheHitWarn) findings.push({ severity: 'info' as const, message: `Index hit ratio ${pct(index, 2)}.`, data: { index } });
    return {
      status,
      summary: `Heap ${pct(heap, 2)}, index ${index !== undefined ? pct(index, 2) : '–'} since reset` + (heapInterval !== undefined ? `; heap ${pct(heapInterval, 2)} over the last interval.` : '.'),
      value: heap,
      findings,
      metrics,
    };
  },
};
