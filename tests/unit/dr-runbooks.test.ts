import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRunbooks, loadRunbook, parseRunbook, summarise } from '../../src/main/core/dr/runbooks';
import { SCENARIOS } from '../../src/shared/domain/dr';

const dir = path.resolve('resources/dr');
const deletion = async () => JSON.parse(await readFile(path.join(dir, 'deletion.json'), 'utf8')) as { steps: Record<string, unknown>[]; [k: string]: unknown };

describe('the DR runbooks in resources/dr', () => {
  it('are one valid file per scenario, and nothing else', async () => {
    expect((await readdir(dir)).sort()).toEqual(SCENARIOS.map((s) => `${s}.json`).sort());
    const all = await listRunbooks();
    expect(all.map((r) => r.runbook.scenario)).toEqual([...SCENARIOS]);
  });
  it("carry the seed's RTO targets, and an RPO target except for the breach", async () => {
    const rto = Object.fromEntries((await listRunbooks()).map(({ runbook: r }) => [r.scenario, [r.rto.targetSec, r.rpo?.targetSec]]));
    expect(rto).toEqual({ corruption: [3600, 86400], deletion: [7200, 86400], 'system-failure': [14400, 86400], ransomware: [28800, 86400], breach: [1800, undefined] });
  });
  it('summarise a runbook for `dr scenarios`', async () => {
    const s = summarise({ runbook: await loadRunbook('deletion'), file: 'x' });
    expect(s).toMatchObject({ scenario: 'deletion', version: 2, rtoTargetSec: 7200, steps: 14 });
  });
  it('refuse an unknown scenario name', async () => {
    await expect(loadRunbook('flood')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/no DR scenario "flood"/) });
  });
});

describe('a broken runbook', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dr-runbooks-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('is refused naming the file, the field and the step when an action name is misspelt', async () => {
    const rb = await deletion();
    rb.steps[2]!.action = 'freez';
    const file = path.join(tmp, 'deletion.json');
    await writeFile(file, JSON.stringify(rb));
    const err = await loadRunbook('deletion', tmp).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_runbook' });
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/steps\[2\]\.action \(step "freeze"\)/);
  });
  it.each([
    ['an action step without its action', (rb: Awaited<ReturnType<typeof deletion>>) => delete rb.steps[1]!.action, /steps\[1\]\.action \(step "stop-sessions"\): an action step names its action/],
    ['a decision with one option', (rb: Awaited<ReturnType<typeof deletion>>) => ((rb.steps[7]!.options as unknown[]).length = 1), /steps\[7\]\.options .*at least two options/],
    ['two steps with one id', (rb: Awaited<ReturnType<typeof deletion>>) => (rb.steps[3]!.id = 'freeze'), /steps\[3\]\.id .*used twice/],
    ['an input from a later step', (rb: Awaited<ReturnType<typeof deletion>>) => rb.steps.unshift(rb.steps.splice(5, 1)[0]!), /steps\[0\]\.inputs\[0\]\.step .*not an earlier step/],
    ['no version', (rb: Awaited<ReturnType<typeof deletion>>) => delete rb.version, /^Runbook .*: version: /],
    ['an unknown field', (rb: Awaited<ReturnType<typeof deletion>>) => (rb.steps[0]!.lookfor = 'x'), /steps\[0\] \(step "scope"\): Unrecognized key/],
  ])('is refused: %s', async (_what, breakIt, message) => {
    const rb = await deletion();
    breakIt(rb);
    expect(() => parseRunbook(JSON.stringify(rb), 'deletion.json')).toThrow(message);
  });
  it('is refused when it is not JSON, or names another scenario than its file', async () => {
    expect(() => parseRunbook('{ "scenario": ', 'x.json')).toThrow(/Runbook x\.json: not valid JSON/);
    const rb = await deletion();
    expect(() => parseRunbook(JSON.stringify(rb), 'breach.json', 'breach')).toThrow(/scenario: says "deletion", but the file is the runbook of "breach"/);
  });
});

describe('conditional steps', () => {
  it('are refused unless they name an earlier decision and one of its options', async () => {
    const rb = await deletion();
    const swap = rb.steps.find((s) => s.id === 'swap')!;
    swap.when = { step: 'how', option: 'replace' };
    expect(() => parseRunbook(JSON.stringify(rb), 'deletion.json')).toThrow(/decision how has no option replace/);
    swap.when = { step: 'diff', option: 'swap' };
    expect(() => parseRunbook(JSON.stringify(rb), 'deletion.json')).toThrow(/step diff is not an earlier decision/);
    swap.when = { step: 'guard-rails', option: 'swap' };
    expect(() => parseRunbook(JSON.stringify(rb), 'deletion.json')).toThrow(/not an earlier decision/);
  });
});
