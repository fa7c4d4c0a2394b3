import { describe, expect, it } from 'vitest';
import { fold, measuredDurations, type JournalEvent } from '../../src/main/core/dr/journal';
import { loadRunbook } from '../../src/main/core/dr/runbooks';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

const opened: JournalEvent = {
  type: 'opened',
  at: at(0),
  runId: 'r1',
  scenario: 'deletion',
  runbookVersion: 2,
  drill: false,
  connection: 'c1',
  database: 'podcastflow',
  production: true,
  tenants: ['org_a'],
  incidentAt: at(-3600),
  rtoTargetSec: 7200,
  rpoTargetSec: 86400,
};

describe('the run is the fold of its journal', async () => {
  const runbook = await loadRunbook('deletion');
  const byId = (events: JournalEvent[], now = T0) => {
    const { run } = fold(runbook, events, { now });
    return { run, step: Object.fromEntries(run.steps.map((s) => [s.id, s])) };
  };

  it('opens with every step not started, the first one current, the clocks from the opened event', () => {
    const { run, step } = byId([opened], T0 + 60_000);
    expect(run).toMatchObject({ id: 'r1', status: 'open', currentStep: 'scope', incidentAt: at(-3600), rto: { targetSec: 7200, elapsedSec: 60 } });
    expect(Object.values(step).every((s) => s.status === 'notStarted' && s.attempts === 0)).toBe(true);
    // Nothing ran yet: the projection is the elapsed time plus every step's expected duration.
    expect(run.rto.projectedSec).toBe(60 + runbook.steps.reduce((n, s) => n + s.expectedDurationSec, 0));
  });

  it('records checklists and decisions, and skips the steps the decision ruled out, saying why', () => {
    const { run, step } = byId([
      opened,
      { type: 'succeeded', at: at(10), step: 'scope', note: 'T0 from the log' },
      { type: 'skipped', at: at(20), step: 'stop-sessions', reason: 'a one-off statement' },
      { type: 'succeeded', at: at(30), step: 'freeze', output: { tenant: 'org_a' } },
      { type: 'succeeded', at: at(40), step: 'restore-point', output: { backup: { finishedAt: at(-7200) } } },
      { type: 'skipped', at: at(41), step: 'verify-backup', reason: 'x' },
      { type: 'skipped', at: at(42), step: 'restore-beside', reason: 'x' },
      { type: 'skipped', at: at(43), step: 'diff', reason: 'x' },
      { type: 'succeeded', at: at(50), step: 'how', chosen: 'merge' },
    ]);
    expect(step.scope).toMatchObject({ status: 'succeeded', note: 'T0 from the log', attempts: 1, startedAt: at(10), finishedAt: at(10) });
    expect(step['stop-sessions']).toMatchObject({ status: 'skipped', skipReason: 'a one-off statement' });
    expect(step.how).toMatchObject({ status: 'succeeded', chosen: 'merge' });
    expect(step.swap).toMatchObject({ status: 'skipped', skipReason: expect.stringMatching(/chose merge, not swap/) });
    expect(step['merge-back']!.status).toBe('notStarted');
    expect(run.currentStep).toBe('merge-back');
    // RPO achieved: the incident time minus the restore point used.
    expect(run.rpo).toEqual({ targetSec: 86400, restorePoint: at(-7200), achievedSec: 3600, met: true });
  });

  it('a point-in-time restore point: RPO achieved is the incident time minus its target', () => {
    const { run } = byId([opened, { type: 'succeeded', at: at(40), step: 'restore-point', output: { source: 'pitr', target: { type: 'time', value: at(-3601) }, rpoGapSec: 1 } }]);
    expect(run.rpo).toEqual({ targetSec: 86400, restorePoint: at(-3601), achievedSec: 1, met: true });
  });

  it('counts attempts, marks an interrupted step failed and interrupted, and clears that on the retry', () => {
    const started = (sec: number): JournalEvent => ({ type: 'started', at: at(sec), step: 'scope', inputs: {}, pid: 1, taskId: `t${sec}` });
    const interrupted = byId([opened, started(10), { type: 'interrupted', at: at(20), step: 'scope' }]).step.scope!;
    expect(interrupted).toMatchObject({ status: 'failed', interrupted: true, attempts: 1, error: { code: 'interrupted' } });
    const retried = byId([opened, started(10), { type: 'interrupted', at: at(20), step: 'scope' }, started(30)]).step.scope!;
    expect(retried).toMatchObject({ status: 'running', attempts: 2, startedAt: at(30), taskId: 't30' });
    expect(retried.interrupted).toBeUndefined();
    expect(retried.error).toBeUndefined();
    const failed = byId([opened, started(10), { type: 'failed', at: at(11), step: 'scope', error: { code: 'connection_lost', message: 'gone' } }]).step.scope!;
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'connection_lost' } });
    expect(byId([opened, { type: 'pending', at: at(1), step: 'scope' }]).step.scope!.status).toBe('pendingApproval');
  });

  it('moves the clocks with clock events, and stops them when the run closes', () => {
    const { run } = byId([opened, { type: 'clock', at: at(5), incidentAt: at(-60), detectedAt: at(-30) }, { type: 'closed', at: at(100), status: 'cancelled' }], T0 + 999_000);
    expect(run).toMatchObject({ status: 'cancelled', incidentAt: at(-60), detectedAt: at(-30), finishedAt: at(100), rto: { elapsedSec: 130, projectedSec: 130 } });
    expect(run.currentStep).toBeUndefined();
  });

  it('projects the open steps from what drills measured for the same action, else their expected duration', () => {
    const measured = measuredDurations([
      { steps: [{ action: 'restore_beside', status: 'succeeded', durationSec: 10 }, { action: 'diff', status: 'failed', durationSec: 999 }] },
      { steps: [{ action: 'restore_beside', status: 'succeeded', durationSec: 30 }] },
      { steps: [{ action: 'restore_beside', status: 'succeeded', durationSec: 20 }] },
    ]);
    expect(measured).toEqual({ restore_beside: 20 });
    const { run } = fold(runbook, [opened], { now: T0, measured });
    const expected = runbook.steps.reduce((n, s) => n + (s.action === 'restore_beside' ? 20 : s.expectedDurationSec), 0);
    expect(run.rto.projectedSec).toBe(expected);
  });

  it('ignores events of steps the runbook does not have', () => {
    const { run } = byId([opened, { type: 'succeeded', at: at(1), step: 'no-such-step' }]);
    expect(run.steps.map((s) => s.id)).toEqual(runbook.steps.map((s) => s.id));
  });
});

describe('a breach run: the RTO stops at containment, the GDPR clock runs beside it', async () => {
  const breach = await loadRunbook('breach');
  const open: JournalEvent = { ...opened, scenario: 'breach', runbookVersion: breach.version, detectedAt: at(-600), rtoTargetSec: 1800, rpoTargetSec: undefined } as JournalEvent;
  const upToContain = breach.steps.slice(0, breach.steps.findIndex((s) => s.id === 'contain') + 1);

  it('projects only the steps up to the one that stops the clock', () => {
    expect(breach.rtoEndsAfter).toBe('contain');
    const { run } = fold(breach, [open], { now: T0 });
    // From detection (600 s ago), plus the steps up to containment; the later ones (hours of them) are not in it.
    expect(run.rto.projectedSec).toBe(600 + upToContain.reduce((n, s) => n + s.expectedDurationSec, 0));
    expect(run.rto.met).toBeUndefined();
  });

  it('stops when the lock step succeeds: later steps and hours later do not count, and met is known', () => {
    const done = upToContain.map((s, i): JournalEvent => ({ type: 'succeeded', at: at(60 * (i + 1)), step: s.id }));
    const { run } = fold(breach, [open, ...done], { now: T0 + 5 * 3600_000 });
    expect(run.status).toBe('open');
    expect(run.rto).toMatchObject({ elapsedSec: 600 + 60 * upToContain.length, projectedSec: 600 + 60 * upToContain.length, met: true, endsAfter: 'contain', stoppedAt: at(60 * upToContain.length) });
    // 72 h from awareness (the detection time), counted to now.
    expect(run.regulatory).toEqual({ awareAt: at(-600), deadline: at(-600 + 72 * 3600), remainingSec: 72 * 3600 - 600 - 5 * 3600, overdue: false });
  });

  it('a deletion run has no regulatory clock', async () => {
    const { run } = fold(await loadRunbook('deletion'), [opened], { now: T0 });
    expect(run.regulatory).toBeUndefined();
  });
});
