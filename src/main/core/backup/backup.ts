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
import type { PoolClient } from 'pg';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupResult, Manifest } from '../../../shared/domain/backups';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { connectionLost, isConnectionLost, OpsError } from '../util/errors';
import { DEFAULT_ITERATIONS, encryptBuffer, encryptStream, HashCounter, signManifestBody } from './crypto';
import type { Destination } from './destination';
import type { BackupKey } from './keys';
import { backupName, likeToDumpPattern, SUFFIX } from './naming';
import { startChild } from './process';
import { SIDE_SCHEMA_DUMP_EXCLUDES } from './restored-copies';
import { restoreScript } from './script';
import { checkedTool, pgEnv } from './tools';

export interface BackupRequest {
  db: Database;
  dest: Destination;
  key: BackupKey;
  scope: { kind: 'tenant'; tenant: string } | { kind: 'full' } | { kind: 'all-tenants'; pattern: string };
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

interface ServerFacts {
  database: string;
  server_version: string;
  server_version_num: number;
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

export async function runBackup(req: BackupRequest): Promise<BackupOutcome> {
  const { db, dest, key, scope } = req;
  const log = req.log ?? (() => {});
  const now = req.now ?? (() => new Date());
  const started = now();
  const iterations = req.iterations ?? DEFAULT_ITERATIONS;
  if (req.signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
  // A destination that cannot take the backup says so (and why) before pg_dump starts.
  await dest.check?.();

  const facts = (await db.query<ServerFacts>(loadSql('backup/server'), [], { purpose: 'admin' })).rows[0]!;
  const pgDump = await checkedTool('pg_dump', facts.server_version_num, facts.server_version);

  const client: PoolClient = await (await db.pool('admin')).connect();
  let pid: number | undefined;
  const onAbort = () => {
    if (pid) void db.query('SELECT pg_cancel_backend($1)', [pid], { purpose: 'admin' }).catch(() => {});
  };
  req.signal?.addEventListener('abort', onAbort, { once: true });
  let clientBroken = false;
  try {
    pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;

    // What this backup covers, seen in the snapshot itself.
    const scopeRows = (
      await client.query<{ schema: string; bytes: number; tables: number }>(loadSql('backup/scope'), [
        scope.kind === 'tenant' ? [scope.tenant] : null,
        scope.kind === 'all-tenants' ? scope.pattern : '',
        scope.kind === 'all-tenants',
      ])
    ).rows;
    if (scope.kind === 'tenant' && scopeRows.length === 0) {
      throw new OpsError('no_such_tenant', `There is no schema "${scope.tenant}" in database ${facts.database}.`, 'Check the tenant name (the schema, e.g. org_acme); nothing was written.');
    }
    if (scope.kind === 'all-tenants' && scopeRows.length === 0) {
      throw new OpsError('no_tenants', `No schema matches the tenant pattern "${scope.pattern}" in ${facts.database}.`, 'Check the tenant pattern of this connection.');
    }
    const schemas = scopeRows.map((r) => r.schema);
    const sizes = new Map<string, number>();
    for (const r of (await client.query<{ schema: string; table: string; bytes: number }>(loadSql('backup/table_sizes'), [schemas])).rows) sizes.set(`${r.schema}.${r.table}`, r.bytes);
    const totalBytes = Math.max(1, [...sizes.values()].reduce((a, b) => a + b, 0));

    const label = scope.kind === 'tenant' ? scope.tenant : facts.database;
    const name = backupName(scope.kind, label, started);
    const args = ['-Fc', '-v', `--snapshot=${snapshot}`, '--no-password'];
    if (scope.kind === 'tenant') args.push('-n', `"${scope.tenant.replace(/"/g, '""')}"`);
    // Restored copies match the tenant pattern but are not tenants (restored-copies.ts).
    if (scope.kind === 'all-tenants') args.push('-n', likeToDumpPattern(scope.pattern), ...SIDE_SCHEMA_DUMP_EXCLUDES.flatMap((p) => ['-N', p]));
    log(`Backing up ${scope.kind === 'tenant' ? `tenant ${scope.tenant}` : scope.kind === 'full' ? `database ${facts.database}` : `${schemas.length} tenants`} to ${dest.locate(name + SUFFIX.dump)}`);

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
      if (current) doneBytes += sizes.get(current) ?? 0;
      current = m[1];
      req.progress?.(Math.min(doneBytes, totalBytes), totalBytes);
    };
    // Key derivation first: a child that exits before its stdout is piped gets that stdout discarded by Node.
    const encrypt = await encryptStream(key.passphrase, iterations);
    const child = startChild(pgDump.path, args, pgEnv(db.target, db.toolCredential()), { ...(req.signal ? { signal: req.signal } : {}), onStderrLine: onLine });

    const plain = new HashCounter();
    const cipher = new HashCounter();
    const body = new PassThrough();
    const chain = pipeline(child.proc.stdout!, plain, encrypt, cipher, gate(child.exited), body, req.signal ? { signal: req.signal } : {});
    chain.catch((err: unknown) => body.destroy(err as Error));

    // Row counts in the dump's snapshot, while pg_dump runs; the transaction ends once both the counts
    // are in and pg_dump holds the snapshot (so a long dump leaves no idle transaction behind).
    const counted = (async () => {
      const rows = (await client.query<{ schema: string; table: string; rows: number }>(loadSql('backup/row_counts'), [schemas])).rows;
      await Promise.race([imported, child.exited]);
      await client.query('COMMIT');
      return rows;
    })();
    counted.catch(() => {});

    let dumpFailed = false;
    child.exited.catch(() => (dumpFailed = true));
    const uploading = dest.upload(name + SUFFIX.dump, body, req.signal);
    const stages = [child.exited, uploading, chain, counted] as const;
    let tables: Manifest['tables'];
    try {
      const [, , , rows] = await Promise.all(stages);
      tables = rows.map((r) => ({ schema: r.schema, table: r.table, rows: r.rows }));
    } catch {
      // Stop everything, wait for every stage to wind down, then report the root cause:
      // pg_dump's own failure first (not the SIGTERM we send it now), then the destination's, then the rest.
      const dumpFailedFirst = dumpFailed;
      child.proc.kill('SIGTERM');
      body.destroy();
      const settled = await Promise.allSettled(stages);
      await dest.remove(name + SUFFIX.dump).catch(() => {});
      if (req.signal?.aborted) throw new OpsError('cancelled', 'Backup cancelled; nothing was kept.');
      const reasons = settled.filter((r, i): r is PromiseRejectedResult => r.status === 'rejected' && (i > 0 || dumpFailedFirst)).map((r) => r.reason as unknown);
      // A session the server ended (pg_dump's or the snapshot's) is the cause of whatever broke after it.
      const [dumped, , , countedRows] = settled;
      for (const r of [dumped, countedRows]) if (r.status === 'rejected' && isConnectionLost(r.reason)) throw connectionLost(r.reason, 'The backup lost its database session');
      throw reasons.find((r) => r instanceof OpsError && r.code !== 'cancelled') ?? reasons[0];
    }
    req.progress?.(totalBytes, totalBytes);

    const globals = scope.kind === 'full' ? await dumpGlobals(req, name, iterations) : undefined;
    const finished = now();
    const body0: Omit<Manifest, 'hmac'> = {
      format: 'podcastflow-ops-backup',
      formatVersion: 1,
      id: name,
      name,
      kind: scope.kind,
      ...(scope.kind === 'tenant' ? { tenant: scope.tenant } : {}),
      ...(scope.kind === 'all-tenants' ? { tenants: schemas } : {}),
      database: { name: facts.database, host: db.target.host, port: db.target.port, serverVersion: facts.server_version, serverVersionNum: facts.server_version_num },
      pgDump: { version: pgDump.version },
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      files: { dump: name + SUFFIX.dump, restoreScript: name + SUFFIX.script, ...(globals?.included ? { globals: name + SUFFIX.globals } : {}) },
      plaintext: { bytes: plain.bytes, sha256: plain.sha256 },
      ciphertext: { bytes: cipher.bytes, sha256: cipher.sha256 },
      encryption: { cipher: 'aes-256-cbc', kdf: 'pbkdf2-hmac-sha256', iterations, keyId: key.keyId, format: 'openssl-salted' },
      ...(globals ? { globals } : {}),
      tables,
    };
    const manifest: Manifest = { ...body0, hmac: { alg: 'HMAC-SHA256', value: signManifestBody(body0, key.passphrase) } };
    try {
      const dir = dest.locate('').replace(/\/$/, '');
      await dest.putSmall(name + SUFFIX.script, restoreScript(body0, dir), 'text/x-shellscript');
      // Last: the manifest is the success record.
      await dest.putSmall(name + SUFFIX.manifest, JSON.stringify(manifest, null, 2) + '\n', 'application/json');
    } catch (err) {
      for (const f of [SUFFIX.dump, SUFFIX.script, SUFFIX.globals]) await dest.remove(name + f).catch(() => {});
      throw err;
    }
    log(`Backup ${name}: ${plain.bytes} bytes of archive, ${cipher.bytes} encrypted, ${tables.length} tables counted.`);
    return { manifest, manifestLocation: dest.locate(name + SUFFIX.manifest), location: dest.locate(name + SUFFIX.dump) };
  } catch (err) {
    clientBroken = true;
    await client.query('ROLLBACK').catch(() => {});
    throw isConnectionLost(err) ? connectionLost(err, 'The backup lost its database session') : err;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    client.release(clientBroken);
  }
}

/** Roles and tablespaces (pg_dumpall --globals-only) where this role may read them; noted when not. */
async function dumpGlobals(req: BackupRequest, name: string, iterations: number): Promise<NonNullable<Manifest['globals']>> {
  try {
    const facts = (await req.db.query<ServerFacts>(loadSql('backup/server'), [], { purpose: 'admin' })).rows[0]!;
    const tool = await checkedTool('pg_dumpall', facts.server_version_num, facts.server_version);
    const child = startChild(tool.path, ['--globals-only', '--no-password'], pgEnv(req.db.target, req.db.toolCredential()), req.signal ? { signal: req.signal } : {});
    const chunks: Buffer[] = [];
    child.proc.stdout!.on('data', (c: Buffer) => chunks.push(c));
    await child.exited;
    const plain = Buffer.concat(chunks);
    const enc = await encryptBuffer(plain, req.key.passphrase, iterations);
    await req.dest.putSmall(name + SUFFIX.globals, enc);
    const { createHash } = await import('node:crypto');
    const h = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    return { included: true, plaintext: { bytes: plain.length, sha256: h(plain) }, ciphertext: { bytes: enc.length, sha256: h(enc) } };
  } catch (err) {
    // Roles left out for want of a privilege are noted; a lost session fails the backup like any other.
    if (req.signal?.aborted || isConnectionLost(err)) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    req.log?.(`Roles not included: ${msg}`);
    return { included: false, note: `pg_dumpall --globals-only was not permitted or failed: ${msg.slice(0, 300)}` };
  }
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
