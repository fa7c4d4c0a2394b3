import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { OpsError } from '../util/errors';
import { makeDirs } from '../util/paths';

/** Write JSON so that a crash leaves either the old file or the new one: write, fsync, rename. */
export async function writeJsonAtomic(path: string, data: unknown, mode = 0o600): Promise<void> {
  await writeTextAtomic(path, JSON.stringify(data, null, 2) + '\n', mode);
}

/** Write a text file (e.g. a compacted JSONL journal) with the same write, fsync, rename discipline. */
export async function writeTextAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  await makeDirs(dirname(path));
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Read and validate a JSON file; a missing file gives the fallback, a corrupt one a clear error. */
export async function readJson<S extends z.ZodType>(path: string, schema: S, fallback: z.output<S>): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OpsError('corrupt_state', `${path} is not valid JSON.`, 'Restore it from a backup or move it aside; the app will start with defaults.');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new OpsError('corrupt_state', `${path} does not have the expected shape: ${result.error.issues[0]?.message ?? 'invalid'}.`, 'Move it aside to start with defaults.');
  }
  return result.data;
}

/** Append one event to a JSONL journal, fsynced, so history survives a crash. */
export async function appendJournal(path: string, event: unknown): Promise<void> {
  await makeDirs(dirname(path));
  const handle = await open(path, 'a', 0o600);
  try {
    await handle.writeFile(JSON.stringify(event) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}
