/**
 * Restores and verification. Nothing touches a database before the manifest's HMAC, the key and both
 * hashes were checked (archive.ts).
 *
 * A tenant is restored beside the live one, into <tenant>__restored_<yyyymmdd_hhmm>: pg_restore cannot
 * rename a schema, so the archive goes into a scratch database first, the schema is renamed there, and
 * `pg_dump -n <side> | pg_restore --single-transaction` brings it across: the live schema is never
 * touched, and a failure leaves no half-restored side schema. Replacing a tenant is the same, followed by
 * an atomic swap of names (the old schema kept as <tenant>__replaced_<stamp>) after a safety backup.
 */
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { VerifyRecord, type Manifest } from '../../../shared/domain/backups';
import { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { countTableRowsIn } from './row-counts';
import { OpsError } from '../util/errors';
import { openArchive, readManifest } from './archive';
import type { Destination } from './destination';
import type { BackupKey } from './keys';
import { checkIdentifier, restoredDatabaseName, scratchDatabaseName, sideSchemaName, SUFFIX } from './naming';
import { originComment } from './restored-copies';
import { startChild } from './process';
import { pgEnv, restoreTools, type RestoreTools, type ToolVersion } from './tools';

export type RestoreMode = 'side-schema' | 'replace' | 'new-database' | 'existing-database';

export interface RestoreRequest {
  db: Database;
  dest: Destination;
  name: string;
  keys: BackupKey[];
  /** For an all-tenants backup: the one tenant to restore. */
  tenant?: string;
  mode?: RestoreMode;
  /** The side schema / database name (defaults derived from the backup). */
  target?: string;
  /** existing-database and replace need the target (database or tenant) typed back. */
  confirm?: string;
  /** Replace mode: makes the safety backup of the live schema before it is swapped out. */
  safetyBackup?: (tenant: string) => Promise<string>;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  progress?: (done: number, total: number, unit: string) => void;
}

export interface RestoreOutcome {
  backupId: string;
  kind: Manifest['kind'];
  mode: RestoreMode;
  tenant?: string;
  database: string;
  schema?: string;
  replacedSchema?: string;
  safetyBackup?: string;
  tables: number;
  rows: number;
  mismatches: VerifyRecord['mismatches'];
  durationMs: number;
}

const q = (id: string) => pg.escapeIdentifier(id);

async function databaseExists(db: Database, name: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name], { purpose: 'admin' })).rowCount! > 0;
}

export async function schemaExists(db: Database, name: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name], { purpose: 'admin' })).rowCount! > 0;
}

function other(db: Database, database: string): Database {
  return new Database({ ...db.target, database }, db.toolCredential());
}

async function pgRestore(tool: ToolVersion, path: string, db: Database, database: string, args: string[], signal?: AbortSignal): Promise<void> {
  await startChild(tool.path, ['--no-password', ...args, '-d', database, path], pgEnv(db.target, db.toolCredential(), database), signal ? { signal } : {}).exited;
}

/** A pg_restore -L list holding one schema: its SCHEMA entry, its ACL/COMMENT, and every object in it. */
export function tocLinesForSchema(toc: string, schema: string): string {
  // pg_restore -l prints a line break inside a name as a space.
  const esc = schema.replace(/[\r\n]/g, ' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\d+; \\d+ \\d+ [A-Z][A-Z ]* (?:- (?:SCHEMA )?)?${esc} `);
  return toc.split('\n').filter((l) => re.test(l)).join('\n') + '\n';
}

async function tenantList(tool: ToolVersion, path: string, tenant: string): Promise<string> {
  const child = startChild(tool.path, ['-l', path], process.env);
  const chunks: Buffer[] = [];
  child.proc.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await child.exited;
  const list = `${path}.${tenant.replace(/[^A-Za-z0-9_-]/g, '_')}.list`;
  await writeFile(list, tocLinesForSchema(Buffer.concat(chunks).toString('utf8'), tenant), { mode: 0o600 });
  return list;
}

/** search_path=a, "b", c  ->  the same list with `from` replaced by `to` (identifiers quoted). */
export function rewriteSearchPath(value: string, from: string, to: string): string {
  return value
    .split(',')
    .map((part) => {
      const t = part.trim();
      const name = t.startsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
      return name === from ? q(to) : name === '$user' ? '"$user"' : q(name);
    })
    .join(', ');
}

export async function repointSearchPaths(sdb: Database, from: string, to: string): Promise<void> {
  const rows = (await sdb.query<{ func: string; cfg: string }>(loadSql('backup/schema_search_paths'), [to], { purpose: 'admin' })).rows;
  for (const r of rows) {
    const value = r.cfg.slice('search_path='.length);
    const next = rewriteSearchPath(value, from, to);
    if (next !== rewriteSearchPath(value, '', '')) await sdb.query(`ALTER FUNCTION ${r.func} SET search_path TO ${next}`, [], { purpose: 'admin' });
  }
}

/** Count rows of the given schemas and compare them with the manifest's counts. */
export async function compareCounts(db: Database, expected: Manifest['tables'], schemaMap: Map<string, string>): Promise<{ tables: number; rows: number; mismatches: VerifyRecord['mismatches'] }> {
  const actualRows = await countTableRowsIn(db, [...new Set(schemaMap.values())]);
  const back = new Map([...schemaMap].map(([a, b]) => [b, a]));
  const actual = new Map(actualRows.map((r) => [`${back.get(r.schema) ?? r.schema}.${r.table}`, r.rows]));
  const mismatches: VerifyRecord['mismatches'] = [];
  let rows = 0;
  const seen = new Set<string>();
  for (const t of expected.filter((e) => schemaMap.has(e.schema))) {
    const k = `${t.schema}.${t.table}`;
    seen.add(k);
    const a = actual.get(k);
    rows += a ?? 0;
    if (a !== t.rows) mismatches.push({ schema: t.schema, table: t.table, expected: t.rows, actual: a ?? null });
  }
  for (const [k, a] of actual) {
    if (!seen.has(k)) {
      const [schema, ...rest] = k.split('.');
      mismatches.push({ schema: schema!, table: rest.join('.'), expected: null, actual: a });
    }
  }
  return { tables: seen.size, rows, mismatches };
}

/** Runs fn with a fresh scratch database that is dropped afterwards, however fn ends. */
async function withScratch<T>(db: Database, fn: (name: string, sdb: Database) => Promise<T>): Promise<T> {
  const name = scratchDatabaseName();
  await db.query(`CREATE DATABASE ${q(name)} TEMPLATE template0`, [], { purpose: 'admin' }).catch((err: unknown) => {
    throw new OpsError('scratch_failed', `Could not create the scratch database ${name}: ${(err as Error).message}.`, 'Restoring beside the live data and verifying need CREATEDB on this server.');
  });
  const sdb = other(db, name);
  try {
    return await fn(name, sdb);
  } finally {
    await sdb.close().catch(() => {});
    // The scratch holds decrypted data: try twice (the first attempt may meet a session the server just ended).
    const drop = () => db.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`, [], { purpose: 'admin' });
    await drop().catch(drop).catch(() => {});
  }
}

/** Restores writing into a target, by server/database/target: a second one is refused up front. */
const restoring = new Set<string>();

/** The lock name of a restore target: the server, the database written to, and the schema or new database. */
export function restoreLockKey(db: Database, target: { schema: string } | { database: string }): string {
  const where = `${db.target.host}:${db.target.port}`;
  return 'schema' in target ? `podcastflow-ops restore ${where}/${db.target.database} schema ${target.schema}` : `podcastflow-ops restore ${where} database ${target.database}`;
}

/**
 * One restore per target: in this process (a set) and across processes (a session advisory lock on a
 * connection of its own, released when the restore ends or the session does).
 */
export async function withTargetLock<T>(db: Database, key: string, shown: string, fn: () => Promise<T>): Promise<T> {
  const busy = () => new OpsError('restore_in_progress', `Another restore is writing into ${shown} right now; this one was refused.`, 'Wait for it to finish (or cancel it), or restore into another name. Nothing was changed.');
  if (restoring.has(key)) throw busy();
  restoring.add(key);
  const lockDb = other(db, db.target.database);
  try {
    const client = await (await lockDb.pool('admin')).connect();
    client.on('error', () => {}); // a lost lock session releases the lock; the restore's own sessions report the loss
    try {
      const got = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key])).rows[0]!.ok;
      if (!got) throw busy();
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {});
      }
    } finally {
      client.release();
    }
  } finally {
    restoring.delete(key);
    await lockDb.close().catch(() => {});
  }
}

/**
 * pg_dump -n <schema> of one database (its libpq environment: a scratch database on the same server, or a
 * scratch cluster) piped into pg_restore --single-transaction of `db`; both killed on any failure.
 */
export async function copySchema(db: Database, fromEnv: NodeJS.ProcessEnv, schema: string, tools: RestoreTools, signal?: AbortSignal): Promise<void> {
  const opts = signal ? { signal } : {};
  const dump = startChild(tools.pgDump.path, ['-Fc', '--no-password', '-n', `"${schema.replace(/"/g, '""')}"`], fromEnv, opts);
  const restore = startChild(tools.pgRestore.path, ['--no-password', '--exit-on-error', '--single-transaction', '-d', db.target.database], pgEnv(db.target, db.toolCredential()), { ...opts, stdin: 'pipe' });
  // pg_restore dying first makes our writes fail with EPIPE: that is this pipe's error, not the process's.
  const piped = pipeline(dump.proc.stdout!, restore.proc.stdin!);
  try {
    await Promise.all([dump.exited, restore.exited, piped]);
  } catch (err) {
    dump.proc.kill('SIGTERM');
    restore.proc.kill('SIGTERM');
    const settled = await Promise.allSettled([restore.exited, dump.exited, piped]);
    // The root cause: pg_restore's own message before pg_dump's broken pipe.
    const reasons = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    throw reasons.find((r) => r instanceof OpsError) ?? err;
  }
}

export async function restoreBackup(req: RestoreRequest): Promise<RestoreOutcome> {
  const started = Date.now();
  const { db } = req;
  // Decide the target from the manifest alone, and lock it, before anything is decrypted.
  const m0 = await readManifest(req.dest, req.name, req.signal);
  // A full backup holds every tenant: with a tenant named (and no database mode), that one tenant is
  // restored beside the live one (or replaces it), as from an all-tenants backup.
  const oneTenantOfFull = m0.kind === 'full' && req.tenant !== undefined && req.mode !== 'new-database' && req.mode !== 'existing-database';
  // An all-tenants backup restored whole into a new database: every tenant rebuilt at once (a ransomware
  // rebuild where no full backup is intact); the shared schemas are not in it.
  const allTenantsWhole = m0.kind === 'all-tenants' && req.tenant === undefined && req.mode === 'new-database';
  if ((m0.kind === 'full' && !oneTenantOfFull) || allTenantsWhole) {
    const mode = req.mode === 'existing-database' ? 'existing-database' : 'new-database';
    const target = req.target ?? restoredDatabaseName(m0.database.name);
    checkIdentifier(target, 'database');
    return withTargetLock(db, restoreLockKey(db, { database: target }), `database ${target}`, () => withArchive(req, (m, path) => restoreFull(req, m, path, mode, target, started)));
  }
  const tenant = m0.kind === 'tenant' ? m0.tenant! : req.tenant;
  if (!tenant) throw new OpsError('tenant_required', `Backup ${m0.name} holds ${m0.tenants?.length ?? 0} tenants; name the one to restore.`, 'Pass --tenant <schema>.');
  if (oneTenantOfFull && !m0.tables.some((t) => t.schema === tenant)) throw new OpsError('no_such_tenant', `Full backup ${m0.name} has no table of tenant ${tenant}.`, 'Run `backups list --tenant …` to find a backup that holds it.');
  if (m0.kind === 'all-tenants' && !m0.tenants?.includes(tenant)) throw new OpsError('no_such_tenant', `Backup ${m0.name} does not contain tenant ${tenant}.`, 'Run `backups list --tenant …` to find a backup that does.');
  if (req.tenant && m0.kind === 'tenant' && req.tenant !== m0.tenant) throw new OpsError('no_such_tenant', `Backup ${m0.name} is of tenant ${m0.tenant}, not ${req.tenant}.`);
  const mode = req.mode ?? 'side-schema';
  if (mode !== 'side-schema' && mode !== 'replace') throw new OpsError('invalid_mode', `A tenant backup restores into a side schema or replaces the tenant, not "${mode}".`);
  if (mode === 'replace' && req.confirm !== tenant) throw new OpsError('confirmation_required', `Replacing tenant ${tenant} needs its name typed back to confirm.`, 'Nothing was changed. The default restores beside it instead.');
  const side = req.target ?? sideSchemaName(tenant);
  checkIdentifier(side, 'schema');
  const work = () => withArchive(req, (m, path) => restoreTenant(req, m, path, tenant, mode, side, started));
  const lock = (schema: string, fn: () => Promise<RestoreOutcome>) => withTargetLock(db, restoreLockKey(db, { schema }), `schema ${schema} of ${db.target.database}`, fn);
  // A replace writes the side schema (its staging copy) and then the tenant itself: both are its targets.
  return mode === 'replace' ? lock(tenant, () => lock(side, work)) : lock(side, work);
}

/** The decrypted archive for fn, removed when fn ends however it ends. */
async function withArchive<T>(req: RestoreRequest, fn: (m: Manifest, path: string) => Promise<T>): Promise<T> {
  const archive = await openArchive(req.dest, req.name, req.keys, req.signal, (n, t) => req.progress?.(n, t, 'bytes'));
  try {
    (req.log ?? (() => {}))(`Backup ${archive.manifest.name} checked: HMAC, key ${archive.manifest.encryption.keyId}, both SHA-256 hashes.`);
    return await fn(archive.manifest, archive.path);
  } finally {
    await archive.dispose();
  }
}

async function restoreTenant(req: RestoreRequest, m: Manifest, path: string, tenant: string, mode: 'side-schema' | 'replace', side: string, started: number): Promise<RestoreOutcome> {
  const log = req.log ?? (() => {});
  const { db } = req;
  if (await schemaExists(db, side)) throw new OpsError('target_exists', `Schema ${side} already exists in ${db.target.database}.`, 'Pick another name (--into-schema) or drop it first; nothing was changed.');
  const tools = await restoreTools(db);

  await withScratch(db, async (scratch, sdb) => {
    log(`Restoring ${tenant} into scratch database ${scratch}.`);
    // pg_restore -n leaves out the CREATE SCHEMA (and its grants): select the tenant's entries from the TOC instead.
    const only = m.kind !== 'tenant' ? ['-L', await tenantList(tools.pgRestore, path, tenant)] : [];
    await pgRestore(tools.pgRestore, path, db, scratch, ['--exit-on-error', ...only], req.signal);
    await sdb.query(`ALTER SCHEMA ${q(tenant)} RENAME TO ${q(side)}`, [], { purpose: 'admin' });
    // Beside the live tenant, the copy's pinned search_paths must name the copy, not the live schema.
    if (mode === 'side-schema') {
      await repointSearchPaths(sdb, tenant, side);
      // Where the copy came from travels with it (pg_dump -n carries the schema's comment across).
      await sdb.query(originComment(side, { kind: 'restored', tenant, at: new Date().toISOString(), backupId: m.id, backup: m.name }), [], { purpose: 'admin' });
    }
    log(`Copying it into ${db.target.database} as ${side} (one transaction).`);
    await copySchema(db, pgEnv(db.target, db.toolCredential(), scratch), side, tools, req.signal);
  });

  let replacedSchema: string | undefined;
  let safety: string | undefined;
  let schema = side;
  if (mode === 'replace') {
    if (!req.safetyBackup) throw new OpsError('internal', 'Replace needs a safety backup.');
    safety = await req.safetyBackup(tenant);
    log(`Safety backup of live ${tenant}: ${safety}.`);
    replacedSchema = sideSchemaName(tenant, new Date(), 'replaced');
    const client = await (await db.pool('admin')).connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query(`ALTER SCHEMA ${q(tenant)} RENAME TO ${q(replacedSchema)}`);
      await client.query(`ALTER SCHEMA ${q(side)} RENAME TO ${q(tenant)}`);
      await client.query(originComment(replacedSchema, { kind: 'replaced', tenant, at: new Date().toISOString(), backupId: m.id, backup: m.name, ...(safety ? { safetyBackup: safety } : {}) }));
      await client.query('COMMIT');
    } catch (err) {
      // A session that cannot even roll back is dead (the server ended it): the pool must drop it.
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      client.release(broken);
    }
    schema = tenant;
  }
  const cmp = await compareCounts(db, m.tables, new Map([[tenant, schema]]));
  log(`Restored ${cmp.tables} tables, ${cmp.rows} rows into ${schema}${cmp.mismatches.length ? `; ${cmp.mismatches.length} count mismatches` : ''}.`);
  return { backupId: m.id, kind: m.kind, mode, tenant, database: db.target.database, schema, ...(replacedSchema ? { replacedSchema } : {}), ...(safety ? { safetyBackup: safety } : {}), tables: cmp.tables, rows: cmp.rows, mismatches: cmp.mismatches, durationMs: Date.now() - started };
}

async function restoreFull(req: RestoreRequest, m: Manifest, path: string, mode: 'new-database' | 'existing-database', target: string, started: number): Promise<RestoreOutcome> {
  const { db } = req;
  if (mode === 'existing-database') {
    if (req.confirm !== target) throw new OpsError('confirmation_required', `Restoring over the existing database ${target} needs its name typed back to confirm.`, 'Nothing was changed. The default restores into a new database instead.');
    if (!(await databaseExists(db, target))) throw new OpsError('no_such_database', `Database ${target} does not exist.`);
    const tools = await restoreTools(db);
    await pgRestore(tools.pgRestore, path, db, target, ['--clean', '--if-exists', '--single-transaction', '--exit-on-error'], req.signal);
  } else {
    if (await databaseExists(db, target)) throw new OpsError('target_exists', `Database ${target} already exists.`, 'Pick another name (--new-database) or restore into it explicitly; nothing was changed.');
    // Before the database is made: a missing or too-old pg_restore leaves nothing to drop.
    const tools = await restoreTools(db);
    await db.query(`CREATE DATABASE ${q(target)} TEMPLATE template0`, [], { purpose: 'admin' });
    try {
      await pgRestore(tools.pgRestore, path, db, target, ['--exit-on-error'], req.signal);
    } catch (err) {
      await db.query(`DROP DATABASE IF EXISTS ${q(target)} WITH (FORCE)`, [], { purpose: 'admin' }).catch(() => {});
      throw err;
    }
  }
  const tdb = other(db, target);
  try {
    const schemas = new Map([...new Set(m.tables.map((t) => t.schema))].map((s) => [s, s]));
    const cmp = await compareCounts(tdb, m.tables, schemas);
    return { backupId: m.id, kind: m.kind, mode, database: target, tables: cmp.tables, rows: cmp.rows, mismatches: cmp.mismatches, durationMs: Date.now() - started };
  } finally {
    await tdb.close();
  }
}

/** Failures that are the backup's own (damaged, tampered, not restorable by pg_restore): a verdict. */
const VERDICT_CODES = new Set(['checksum_mismatch', 'manifest_tampered', 'manifest_invalid', 'bad_format', 'backup_missing', 'tool_failed']);
/** pg_restore failing for reasons outside the archive: a session the server ended, a tool that could not start or was killed. */
const NOT_THE_BACKUP = /server closed the connection|terminating connection|connection to server|could not connect|no connection to the server|SSL SYSCALL|Connection refused|could not be started|was killed/i;

/** Why a failed verify says nothing about the backup (a missing tool, a lost session, a cancel…), or undefined when it does. */
export function couldNotVerifyReason(err: unknown, signal?: AbortSignal): string | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  if (signal?.aborted || (err instanceof OpsError && err.code === 'cancelled')) return 'cancelled';
  if (err instanceof OpsError && VERDICT_CODES.has(err.code) && !NOT_THE_BACKUP.test(msg)) return undefined;
  return msg;
}

/**
 * Prove a backup: restore it into a scratch database, compare tables and row counts, drop the scratch,
 * record the result beside the manifest. A verify that could not run to a verdict is recorded as
 * "could-not-verify" (and never overwrites an earlier verdict); a cancel is recorded, then rethrown.
 */
export async function verifyBackup(req: Omit<RestoreRequest, 'mode' | 'target' | 'confirm' | 'tenant'>): Promise<VerifyRecord> {
  const started = Date.now();
  const m0 = await readManifest(req.dest, req.name, req.signal);
  const base = () => ({ backupId: m0.id, verifiedAt: new Date().toISOString(), durationMs: Date.now() - started });
  let record: VerifyRecord;
  try {
    record = await withArchive(req, async (_m, path) => {
      // After the archive's own checks: a damaged backup is judged even where pg_restore is missing.
      const tools = await restoreTools(req.db);
      return withScratch(req.db, async (scratch, sdb) => {
        req.log?.(`Restoring ${m0.name} into scratch database ${scratch}.`);
        await pgRestore(tools.pgRestore, path, req.db, scratch, ['--exit-on-error', '--no-owner', '--no-privileges'], req.signal);
        const schemas = new Map([...new Set([...m0.tables.map((t) => t.schema), ...(m0.tenant ? [m0.tenant] : []), ...(m0.tenants ?? [])])].map((s) => [s, s]));
        const cmp = await compareCounts(sdb, m0.tables, schemas);
        const ok = cmp.mismatches.length === 0;
        return { ...base(), ok, status: ok ? 'restorable' : 'not-restorable', tablesCompared: cmp.tables, rowsCompared: cmp.rows, mismatches: cmp.mismatches.slice(0, 100) };
      });
    });
  } catch (err) {
    // A wrong key says nothing about the backup, and is the caller's to fix: no record.
    if (err instanceof OpsError && err.code === 'wrong_key') throw err;
    const reason = couldNotVerifyReason(err, req.signal);
    const msg = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    record = { ...base(), ok: false, status: reason === undefined ? 'not-restorable' : 'could-not-verify', tablesCompared: 0, rowsCompared: 0, mismatches: [], error: reason === undefined ? msg : `could not verify: ${reason.slice(0, 480)}` };
    if (reason !== undefined) {
      if (!(await hasVerdict(req.dest, req.name))) await req.dest.putSmall(req.name + SUFFIX.verify, JSON.stringify(record, null, 2) + '\n', 'application/json');
      if (reason === 'cancelled') throw new OpsError('cancelled', 'Verify cancelled; the backup was not judged.');
      return record;
    }
  }
  await req.dest.putSmall(req.name + SUFFIX.verify, JSON.stringify(record, null, 2) + '\n', 'application/json');
  return record;
}

/** Whether a verify record with a verdict (restorable or not) is already there. */
async function hasVerdict(dest: Destination, name: string): Promise<boolean> {
  const raw = await dest.readSmall(name + SUFFIX.verify).catch(() => undefined);
  if (!raw) return false;
  try {
    const prev = VerifyRecord.safeParse(JSON.parse(raw.toString('utf8')));
    return prev.success && prev.data.status !== 'could-not-verify';
  } catch {
    return false;
  }
}
