import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Browser mode (`serve --port 0 --demo`) on a data directory: its tokenized URL, and how to stop it. */
export async function startServe(dataDir: string, tenants = 20): Promise<{ url: string; stop(): Promise<void> }> {
  // PFO_E2E_DEMO_PORT keeps the demo database off a port another demo on the machine uses (default 54329 or the next free one).
  const demoPort = process.env.PFO_E2E_DEMO_PORT ? ['--demo-port', process.env.PFO_E2E_DEMO_PORT] : [];
  const child = spawn(process.execPath, ['bin/podcastflow-ops.js', 'serve', '--port', '0', '--demo', '--tenants', String(tenants), '--data', dataDir, ...demoPort], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in time.\n${stderr}`)), 180_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL.\n${stderr}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Remove a spec's own data directory, and its demo cluster where, run as root, it lives outside (demo.json says where). */
export function removeServeData(dataDir: string): void {
  const meta = join(dataDir, 'demo', 'demo.json');
  const cluster = existsSync(meta) ? (JSON.parse(readFileSync(meta, 'utf8')) as { clusterDir?: string }).clusterDir : undefined;
  if (cluster && !cluster.startsWith(dataDir)) rmSync(cluster, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Start browser mode on a fresh data directory and hand its tokenized URL to the specs through the
 * environment; stop it and remove the directory afterwards.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pfo-e2e-'));
  const server = await startServe(dataDir);
  process.env.PFO_E2E_URL = server.url;
  process.env.PFO_E2E_DATA = dataDir;
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    // Had the demo cluster been relocated (see README, "The demo database"), it goes now too.
    spawnSync(process.execPath, ['bin/podcastflow-ops.js', 'demo', 'down', '--data', dataDir, '--purge'], { stdio: 'ignore' });
  };
}
