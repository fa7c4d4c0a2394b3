import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from './core/util/log';
import { projectRoot } from './core/util/paths';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Is out/ missing or older than the sources it is built from? */
export function buildIsStale(): boolean {
  const root = projectRoot();
  const index = join(root, 'out', 'renderer', 'index.html');
  if (!existsSync(index) || !existsSync(join(root, 'out', 'main', 'index.js'))) return true;
  const built = statSync(index).mtimeMs;
  return ['src', 'resources'].some((d) => existsSync(join(root, d)) && newestMtime(join(root, d)) > built);
}

/** "Build if needed": run electron-vite build when out/ is stale, so a fresh clone just works. */
export async function ensureBuilt(log: Logger): Promise<void> {
  if (!buildIsStale()) return;
  log('Building the console (first run or sources changed)…');
  const root = projectRoot();
  const pkgJson = createRequire(join(root, 'package.json')).resolve('electron-vite/package.json');
  const bin = join(dirname(pkgJson), 'bin', 'electron-vite.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`The build failed (exit ${code}); see the messages above.`))));
  });
}

export function rendererDir(): string {
  return join(projectRoot(), 'out', 'renderer');
}
