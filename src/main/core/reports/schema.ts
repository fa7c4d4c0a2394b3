import { z } from 'zod';
import { Report, REPORT_SCHEMA, REPORT_VERSION } from '../../../shared/domain/reports';

/** Objects stay open: a reader holding an older schema accepts a newer report (changes are additive). */
function open(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(open);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (!(k === 'additionalProperties' && v === false)) out[k] = open(v);
  return out;
}

/** resources/report.schema.json, generated from the zod model (npm run report:schema; a test holds them equal). */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = open(z.toJSONSchema(Report, { target: 'draft-2020-12' })) as Record<string, unknown>;
  return { ...schema, $id: `${REPORT_SCHEMA}/v${REPORT_VERSION}`, title: 'PodcastFlow Ops report', description: 'The JSON model of a report (issue 14): HTML and PDF are rendered from it. Generated from src/shared/domain/reports.ts; changes are additive only.' };
}
