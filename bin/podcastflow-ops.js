#!/usr/bin/env node
// Runs the CLI from its bundle in out/cli/ (built by `npm install` / `npm ci`: scripts/build-cli.mjs) while
// that bundle is at least as new as every source file it was built from; otherwise, or with
// PODCASTFLOW_OPS_FROM_SOURCES=1, straight from the TypeScript sources through tsx. An edited checkout
// therefore never runs a stale bundle (`npm run build:cli` refreshes it).
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

function bundleIsFresh() {
  try {
    const built = statSync(new URL('out/cli/cli.js', root)).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('out/cli/inputs.json', root), 'utf8'));
    return inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= built);
  } catch {
    return false; // no bundle, or a source it was built from is gone
  }
}

// `--version` alone needs nothing but package.json: answered before the argument parser (commander) loads,
// so a monitoring probe that asks pays only for Node itself.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version}\n`);
} else if (process.env.PODCASTFLOW_OPS_FROM_SOURCES !== '1' && bundleIsFresh()) {
  await import('../out/cli/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main/cli.ts');
}
