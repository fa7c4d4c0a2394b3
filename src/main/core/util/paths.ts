import { existsSync } from 'node:fs';
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
