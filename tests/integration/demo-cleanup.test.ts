/**
 * The demo leaves nothing behind: its cluster stays inside the data directory whenever the server's OS
 * user can be let through the app's own directories; otherwise it is relocated, recorded, and removed by
 * the next start (or `demo down --purge`) once its data directory is gone, never while its server runs.
 * `demo up` fails loudly when its server dies under it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RELOCATED_BASE, removeOrphanClusters, startDemo, stopDemo, type DemoHandle } from '../../src/main/core/demo/cluster';
import { withClient } from '../support/db';
import { freePort } from '../support/global-setup';

const asRoot = process.getuid?.() === 0;
const made: string[] = [];
const handles: DemoHandle[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix)); // mode 0700
  made.push(dir);
  return dir;
}

afterAll(async () => {
  for (const h of handles) await h.stop().catch(() => undefined);
  for (const dir of made) await rm(dir, { recursive: true, force: true });
  await removeOrphanClusters();
});

describe.skipIf(!asRoot)('demo cluster placement as root', () => {
  it('keeps the cluster inside a 0700 app home (traverse right on the app\'s own directories only)', async () => {
    const outer = await tempDir('pfo-demo-own-');
    await chmod(outer, 0o755);
    const home = path.join(outer, 'home');
    await mkdir(home, { mode: 0o700 });
    const dataDir = path.join(home, 'demo');
    const h = await startDemo({ dataDir, home, port: await freePort(), tenants: 1, scale: 0.02 });
    handles.push(h);
    expect(h.clusterDir).toBe(path.join(dataDir, 'pg'));
    const { statSync } = await import('node:fs');
    // x for others, never r: nothing in the app home can be listed by the server's user.
    expect(statSync(home).mode & 0o007).toBe(0o001);
    expect(statSync(path.join(dataDir, 'demo.json')).mode & 0o777).toBe(0o600);
    await h.stop();
  });

  it('relocates behind a directory that is not the app\'s, and removes the orphan once the data directory is gone', async () => {
    const outer = await tempDir('pfo-demo-locked-'); // 0700 and not ours to open up
    const home = path.join(outer, 'home');
    const dataDir = path.join(home, 'demo');
    const logs: string[] = [];
    const h = await startDemo({ dataDir, home, port: await freePort(), tenants: 1, scale: 0.02, log: (m) => logs.push(m) });
    handles.push(h);
    expect(path.dirname(h.clusterDir)).toBe(RELOCATED_BASE);
    expect((await import('node:fs')).statSync(outer).mode & 0o777).toBe(0o700); // left as it was
    const record = JSON.parse(await readFile(`${h.clusterDir}.owner.json`, 'utf8')) as { dataDir: string; clusterDir: string };
    expect(record).toMatchObject({ dataDir, clusterDir: h.clusterDir });

    // The data directory is deleted while the server runs: kept (its server is live)…
    await rm(outer, { recursive: true, force: true });
    expect(await removeOrphanClusters()).toEqual([]);
    expect(existsSync(h.clusterDir)).toBe(true);
    await withClient(h.url, (c) => c.query('SELECT 1'));
    await h.stop();

    // …and removed by the next `demo up` (of any data directory) once it is stopped.
    const other = await tempDir('pfo-demo-next-');
    const next = await startDemo({ dataDir: other, port: await freePort(), tenants: 1, scale: 0.02, log: (m) => logs.push(m) });
    handles.push(next);
    expect(existsSync(h.clusterDir)).toBe(false);
    expect(existsSync(`${h.clusterDir}.owner.json`)).toBe(false);
    expect(logs.join('\n')).toContain(`Removed the demo cluster ${h.clusterDir}: its data directory ${dataDir} is gone.`);
    await next.stop();
  });

  it('demo down --purge removes the data directory\'s own relocated cluster; an existing data directory\'s cluster is never an orphan', async () => {
    const outer = await tempDir('pfo-demo-purge-');
    const home = path.join(outer, 'home');
    const h = await startDemo({ dataDir: path.join(home, 'demo'), home, port: await freePort(), tenants: 1, scale: 0.02 });
    handles.push(h);
    await h.stop();
    expect(await removeOrphanClusters()).toEqual([]);
    expect(existsSync(h.clusterDir)).toBe(true);
    const result = await stopDemo({ dataDir: path.join(home, 'demo'), purge: true });
    expect(result).toMatchObject({ stopped: false, purged: true });
    expect(existsSync(h.clusterDir)).toBe(false);
    expect(existsSync(`${h.clusterDir}.owner.json`)).toBe(false);
    expect(existsSync(path.join(home, 'demo', 'demo.json'))).toBe(false);
  });
});

describe('demo up', () => {
  it('says so on stderr and exits non-zero when its server dies', async () => {
    const home = await tempDir('pfo-demo-dies-');
    const child = spawn('node', ['bin/podcastflow-ops.js', 'demo', 'up', '--data', home, '--tenants', '1', '--port', String(await freePort()), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const up = await Promise.race([
      new Promise<true>((resolve) => {
        const check = () => (stdout.includes('"url"') ? resolve(true) : setTimeout(check, 100));
        check();
      }),
      exited.then((code) => {
        throw new Error(`demo up exited (${code}) before it was up:\n${stderr}`);
      }),
    ]);
    expect(up).toBe(true);
    const clusterDir = (JSON.parse(await readFile(path.join(home, 'demo', 'demo.json'), 'utf8')) as { clusterDir: string }).clusterDir;
    const pid = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    expect(await exited).toBe(2);
    expect(stderr).toMatch(/error: The demo database server \(pid \d+\) exited unexpectedly \(signal SIGKILL\)/);

    // demo down --purge cleans up what the dead server left.
    const down = spawn('node', ['bin/podcastflow-ops.js', 'demo', 'down', '--data', home, '--purge', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    down.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await new Promise((resolve) => down.once('exit', resolve))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ purged: true });
    expect(existsSync(clusterDir)).toBe(false);
  });
});
