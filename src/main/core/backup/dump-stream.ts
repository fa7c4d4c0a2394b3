/**
 * The dump stream of a backup, with back-pressure and constant memory (DESIGN §4):
 *   pg_dump -Fc --snapshot=S → SHA-256 → AES-256-CBC (Salted__, PBKDF2) → SHA-256 → destination
 * The object is complete only once pg_dump exited cleanly (a truncated dump is never a success). On any
 * failure every stage is stopped and waited for, the half-written object removed, and the root cause
 * reported.
 */
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from '../../../shared/domain/backups';
import type { Database } from '../db/database';
import { connectionLost, isConnectionLost, OpsError } from '../util/errors';
import { encryptStream, HashCounter } from './crypto';
import type { Destination } from './destination';
import { likeToDumpPattern } from './naming';
import { startChild } from './process';
import { SIDE_SCHEMA_DUMP_EXCLUDES } from './restored-copies';
import type { BackupScope } from './snapshot';
import { pgEnv, type ToolVersion } from './tools';

export interface DumpRequest {
  db: Database;
  dest: Destination;
  pgDump: ToolVersion;
  scope: BackupScope;
  /** The snapshot pg_dump dumps (snapshot.ts). */
  snapshot: string;
  /** The object written at the destination (<name>.dump.enc). */
  object: string;
  passphrase: string;
  iterations: number;
  /** Bytes of every table ("schema.table"), to turn pg_dump's progress into bytes. */
  tableBytes: Map<string, number>;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => void;
}

export interface Dumped<T> {
  plaintext: Manifest['plaintext'];
  ciphertext: Manifest['ciphertext'];
  /** What `alongside` returned. */
  alongside: T;
}

/** pg_dump's arguments for a scope: the custom format, from the exported snapshot, verbose for progress. */
function dumpArgs(scope: BackupScope, snapshot: string): string[] {
  const args = ['-Fc', '-v', `--snapshot=${snapshot}`, '--no-password'];
  if (scope.kind === 'tenant') args.push('-n', `"${scope.tenant.replace(/"/g, '""')}"`);
  // Restored copies match the tenant pattern but are not tenants (restored-copies.ts).
  if (scope.kind === 'all-tenants') args.push('-n', likeToDumpPattern(scope.pattern), ...SIDE_SCHEMA_DUMP_EXCLUDES.flatMap((p) => ['-N', p]));
  return args;
}

/** Hold back the end of the stream until the producer (pg_dump) exited cleanly: no truncated success. */
function gate(exited: Promise<void>): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      exited.then(() => cb(), (err: unknown) => cb(err as Error));
    },
  });
}

/**
 * Streams the dump into the destination. `alongside` runs while pg_dump does (the row counts), given a
 * promise that settles once pg_dump holds the snapshot; it is one more stage: its failure fails the dump.
 */
export async function streamDump<T>(req: DumpRequest, alongside: (held: Promise<void>) => Promise<T>): Promise<Dumped<T>> {
  const { dest, signal } = req;
  const totalBytes = Math.max(1, [...req.tableBytes.values()].reduce((a, b) => a + b, 0));

  // Progress: pg_dump -v names each table as it starts on it; table sizes turn that into bytes.
  let doneBytes = 0;
  let current: string | undefined;
  let markImported = () => {};
  const imported = new Promise<void>((resolve) => (markImported = resolve));
  const onLine = (line: string) => {
    // pg_dump's first verbose line comes after it imported the snapshot (setup_connection).
    markImported();
    const m = /dumping contents of table "([^"]+)"/.exec(line);
    if (!m) return;
    if (current) doneBytes += req.tableBytes.get(current) ?? 0;
    current = m[1];
    req.progress?.(Math.min(doneBytes, totalBytes), totalBytes);
  };
  // Key derivation first: a child that exits before its stdout is piped gets that stdout discarded by Node.
  const encrypt = await encryptStream(req.passphrase, req.iterations);
  const child = startChild(req.pgDump.path, dumpArgs(req.scope, req.snapshot), pgEnv(req.db.target, req.db.toolCredential()), { ...(signal ? { signal } : {}), onStderrLine: onLine });

  const plain = new HashCounter();
  const cipher = new HashCounter();
  const body = new PassThrough();
  const chain = pipeline(child.proc.stdout!, plain, encrypt, cipher, gate(child.exited), body, signal ? { signal } : {});
  chain.catch((err: unknown) => body.destroy(err as Error));

  const held = Promise.race([imported, child.exited]);
  held.catch(() => {});
  const besides = alongside(held);
  besides.catch(() => {});

  let dumpFailed = false;
  child.exited.catch(() => (dumpFailed = true));
  const uploading = dest.upload(req.object, body, signal);
  const stages = [child.exited, uploading, chain, besides] as const;
  let result: T;
  try {
    [, , , result] = await Promise.all(stages);
  } catch {
    // Stop everything, wait for every stage to wind down, then report the root cause:
    // pg_dump's own failure first (not the SIGTERM we send it now), then the destination's, then the rest.
    const dumpFailedFirst = dumpFailed;
    child.proc.kill('SIGTERM');
    body.destroy();
    const settled = await Promise.allSettled(stages);
    await dest.remove(req.object).catch(() => {});
    if (signal?.aborted) throw new OpsError('cancelled', 'Backup cancelled; nothing was kept.');
    const reasons = settled.filter((r, i): r is PromiseRejectedResult => r.status === 'rejected' && (i > 0 || dumpFailedFirst)).map((r) => r.reason as unknown);
    // A session the server ended (pg_dump's or the snapshot's) is the cause of whatever broke after it.
    const [dumped, , , besidesSettled] = settled;
    for (const r of [dumped, besidesSettled]) if (r.status === 'rejected' && isConnectionLost(r.reason)) throw connectionLost(r.reason, 'The backup lost its database session');
    throw reasons.find((r) => r instanceof OpsError && r.code !== 'cancelled') ?? reasons[0];
  }
  req.progress?.(totalBytes, totalBytes);
  return { plaintext: { bytes: plain.bytes, sha256: plain.sha256 }, ciphertext: { bytes: cipher.bytes, sha256: cipher.sha256 }, alongside: result };
}
