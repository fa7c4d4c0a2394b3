/**
 * capture_evidence (issue 12, DR-REFERENCE E.2, D.2): before anything is contained or repaired, a snapshot of
 * what the server knows now, one JSON file per source in a fresh folder, each file's SHA-256 returned for the
 * run's journal (a chain of custody). Files are written once (never overwritten) and made read-only (0400).
 * Never a password or key: pg_roles' masked column is not even read, and every text (query texts, settings,
 * log lines) goes through redact(), which masks URLs' passwords, password=…, PASSWORD '…' and every secret
 * the process knows.
 */
import { createHash } from 'node:crypto';
import { chmod, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OpsError } from '../../util/errors';
import { makeDirs } from '../../util/paths';
import { redact } from '../../util/redact';
import { isPermissionDenied, rows, scopeParams, throwIfAborted, type Db, type Progress, type TenantScope } from './common';

export interface EvidenceFile {
  /** The file's name inside the evidence folder. */
  file: string;
  sha256: string;
}

export interface CaptureOptions extends TenantScope {
  /** A folder that does not exist yet or is empty (the run's evidence folder). */
  dir: string;
  /** Server log: how many of the newest files, and how many bytes from the end of each. */
  logFiles?: number;
  logBytes?: number;
  signal?: AbortSignal;
  progress?: Progress;
  now?: () => Date;
}

/** Every string inside a JSON value, masked. */
function masked(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(masked);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  return value;
}

type Source = { rows: unknown[] } | { notReadable: string } | { notInstalled: string };

/** A query's rows, or why they could not be read (a privilege the connection lacks is normal here). */
async function read(fn: () => Promise<unknown[]>): Promise<Source> {
  try {
    return { rows: await fn() };
  } catch (err) {
    if (isPermissionDenied(err)) return { notReadable: `not readable with this connection's role: ${(err as Error).message}` };
    throw err;
  }
}

async function serverLog(db: Db, files: number, bytes: number): Promise<Source> {
  let list: { directory: string; name: string; size: number; modification: Date }[];
  try {
    list = await rows(db, 'dr_log_files', [files]);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // 42501: no pg_monitor; 58P01: no log directory (logging_collector off, logs on stderr or syslog).
    if (isPermissionDenied(err) || e.code === '58P01') return { notReadable: `the server log is not readable through SQL: ${e.message ?? String(err)}` };
    throw err;
  }
  if (!list.length) return { notReadable: 'the log directory holds no files (logging_collector off? logs go to stderr or syslog)' };
  const out: unknown[] = [];
  for (const f of list) {
    // log_directory is absolute or relative to the data directory; pg_read_file takes either.
    const path = `${f.directory}/${f.name}`;
    try {
      const [r] = await rows<{ text: string | null }>(db, 'dr_log_tail', [path, bytes]);
      out.push({ file: path, size: f.size, modification: f.modification, lines: (r?.text ?? '').split('\n').filter(Boolean) });
    } catch (err) {
      if (!isPermissionDenied(err)) throw err;
      return { notReadable: `pg_ls_logdir lists the log files but pg_read_file is not allowed: ${(err as Error).message}` };
    }
  }
  return { rows: out };
}

async function statements(db: Db): Promise<Source> {
  const installed = await db.query(`SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements'`);
  if (!installed.rowCount) return { notInstalled: 'pg_stat_statements is not installed in this database' };
  try {
    return { rows: await rows(db, 'dr_statements', [1000]) };
  } catch (err) {
    // 55000: installed but not in shared_preload_libraries
    if ((err as { code?: string }).code === '55000') return { notReadable: (err as Error).message };
    if (isPermissionDenied(err)) return { notReadable: (err as Error).message };
    throw err;
  }
}

async function ensureEmptyDir(dir: string): Promise<void> {
  await makeDirs(dir);
  const present = await readdir(dir);
  if (present.length) throw new OpsError('evidence_exists', `The evidence folder ${dir} already holds ${present.length} file(s).`, 'Evidence is never overwritten: capture into a new folder. Nothing was written.');
}

/** Writes one evidence file (exclusive create, fsync, then 0400) and returns its SHA-256. */
async function writeEvidence(dir: string, file: string, doc: unknown): Promise<EvidenceFile> {
  const text = JSON.stringify(doc, null, 2) + '\n';
  const path = join(dir, file);
  const h = await open(path, 'wx', 0o600);
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  await chmod(path, 0o400);
  return { file, sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * Captures the evidence into `dir` and returns each file with its SHA-256. A failure part-way leaves the
 * files written so far (evidence is kept, never deleted) and throws; the run records what it has.
 */
export async function captureEvidence(db: Db, opts: CaptureOptions): Promise<EvidenceFile[]> {
  if (typeof opts.dir !== 'string' || !opts.dir) throw new OpsError('invalid_input', 'capture_evidence needs the folder to write into.', 'Nothing was captured.');
  const now = opts.now ?? (() => new Date());
  const scope = scopeParams(opts);
  const sources: [string, string, () => Promise<Source>][] = [
    ['pg_stat_activity.json', 'dr_activity.sql', () => read(() => rows(db, 'dr_activity'))],
    ['pg_stat_statements.json', 'dr_statements.sql', () => statements(db)],
    ['roles.json', 'dr_evidence_roles.sql', () => read(() => rows(db, 'dr_evidence_roles'))],
    ['tenant_grants.json', 'dr_tenant_grants.sql', () => read(() => rows(db, 'dr_tenant_grants', [...scope, null]))],
    ['pg_hba_file_rules.json', 'dr_hba_rules.sql', () => read(() => rows(db, 'dr_hba_rules'))],
    ['settings.json', 'dr_settings.sql', () => read(() => rows(db, 'dr_settings'))],
    ['extensions.json', 'dr_extensions.sql', () => read(() => rows(db, 'dr_extensions'))],
    ['event_triggers.json', 'dr_event_triggers.sql', () => read(() => rows(db, 'dr_event_triggers'))],
    ['server_log.json', 'dr_log_files.sql, dr_log_tail.sql', () => serverLog(db, opts.logFiles ?? 3, opts.logBytes ?? 256 * 1024)],
  ];
  await ensureEmptyDir(opts.dir);
  const [server] = (await db.query<{ database: string; version: string; pid: number }>('SELECT current_database() AS database, version() AS version, pg_backend_pid() AS pid')).rows;
  const written: EvidenceFile[] = [];
  for (const [file, sql, fn] of sources) {
    throwIfAborted(opts.signal);
    opts.progress?.({ done: written.length, total: sources.length, unit: 'files', message: file });
    const result = await fn();
    written.push(await writeEvidence(opts.dir, file, masked({ capturedAt: now().toISOString(), database: server?.database, serverVersion: server?.version, capturedBy: { pid: server?.pid, query: `resources/sql/${sql}` }, ...result })));
  }
  opts.progress?.({ done: written.length, total: sources.length, unit: 'files' });
  return written;
}
