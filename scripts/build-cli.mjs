#!/usr/bin/env node
// Bundles the CLI (src/main/cli.ts) into out/cli/ so bin/podcastflow-ops.js starts from plain JavaScript
// instead of compiling TypeScript through tsx on every run. Runs as the `prepare` script, so `npm install`
// and `npm ci` build it: there is still no manual build step. Dependencies stay external (loaded from
// node_modules only by the command that needs them); each dynamic import() becomes its own chunk.
// out/cli/inputs.json lists the source files the bundle was built from: the bin runs the bundle only while
// none of them is newer than it, and falls back to the sources otherwise.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'out', 'cli');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('build-cli: esbuild is not installed; the CLI will run from its TypeScript sources (slower start).');
  process.exit(0);
}

// Built beside the live bundle and swapped in whole, so a CLI starting meanwhile sees the old or the new one.
const tmp = `${outDir}.tmp-${process.pid}`;
await rm(tmp, { recursive: true, force: true });
await mkdir(dirname(outDir), { recursive: true });
try {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/main/cli.ts'],
    // The compiler options the sources are type-checked with (class-field semantics and all), as under tsx.
    tsconfig: 'tsconfig.node.json',
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  await writeFile(join(tmp, 'inputs.json'), JSON.stringify({ inputs: Object.keys(result.metafile.inputs) }, null, 1) + '\n');
  await rm(outDir, { recursive: true, force: true });
  await rename(tmp, outDir);
} catch (err) {
  await rm(tmp, { recursive: true, force: true });
  // A failed bundle must not break the install: the bin then runs the sources.
  console.warn(`build-cli: could not bundle the CLI (${err instanceof Error ? err.message : String(err)}); it will run from its TypeScript sources.`);
}
