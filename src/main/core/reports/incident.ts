/**
 * The post-incident record of one DR run (report kind "incident"): timeline, decisions with their notes,
 * evidence hashes, and the RTO/RPO achieved against the runbook's targets. Built from the run as the DR
 * engine keeps it; nothing is run.
 */
import type { DrRun } from '../../../shared/domain/dr';
import { REPORT_SCHEMA, REPORT_VERSION, type IncidentSection, type Report } from '../../../shared/domain/reports';

const secondsBetween = (a?: string, b?: string) => (a && b ? Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000) : undefined);

export function incidentSection(run: DrRun): IncidentSection {
  return {
    runId: run.id,
    scenario: run.scenario,
    runbookVersion: run.runbookVersion,
    status: run.status,
    drill: run.drill,
    ...(run.tenants ? { tenants: run.tenants } : {}),
    incidentAt: run.incidentAt,
    ...(run.detectedAt ? { detectedAt: run.detectedAt } : {}),
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    rto: { targetSec: run.rto.targetSec, achievedSec: run.rto.elapsedSec, ...(run.rto.met !== undefined ? { met: run.rto.met } : {}) },
    rpo: {
      ...(run.rpo.targetSec !== undefined ? { targetSec: run.rpo.targetSec } : {}),
      ...(run.rpo.restorePoint ? { restorePoint: run.rpo.restorePoint } : {}),
      ...(run.rpo.achievedSec !== undefined ? { achievedSec: run.rpo.achievedSec } : {}),
      ...(run.rpo.met !== undefined ? { met: run.rpo.met } : {}),
    },
    timeline: run.steps.map((s) => {
      const took = secondsBetween(s.startedAt, s.finishedAt);
      return {
        step: s.id,
        title: s.title,
        kind: s.kind,
        status: s.status,
        ...(s.startedAt ? { startedAt: s.startedAt } : {}),
        ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
        ...(took !== undefined ? { durationSec: took } : {}),
        attempts: s.attempts,
        ...(s.note ? { note: s.note } : {}),
        ...(s.error ? { error: `${s.error.code}: ${s.error.message}` } : {}),
      };
    }),
    decisions: run.steps
      .filter((s) => s.kind === 'decision')
      .map((s) => {
        const title = (id?: string) => s.options?.find((o) => o.id === id)?.title ?? id;
        const recommended = s.options?.find((o) => o.recommended)?.title;
        const chosen = title(s.chosen);
        return { step: s.id, title: s.title, ...(chosen ? { chosen } : {}), ...(recommended ? { recommended } : {}), ...(s.note ? { note: s.note } : {}) };
      }),
    evidence: run.steps.flatMap((s) => (s.evidence ?? []).map((e) => ({ step: s.id, file: e.file, sha256: e.sha256 }))),
  };
}

export function incidentReport(run: DrRun, connection: Report['connection'], appVersion: string, now = new Date()): Report {
  const failed = run.status === 'failed' || run.rto.met === false || run.rpo.met === false;
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    kind: 'incident',
    generatedAt: now.toISOString(),
    generator: { app: 'podcastflow-ops', version: appVersion },
    connection,
    period: { from: run.incidentAt, to: run.finishedAt ?? now.toISOString() },
    status: failed ? 'critical' : run.status === 'succeeded' ? 'ok' : 'warning',
    sections: { incident: incidentSection(run) },
  };
}
