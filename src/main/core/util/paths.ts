import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app data directory: --data, else PODCASTFLOW_OPS_HOME, else the XDG data dir. */
export function appHome(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.PODCASTFLOW_OPS_HOME) return resolve(process.env.PODCASTFLOW_OPS_HOME);
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'podcastflow-ops');
}

let root: string | undefined;

/**
 * The project root (holding resources/ and out/). Found by walking up from this module, because
 * the same code runs from src/ under tsx and bundled from out/main under Electron.
 */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'resources', 'sql')) && existsSync(join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the project root (resources/sql) above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function resourcePath(...parts: string[]): string {
  return join(projectRoot(), 'resources', ...parts);
}

/**
 * mkdir -p, one level at a time. Node's own recursive mkdir loops for ever (a CPU spinning, SIGTERM
 * ignored) where mkdir says ENOENT although the parent exists, as everywhere under /proc; here the walk
 * up stops at the root and every level is tried once.
 */
export async function makeDirs(dir: string, mode = 0o700): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if ((await stat(d)).isDirectory()) break;
      throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw err;
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
