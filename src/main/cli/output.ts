import { redact } from '../core/util/redact';
import { EXIT, type ExitCode } from './exit';

/** stdout carries the answer (one JSON document with --json); everything else goes to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printText(text: string): void {
  process.stdout.write(redact(text) + '\n');
}

/** Report a failure the way the operator asked for it and return the exit code to use. */
export async function reportError(err: unknown, json: boolean): Promise<ExitCode> {
  // Loaded on failure only: the error mapping pulls in zod, which a successful --version need not load.
  const { toWireError } = await import('../core/util/errors');
  const wire = toWireError(err);
  if (json) printJson({ error: wire });
  process.stderr.write(`error: ${wire.message}\n${wire.hint ? `hint: ${wire.hint}\n` : ''}`);
  return EXIT.unknown;
}
