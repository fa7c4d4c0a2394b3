import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { DrRun } from '../../src/shared/domain/dr';
import { renderHtml } from '../../src/main/core/reports/html';
import { incidentReport } from '../../src/main/core/reports/incident';
import { renderPdf } from '../../src/main/core/reports/pdf';
import { resourcePath } from '../../src/main/core/util/paths';

const SHA = 'a'.repeat(64);
const run: DrRun = {
  id: 'run_1',
  scenario: 'deletion',
  runbookVersion: 3,
  status: 'succeeded',
  drill: false,
  connection: 'prod',
  tenants: ['org_acme'],
  incidentAt: '2026-11-30T09:00:00Z',
  detectedAt: '2026-11-30T09:20:00Z',
  startedAt: '2026-11-30T09:25:00Z',
  finishedAt: '2026-11-30T10:40:00Z',
  rto: { targetSec: 7200, elapsedSec: 6000, met: true },
  rpo: { targetSec: 86_400, restorePoint: '2026-11-30T02:00:00Z', achievedSec: 25_200, met: true },
  steps: [
    { id: 'freeze', title: 'Freeze the tenant', kind: 'action', action: 'freeze', status: 'succeeded', startedAt: '2026-11-30T09:25:00Z', finishedAt: '2026-11-30T09:26:00Z', attempts: 1, expectedDurationSec: 60 },
    { id: 'how', title: 'Restore beside or replace', kind: 'decision', status: 'succeeded', startedAt: '2026-11-30T09:30:00Z', finishedAt: '2026-11-30T09:31:00Z', attempts: 1, chosen: 'beside', note: 'Customer wants to compare first', options: [{ id: 'beside', title: 'Restore beside', recommended: true }, { id: 'replace', title: 'Replace' }], expectedDurationSec: 60 },
    { id: 'evidence', title: 'Capture evidence', kind: 'evidence', status: 'succeeded', attempts: 2, evidence: [{ file: 'evidence/pg_stat_activity.json', sha256: SHA }], expectedDurationSec: 60 },
    { id: 'verify', title: 'Verify the copy', kind: 'action', action: 'verify', status: 'failed', attempts: 1, error: { code: 'verify_failed', message: '2 tables differ' }, expectedDurationSec: 60 },
  ],
};

describe('the post-incident report of a DR run', () => {
  const report = incidentReport(run, { key: 'db:5432/pf', host: 'db', port: 5432, database: 'pf' }, 'test', new Date('2026-12-01T00:00:00Z'));

  it('holds the timeline, the decisions with notes, the evidence hashes and the RTO/RPO achieved, and validates', () => {
    const i = report.sections.incident!;
    expect(report.kind).toBe('incident');
    expect(report.status).toBe('ok');
    expect(i.timeline.map((s) => [s.step, s.durationSec])).toEqual([['freeze', 60], ['how', 60], ['evidence', undefined], ['verify', undefined]]);
    expect(i.timeline[3]!.error).toBe('verify_failed: 2 tables differ');
    expect(i.decisions).toEqual([{ step: 'how', title: 'Restore beside or replace', chosen: 'Restore beside', recommended: 'Restore beside', note: 'Customer wants to compare first' }]);
    expect(i.evidence).toEqual([{ step: 'evidence', file: 'evidence/pg_stat_activity.json', sha256: SHA }]);
    expect(i.rto).toEqual({ targetSec: 7200, achievedSec: 6000, met: true });
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(resourcePath('report.schema.json'), 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a run that missed its RTO is critical', () => {
    expect(incidentReport({ ...run, rto: { ...run.rto, met: false } }, report.connection, 'test').status).toBe('critical');
  });

  it('renders as HTML and PDF with the evidence hash in both', async () => {
    expect(renderHtml(report)).toContain(SHA);
    const pdf = await renderPdf(report, 'Letter');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
