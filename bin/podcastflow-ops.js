#!/usr/bin/env node
// The CLI runs straight from the TypeScript sources through tsx: no manual build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli.ts');
