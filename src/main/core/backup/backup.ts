/**
 * One backup, streamed end to end with back-pressure and constant memory (DESIGN §4):
 *   pg_dump -Fc --snapshot=S → SHA-256 → AES-256-CBC (Salted__, PBKDF2) → SHA-256 → destination
 * while, on the admin connection that exported S, one statement counts every table's rows in that same
 * snapshot. The manifest (with the counts, both hashes and an HMAC) is written last: it is the one success
 * record, so a backup that failed or was cancelled leaves nothing that looks like a backup.
 *
 * --all-tenants: pg_dump reads the whole catalog on every run (0.6 s a run at 2,000 schemas), so a loop of
 * per-tenant dumps costs ~70× one full dump. Instead one pg_dump -Fc of every tenant schema from one
 * snapshot; its table of contents lets pg_restore -n restore any one tenant alone.
 */
import type { BackupResult, Manifest } from '../../../shared/domain/backups';
import type { Database } from '../db/database';
import { OpsError } from '../util/errors';
import { DEFAULT_ITERATIONS } from './crypto';
import type { Destination } from './destination';
import { streamDump } from './dump-stream';
import { dumpGlobals } from './globals';
import type { BackupKey } from './keys';
import { buildManifest, writeManifest } from './manifest';
import { backupName, SUFFIX } from './naming';
import { lockAdvice, withSnapshot, type BackupScope } from './snapshot';
import { checkedTool, serverFacts } from './tools';

export interface BackupRequest {
  db: Database;
  dest: Destination;
  key: BackupKey;
  scope: BackupScope;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => void;
  log?: (msg: string) => void;
  iterations?: number;
  /** The clock for the backup's name and times (tests inject one instead of sleeping). */
  now?: () => Date;
}

export interface BackupOutcome {
  manifest: Manifest;
  manifestLocation: string;
  location: string;
}

/**
 * The destination checked and pg_dump resolved before anything starts; then, in the snapshot session
 * (snapshot.ts), the dump stream (dump-stream.ts) with the row counts alongside, the roles of a full
 * backup (globals.ts), and the manifest last (manifest.ts).
 */
export async function runBackup(req: BackupRequest): Promise<BackupOutcome> {
  const { db, dest, key, scope, signal } = req;
  const log = req.log ?? (() => {});
  const now = req.now ?? (() => new Date());
  const startedAt = now();
  const iterations = req.iterations ?? DEFAULT_ITERATIONS;
  if (signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
  // A destination that cannot take the backup says so (and why) before pg_dump starts.
  await dest.check?.();

  const server = await serverFacts(db);
  const pgDump = await checkedTool('pg_dump', server);

  return withSnapshot(db, scope, server.database, signal, async (session) => {
    const name = backupName(scope.kind, scope.kind === 'tenant' ? scope.tenant : server.database, startedAt);
    log(`Backing up ${scope.kind === 'tenant' ? `tenant ${scope.tenant}` : scope.kind === 'full' ? `database ${server.database}` : `${session.schemas.length} tenants`} to ${dest.locate(name + SUFFIX.dump)}`);
    const { alongside: tables, ...dumped } = await streamDump(
      { db, dest, pgDump, scope, snapshot: session.snapshot, object: name + SUFFIX.dump, passphrase: key.passphrase, iterations, tableBytes: session.tableBytes, ...(signal ? { signal } : {}), ...(req.progress ? { progress: req.progress } : {}) },
      (held) => session.countRows(held),
    ).catch((err: unknown) => {
      // Other sessions took locks since the check: pg_dump ran out ("out of shared memory … increase
      // max_locks_per_transaction"); say how far, in numbers, rather than pass its two lines on.
      if (err instanceof OpsError && err.code === 'tool_failed' && /max_locks_per_transaction|out of shared memory/.test(err.message)) {
        throw new OpsError('lock_table_too_small', `pg_dump ran out of room in the server's lock table; nothing was kept.`, lockAdvice(session.locks));
      }
      throw err;
    });
    const globals = scope.kind === 'full' ? await dumpGlobals({ db, dest, server, object: name + SUFFIX.globals, passphrase: key.passphrase, iterations, ...(signal ? { signal } : {}), log }) : undefined;
    const manifest = buildManifest({ name, scope, schemas: session.schemas, server, target: db.target, pgDump, startedAt, finishedAt: now(), dumped, iterations, keyId: key.keyId, globals, tables }, key.passphrase);
    await writeManifest(dest, manifest);
    log(`Backup ${name}: ${dumped.plaintext.bytes} bytes of archive, ${dumped.ciphertext.bytes} encrypted, ${tables.length} tables counted.`);
    return { manifest, manifestLocation: dest.locate(name + SUFFIX.manifest), location: dest.locate(name + SUFFIX.dump) };
  });
}

export function resultOf(o: BackupOutcome, tenant?: string): BackupResult {
  const m = o.manifest;
  return {
    id: m.id,
    kind: m.kind === 'full' ? 'full' : 'tenant',
    ...(tenant ?? m.tenant ? { tenant: tenant ?? m.tenant } : {}),
    status: 'succeeded',
    location: o.location,
    manifest: o.manifestLocation,
    bytes: m.ciphertext.bytes,
    sha256: m.ciphertext.sha256,
    durationMs: m.durationMs,
  };
}
