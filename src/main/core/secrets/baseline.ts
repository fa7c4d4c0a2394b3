import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from '../store/files';

/** Kept in the scanned repository (commit it): fingerprints only, never a value. */
export const BASELINE_FILE = '.podcastflow-secrets-baseline.json';

const Baseline = z.object({
  version: z.literal(1),
  suppressed: z.array(z.object({ fingerprint: z.string().regex(/^[a-f0-9]{64}$/), addedAt: z.string(), note: z.string().optional() })),
});

export async function readBaseline(root: string): Promise<Set<string>> {
  const b = await readJson(join(root, BASELINE_FILE), Baseline, { version: 1, suppressed: [] });
  return new Set(b.suppressed.map((s) => s.fingerprint));
}

/** Add a fingerprint to the baseline (idempotent); returns the file and how many it now holds. */
export async function suppress(root: string, fingerprint: string, note?: string): Promise<{ baselineFile: string; suppressed: number }> {
  const file = join(root, BASELINE_FILE);
  const b = await readJson(file, Baseline, { version: 1, suppressed: [] });
  if (!b.suppressed.some((s) => s.fingerprint === fingerprint)) {
    b.suppressed.push({ fingerprint, addedAt: new Date().toISOString(), ...(note ? { note } : {}) });
  }
  // Meant to be committed and read by the team: not private.
  await writeJsonAtomic(file, b, 0o644);
  return { baselineFile: file, suppressed: b.suppressed.length };
}
