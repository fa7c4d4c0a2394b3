#!/usr/bin/env node
// npm start: the Electron desktop app when its binary can be had; otherwise browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const args = process.argv.slice(2);

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

function run(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

let binary = electronBinary();
if (!binary && existsSync(join(electronDir, 'install.js'))) {
  // Electron fetches its binary on first use; give it one quiet try.
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, stdio: 'ignore', timeout: 120_000 });
  binary = electronBinary();
}

if (binary) {
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  run(binary, [root, ...args]);
} else {
  process.stderr.write(
    '\nThe Electron binary is not available on this machine (it is downloaded on first use, and that ' +
      'download failed or is not allowed here, e.g. no internet access). PodcastFlow Ops is starting in ' +
      'browser mode instead: the same console, served on 127.0.0.1 behind a one-time token. Open the URL ' +
      'printed below in a browser. To get the desktop app, run `npx install-electron` where the download ' +
      'is possible, then `npm start` again.\n\n',
  );
  run(process.execPath, [join(root, 'bin', 'podcastflow-ops.js'), 'serve', ...args]);
}
