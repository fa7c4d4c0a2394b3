/**
 * bin/podcastflow-ops.js runs the bundle in out/cli/ only while it is at least as new as every source it was
 * built from (out/cli/inputs.json), and the TypeScript sources otherwise: a stale bundle never runs.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);

describe('the bin picks the bundle or the sources', () => {
  let root: string;
  const source = () => path.join(root, 'src', 'main', 'cli.ts');
  const bundle = () => path.join(root, 'out', 'cli', 'cli.js');
  const runBin = async (env: NodeJS.ProcessEnv = {}) => (await exec('node', [path.join(root, 'bin', 'podcastflow-ops.js')], { env: { ...process.env, ...env } })).stdout.trim();

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pfo-bin-'));
    await mkdir(path.join(root, 'bin'));
    await mkdir(path.join(root, 'src', 'main'), { recursive: true });
    await mkdir(path.join(root, 'out', 'cli'), { recursive: true });
    await copyFile('bin/podcastflow-ops.js', path.join(root, 'bin', 'podcastflow-ops.js'));
    await symlink(path.resolve('node_modules'), path.join(root, 'node_modules'));
    await writeFile(path.join(root, 'package.json'), '{ "type": "module" }\n');
    await writeFile(source(), "const from: string = 'sources';\nconsole.log(from);\n");
    await writeFile(bundle(), "console.log('bundle');\n");
    await writeFile(path.join(root, 'out', 'cli', 'inputs.json'), JSON.stringify({ inputs: ['src/main/cli.ts'] }));
    const t = new Date(Date.now() - 60_000);
    await utimes(source(), t, t);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs a fresh bundle', async () => {
    expect(await runBin()).toBe('bundle');
  });

  it('runs the sources when forced', async () => {
    expect(await runBin({ PODCASTFLOW_OPS_FROM_SOURCES: '1' })).toBe('sources');
  });

  it('runs the sources once a source is newer than the bundle', async () => {
    const later = new Date(Date.now() + 60_000);
    await utimes(source(), later, later);
    expect(await runBin()).toBe('sources');
  });

  it('runs the sources when there is no bundle', async () => {
    await rm(path.join(root, 'out'), { recursive: true });
    expect(await runBin()).toBe('sources');
  });
});
