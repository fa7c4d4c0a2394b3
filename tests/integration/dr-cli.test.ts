/**
 * DR runs through the two doors: the CLI (usage errors exit 64; a run started in one process continued in
 * the next) and the contract (invoke on an App: every dr.* call validated against its schema).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/main/api';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';
import type { DrillRecord, DrRun, Readiness } from '../../src/shared/domain/dr';
import { createScratchDatabase, type ScratchDatabase } from '../support/db';

const exec = promisify(execFile);
let scratch: ScratchDatabase;
let work: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', ['bin/podcastflow-ops.js', ...args], { env: { ...process.env, PODCASTFLOW_OPS_HOME: path.join(work, 'home') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 2, workload: false, plantProblems: false, scale: 0.05 });
  work = await mkdtemp(path.join(os.tmpdir(), 'pfo-dr-cli-'));
}, 120_000);

afterAll(async () => {
  await scratch?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('dr start / next / status on the command line', () => {
  it.each([
    [['dr', 'start', 'flood', '--db', 'postgres://x@h/d'], /no DR scenario "flood"/],
    [['dr', 'start', 'deletion', '--db', 'postgres://x@h/d', '--incident-at', 'yesterday'], /--incident-at "yesterday" is not an ISO 8601/],
    [['dr', 'start', 'deletion', '--db', 'postgres://x@h/d', '--environment', 'prod'], /--environment is production, staging or development/],
    [['dr', 'next', 'no such run!'], /is not a run id/],
    [['dr', 'next', 'r1', '--input', 'no-equals'], /--input takes name=value/],
    [['dr', 'next', 'r1', '--skip', '--choose', 'merge'], /--skip takes no --choose/],
    [['dr', 'next', 'r1', '--choose', 'Bad Option'], /--choose takes an option id/],
    [['dr', 'drill', 'breach', '--db', 'postgres://x@h/d'], /drills exist for deletion, system-failure and corruption/],
    [['dr', 'drill', 'deletion', '--db', 'postgres://x@h/d'], /needs --dest DEST and --key-file FILE/],
  ])('%j is a usage error (exit 64)', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
  });

  it('a run started by one process is continued by the next; the engine\'s own refusals of an input exit 64 too', async () => {
    const url = `${scratch.url}?sslmode=disable`;
    const tenant = scratch.seed!.tenants[0]!;
    const started = await cli(['dr', 'start', 'deletion', '--db', url, '--tenant', tenant, '--environment', 'development', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const run = JSON.parse(started.stdout) as DrRun;
    expect(run).toMatchObject({ scenario: 'deletion', status: 'open', currentStep: 'scope', tenants: [tenant] });
    // The URL is recorded without its password.
    expect(run.connection).not.toContain(new URL(scratch.url).password);

    const wrongInput = await cli(['dr', 'next', run.id, '--db', url, '--input', 'role=x']);
    expect(wrongInput.code).toBe(64);
    expect(wrongInput.stderr).toMatch(/takes no input "role"/);

    const next = await cli(['dr', 'next', run.id, '--db', url, '--note', 'T0 from the log', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as DrRun).steps[0]).toMatchObject({ id: 'scope', status: 'succeeded', note: 'T0 from the log' });
    const skipped = await cli(['dr', 'next', run.id, '--db', url, '--skip', '--note', 'a one-off statement']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/at step freeze/);

    const again = await cli(['dr', 'start', 'deletion', '--db', url, '--tenant', tenant]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(run.id);

    const status = await cli(['dr', 'status', '--json']);
    expect((JSON.parse(status.stdout) as { runs: DrRun[] }).runs.map((r) => r.id)).toEqual([run.id]);
  });
  it('dr drill corruption runs on a throwaway cluster without a destination and records the drill; a breach run shows the 72 h clock', async () => {
    const url = `${scratch.url}?sslmode=disable`;
    const drill = await cli(['dr', 'drill', 'corruption', '--db', url, '--json']);
    expect(drill.code, drill.stderr).toBe(0);
    const d = JSON.parse(drill.stdout) as DrillRecord;
    expect(d).toMatchObject({ scenario: 'corruption', outcome: 'succeeded', corruption: { detected: true }, fingerprint: { unchanged: true } });
    const listed = (await readFile(path.join(work, 'home', 'dr', 'drills.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as DrillRecord);
    expect(listed.map((x) => x.runId)).toContain(d.runId);

    const breach = await cli(['dr', 'start', 'breach', '--db', url, '--role', 'podcastflow_app', '--detected-at', '2026-12-01T08:00:00Z', '--environment', 'development']);
    expect(breach.code, breach.stderr).toBe(0);
    expect(breach.stdout).toContain('GDPR Art. 33 notification due 2026-12-04T08:00:00.000Z');
  }, 240_000);
});

describe('dr.* through the contract', () => {
  let app: App;
  beforeAll(async () => {
    app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: path.join(work, 'app') });
    await app.connections.save({ name: 'scratch', environment: 'development', url: scratch.url, sslmode: 'disable', savePassword: false });
  });
  afterAll(() => app?.close());

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await invoke(app, method, input);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code });
    return r.result as T;
  }

  it('starts, advances and lists a run, and answers readiness with its projected RTO', async () => {
    const { scenarios } = await call<{ scenarios: { scenario: string }[] }>('dr.scenarios', {});
    expect(scenarios).toHaveLength(5);
    const run = await call<DrRun>('dr.start', { scenario: 'system-failure' });
    const decided = await call<DrRun>('dr.next', { runId: (await call<DrRun>('dr.next', { runId: run.id, note: 'primary gone' })).id, choose: 'promote' });
    // Promoting a standby rules out the restore path; protection must still be re-established.
    expect(decided.steps.filter((s) => s.status === 'skipped').map((s) => s.id)).toEqual(['provision', 'restore-point', 'tools', 'verify-backup', 'globals', 'full-restore', 'verify', 'analyze']);
    expect(decided.currentStep).toBe('repoint');
    await expect(call('dr.next', { runId: run.id, choose: 'restore' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await call<{ runs: { id: string }[] }>('dr.runs', {})).runs.map((r) => r.id)).toEqual([run.id]);
    expect((await call<DrRun>('dr.cancel', { runId: run.id, run: true })).status).toBe('cancelled');
    await expect(call('dr.start', { scenario: 'deletion', incidentAt: 'not a time' })).rejects.toMatchObject({ code: 'invalid_input' });

    const r = await call<Readiness>('dr.readiness', {});
    const deletion = r.scenarios.find((s) => s.scenario === 'deletion')!;
    expect(deletion.rto).toMatchObject({ targetSec: 7200, basis: 'expected', drills: 0 });
    expect(deletion.rto.projectedSec).toBeGreaterThan(0);
    expect((await call<{ drills: unknown[] }>('dr.drills', {})).drills).toEqual([]);
  });
});
