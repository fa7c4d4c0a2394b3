import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HistorySample, type HealthReport, type OverallStatus } from '../../../shared/domain/health';
import { appendJournal, writeTextAtomic } from '../store/files';
import { checkDef } from './registry';

const DAY_MS = 86_400_000;
const FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/**
 * Retention tiers (by the age of a day file): today and yesterday raw (one point per sample),
 * up to 7 days one point per 15 minutes, up to 30 days one point per hour; older files are deleted.
 */
export const RETENTION = { rawDays: 1, mediumDays: 7, maxDays: 30, mediumBucketMs: 15 * 60_000, coarseBucketMs: 60 * 60_000 } as const;

const RANK: Record<OverallStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
const STATUS: OverallStatus[] = ['healthy', 'degraded', 'unhealthy'];

/**
 * The figures the charts need, flattened from a (merged) report: each check's `history` map (its
 * definition says which of its metrics are kept, under which key), plus every check's duration.
 */
export function sampleOf(report: HealthReport, at = new Date()): HistorySample {
  const metrics: Record<string, number> = {};
  const put = (key: string, v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) metrics[key] = v;
  };
  for (const c of report.checks) {
    const from = c.metrics ?? {};
    for (const [key, metric] of Object.entries(checkDef(c.id).history ?? {})) {
      if (!metric.endsWith('*')) put(key, from[metric]);
      else for (const [k, v] of Object.entries(from)) if (k.startsWith(metric.slice(0, -1))) put(key.slice(0, -1) + k.slice(metric.length - 1), v);
    }
  }
  for (const c of report.checks) put(`ms.${c.id}`, c.durationMs);
  return { at: at.toISOString(), n: 1, status: report.status, metrics };
}

/** Average points into buckets (weighted by how many raw samples each stands for); status: the worst. */
export function downsample(samples: HistorySample[], bucketMs: number): HistorySample[] {
  const buckets = new Map<number, HistorySample[]>();
  for (const s of samples) {
    const key = Math.floor(Date.parse(s.at) / bucketMs) * bucketMs;
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    list.push(s);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, list]) => {
      if (list.length === 1) return list[0]!;
      const n = list.reduce((a, s) => a + s.n, 0);
      const sums = new Map<string, { sum: number; weight: number }>();
      for (const s of list) {
        for (const [k, v] of Object.entries(s.metrics)) {
          const e = sums.get(k) ?? { sum: 0, weight: 0 };
          e.sum += v * s.n;
          e.weight += s.n;
          sums.set(k, e);
        }
      }
      const worst = Math.max(...list.map((s) => RANK[s.status]));
      return { at: new Date(key).toISOString(), n, status: STATUS[worst]!, metrics: Object.fromEntries([...sums].map(([k, e]) => [k, e.sum / e.weight])) };
    });
}

/** Local history of one connection: JSONL per UTC day under <home>/health/<id>/history. Never touches the database. */
export class HistoryStore {
  constructor(private readonly dir: string) {}

  async append(sample: HistorySample): Promise<void> {
    await appendJournal(join(this.dir, `${sample.at.slice(0, 10)}.jsonl`), sample);
  }

  private async days(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => FILE.test(f)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private async readDay(file: string): Promise<HistorySample[]> {
    const text = await readFile(join(this.dir, file), 'utf8').catch(() => '');
    const out: HistorySample[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = HistorySample.safeParse(JSON.parse(line));
        if (parsed.success) out.push(parsed.data);
      } catch {
        // A torn last line after a crash: skip it, keep the rest.
      }
    }
    return out;
  }

  /** Samples of the last `hours`, thinned to at most `maxPoints` by averaging into equal buckets. */
  async read(hours: number, maxPoints: number, now = Date.now()): Promise<HistorySample[]> {
    const from = now - hours * 3_600_000;
    const firstDay = new Date(from).toISOString().slice(0, 10);
    const samples: HistorySample[] = [];
    for (const f of await this.days()) {
      if (f.slice(0, 10) < firstDay) continue;
      for (const s of await this.readDay(f)) if (Date.parse(s.at) >= from && Date.parse(s.at) <= now) samples.push(s);
    }
    samples.sort((a, b) => a.at.localeCompare(b.at));
    if (samples.length <= maxPoints) return samples;
    return downsample(samples, Math.ceil((hours * 3_600_000) / maxPoints));
  }

  /** Apply the retention tiers: downsample older day files in place (atomically), delete expired ones. */
  async compact(now = Date.now()): Promise<void> {
    const today = Date.parse(new Date(now).toISOString().slice(0, 10));
    for (const f of await this.days()) {
      const ageDays = Math.round((today - Date.parse(f.slice(0, 10))) / DAY_MS);
      if (ageDays <= RETENTION.rawDays) continue;
      const path = join(this.dir, f);
      if (ageDays > RETENTION.maxDays) {
        await rm(path, { force: true });
        continue;
      }
      const samples = await this.readDay(f);
      const thinned = downsample(samples, ageDays <= RETENTION.mediumDays ? RETENTION.mediumBucketMs : RETENTION.coarseBucketMs);
      if (thinned.length < samples.length) await writeTextAtomic(path, thinned.map((s) => JSON.stringify(s)).join('\n') + '\n');
    }
  }
}
