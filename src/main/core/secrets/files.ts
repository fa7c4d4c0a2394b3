import { execFile } from 'node:child_process';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import ignore, { type Ignore } from 'ignore';
import { OpsError } from '../util/errors';

const run = promisify(execFile);

/** Folders never worth scanning: dependencies, VCS internals, vendored code. */
const SKIP_DIRS = new Set(['node_modules', 'vendor', '.git', '.hg', '.svn', 'bower_components', '__pycache__', '.venv', 'venv']);
export const MAX_FILE_BYTES = 1024 * 1024;
const BINARY_EXT = /\.(png|jpe?g|gif|webp|ico|icns|pdf|zip|gz|tgz|bz2|xz|7z|jar|war|class|exe|dll|so|dylib|o|a|wasm|woff2?|ttf|otf|eot|mp3|mp4|mov|avi|webm|sqlite|db|bin|dump|enc|node)$/i;

export interface RepoFile {
  /** Relative to the scanned root, with forward slashes. */
  path: string;
  abs: string;
  /** Matched by a .gitignore (the code scan skips these; the env audit still looks at .env files). */
  ignored: boolean;
  /** Tracked by git (when the folder is a git work tree). */
  tracked: boolean;
  size: number;
  mode: number;
}

export interface RepoListing {
  root: string;
  files: RepoFile[];
  git: boolean;
  skippedLarge: number;
}

/** Files tracked by git under root, or undefined when root is not inside a git work tree. */
async function gitTracked(root: string): Promise<Set<string> | undefined> {
  try {
    const { stdout } = await run('git', ['-C', root, 'ls-files', '-z', '--cached'], { maxBuffer: 256 * 1024 * 1024 });
    return new Set(stdout.split('\0').filter(Boolean));
  } catch {
    return undefined;
  }
}

/**
 * Every file under root except dependency and VCS folders, each marked ignored (per the .gitignore
 * files on its way, as git reads them) and tracked (git ls-files). Symlinks are not followed.
 */
export async function listFiles(root: string, signal?: AbortSignal): Promise<RepoListing> {
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new OpsError('not_a_folder', `${root} is not a folder.`, 'Give the path of a project folder to scan.');
  const tracked = await gitTracked(root);
  const files: RepoFile[] = [];
  let skippedLarge = 0;

  // Each directory's .gitignore applies to paths relative to that directory.
  const walk = async (dir: string, rules: Array<{ base: string; ig: Ignore }>, parentIgnored: boolean): Promise<void> => {
    if (signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
    const rel = relative(root, dir).split(sep).join('/');
    const own = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
    const scoped = own === undefined ? rules : [...rules, { base: rel, ig: ignore().add(own) }];
    const isIgnored = (path: string, isDir: boolean) =>
      scoped.some(({ base, ig }) => {
        const sub = base ? path.slice(base.length + 1) : path;
        return sub !== '' && ig.ignores(isDir ? `${sub}/` : sub);
      });
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const abs = join(dir, e.name);
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name)) continue;
        await walk(abs, scoped, parentIgnored || isIgnored(path, true));
      } else if (e.isFile()) {
        const s = await stat(abs).catch(() => undefined);
        if (!s) continue;
        const isTracked = tracked?.has(path) ?? false;
        files.push({ path, abs, ignored: !isTracked && (parentIgnored || isIgnored(path, false)), tracked: isTracked, size: s.size, mode: s.mode & 0o777 });
      }
    }
  };
  await walk(root, [], false);
  files.sort((a, b) => a.path.localeCompare(b.path));
  for (const f of files) if (f.size > MAX_FILE_BYTES) skippedLarge++;
  return { root, files, git: tracked !== undefined, skippedLarge };
}

/** Text content, or undefined for binaries (by extension or a NUL byte) and huge files. */
export async function readText(f: RepoFile): Promise<string | undefined> {
  if (f.size > MAX_FILE_BYTES || BINARY_EXT.test(f.path)) return undefined;
  const handle = await open(f.abs, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buf = await handle.readFile();
    if (buf.subarray(0, 8000).includes(0)) return undefined;
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
