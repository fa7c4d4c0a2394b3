/**
 * integrity_check and salvage_dump (issue 12 item 3, DR-REFERENCE A.2, A.3, A.5): find damaged relations with
 * the machine's pg_amcheck (or, without it, the amcheck extension's functions), findings by relation and
 * tenant, plus whether data checksums are on; the copy-before-repair checklist with the exact commands for
 * the connected server; and a pg_dump of a damaged tenant's healthy relations.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_TENANT_PATTERN } from '../../../../shared/vocabulary';
import type { Database } from '../../db/database';
import { databaseFromUrl } from '../../db/database';
import { loadSql } from '../../db/sql';
import { startChild } from '../../backup/process';
import { checkedTool, pgEnv, serverFacts } from '../../backup/tools';
import { OpsError } from '../../util/errors';
import { redact } from '../../util/redact';
import { shellQuote } from '../../util/shell';
import { throwIfAborted, type Progress } from './common';

const execFileAsync = promisify(execFile);

export interface IntegrityFinding {
  /** schema.relation as pg_amcheck names it; `database` for a problem not tied to one relation. */
  relation: string;
  schema?: string;
  /** The tenant schema the relation is in (or whose table a TOAST table belongs to). */
  tenant?: string;
  kind: 'heap' | 'btree' | 'toast' | 'error';
  /** The table whose rows are damaged: the relation itself, or the owner of a damaged TOAST table. Not set for an index (its table is intact; REINDEX). */
  table?: string;
  block?: number;
  offset?: number;
  message: string;
}

export interface IntegrityResult {
  tool: { name: 'pg_amcheck' | 'amcheck'; path?: string; version: string };
  database: string;
  serverVersion: string;
  /** `SHOW data_checksums`: off means the server cannot tell a damaged page itself. */
  dataChecksums: 'on' | 'off';
  schema?: string;
  heapallindexed: boolean;
  ok: boolean;
  findings: IntegrityFinding[];
  /** Findings counted by relation, most first. */
  relations: { relation: string; tenant?: string; findings: number }[];
  tenants: string[];
  /** With `schema`: the names of its tables whose rows are damaged (what salvage_dump leaves out). */
  damagedTables?: string[];
}

export interface IntegrityOptions {
  /** The database as a libpq URL; or, instead, `db`. */
  url?: string;
  /** The connected database to use instead of opening `url` (the DR engine's; not closed here). */
  db?: Database;
  /** One schema (a tenant), as pg_amcheck --schema; absent: the whole database. */
  schema?: string;
  /** Parallel connections (pg_amcheck -j), 1..16. */
  jobs?: number;
  /** Also check that every heap tuple is indexed (slow; off by default). */
  heapallindexed?: boolean;
  /** CREATE EXTENSION amcheck when it is missing (pg_amcheck --install-missing); otherwise refuse. */
  installMissing?: boolean;
  /** Tenant schema pattern, to name the tenant of each finding. */
  pattern?: string;
  /** Use the extension even when pg_amcheck is installed (tests of the fallback). */
  forceExtension?: boolean;
}

interface Facts {
  database: string;
  server_version: string;
  server_version_num: number;
  data_checksums: 'on' | 'off';
  data_directory: string | null;
  cluster_name: string | null;
  amcheck_installed: boolean;
  tablespaces: { name: string; location: string }[];
}

async function facts(db: Database): Promise<Facts> {
  return (await db.query<Facts>(loadSql('dr_integrity_scope'), [], { purpose: 'admin' })).rows[0]!;
}

/** pg_amcheck: PODCASTFLOW_OPS_PG_BIN, the server's major's Debian directory (then newer ones), then PATH. */
export async function findPgAmcheck(serverMajor: number): Promise<{ path: string; version: string; major: number } | undefined> {
  const debian = '/usr/lib/postgresql';
  const majors = existsSync(debian) ? (await readdir(debian)).map(Number).filter((m) => Number.isInteger(m) && m >= serverMajor).sort((a, b) => a - b) : [];
  const dirs = [process.env.PODCASTFLOW_OPS_PG_BIN, ...majors.map((m) => join(debian, String(m), 'bin')), ...(process.env.PATH ?? '').split(delimiter)].filter((d): d is string => Boolean(d));
  for (const dir of dirs) {
    const path = join(dir, 'pg_amcheck');
    if (!existsSync(path)) continue;
    const { stdout } = await execFileAsync(path, ['--version']);
    const m = /(\d+)(?:\.(\d+))?/.exec(stdout);
    if (m && Number(m[1]) >= serverMajor) return { path, version: m[0], major: Number(m[1]) };
  }
  return undefined;
}

/** Which tenant a schema is, under the LIKE pattern (only % and _ wildcards, as the tenant checks use). */
function tenantMatcher(pattern: string): (schema: string) => boolean {
  const re = new RegExp('^' + pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 's');
  return (s) => re.test(s) && !/__(restored|replaced)_/.test(s);
}

const HEADER = /^(heap table|btree index|toast table|index) "(.+?)"(?:, block (\d+))?(?:, offset (\d+))?(?:, attribute (\d+))?:$/;

/**
 * pg_amcheck's report: a header line per problem (`heap table "db.schema.rel", block 0, offset 3:`) with its
 * message on the indented lines after it, and `pg_amcheck: error: …` lines for relations it could not read at
 * all (an invalid page header), resolved to the relation by its file node when the message names one.
 */
export function parseAmcheckOutput(text: string, database: string, schemas: string[]): (Omit<IntegrityFinding, 'tenant'> & { filenode?: number })[] {
  const out: (Omit<IntegrityFinding, 'tenant'> & { filenode?: number })[] = [];
  const bySchema = [...schemas].sort((a, b) => b.length - a.length);
  const split = (qualified: string) => {
    const rest = qualified.startsWith(database + '.') ? qualified.slice(database.length + 1) : qualified;
    const schema = bySchema.find((s) => rest.startsWith(s + '.'));
    return schema ? { relation: rest, schema } : { relation: rest };
  };
  let current: (typeof out)[number] | undefined;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      const kind = h[1] === 'btree index' || h[1] === 'index' ? 'btree' : h[1] === 'toast table' ? 'toast' : 'heap';
      current = { ...split(h[2]!), kind, ...(h[3] ? { block: Number(h[3]) } : {}), ...(h[4] ? { offset: Number(h[4]) } : {}), message: '' };
      out.push(current);
      continue;
    }
    const e = /^pg_amcheck: error: (.*)$/.exec(line);
    if (e) {
      const node = /relation (?:base|global|pg_tblspc)\/(?:\d+\/)*(\d+)\b/.exec(e[1]!);
      const block = /block (\d+)/.exec(e[1]!);
      current = { relation: 'database', kind: 'error', ...(block ? { block: Number(block[1]) } : {}), message: e[1]!.replace(/^error sending command to database "[^"]*": /, ''), ...(node ? { filenode: Number(node[1]) } : {}) };
      out.push(current);
      continue;
    }
    if (/^pg_amcheck: (detail|hint): Query was:/.test(line)) {
      current = undefined;
      continue;
    }
    if (current && /^\s+\S/.test(line)) current.message = (current.message ? current.message + ' ' : '') + line.trim();
  }
  return out;
}

/** A psql-style pattern that matches exactly this name (double-quoted, so no wildcard applies). */
const exactPattern = (name: string) => `"${name.replace(/"/g, '""')}"`;

function progressOf(line: string): { done: number; total: number } | undefined {
  // pg_amcheck --progress: "12/40 relations (30%), 150/900 pages (16%)"
  const m = /(\d+)\/(\d+) pages/.exec(line);
  return m ? { done: Number(m[1]), total: Number(m[2]) } : undefined;
}

async function runPgAmcheck(db: Database, tool: { path: string }, opts: IntegrityOptions, signal: AbortSignal | undefined, progress: Progress | undefined): Promise<string> {
  // --database and --schema take patterns: quoted, a name with * or ? matches only itself.
  const args = ['--no-password', '--progress', '-j', String(opts.jobs ?? 1), '--database', exactPattern(db.target.database)];
  if (opts.schema) args.push('--schema', exactPattern(opts.schema));
  if (opts.heapallindexed) args.push('--heapallindexed');
  if (opts.installMissing) args.push('--install-missing');
  const env = pgEnv(db.target, db.toolCredential());
  const proc = spawn(tool.path, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  proc.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    // Progress lines end in \r; keep only the newest one.
    const last = c.split(/[\r\n]/).filter(Boolean).pop();
    const p = last ? progressOf(last) : undefined;
    if (p) progress?.({ ...p, unit: 'pages' });
  });
  const kill = () => proc.kill('SIGTERM');
  signal?.addEventListener('abort', kill, { once: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.on('error', (err) => reject(new OpsError('tool_failed', `pg_amcheck could not be started: ${err.message}`)));
    proc.on('close', (c) => resolve(c));
  }).finally(() => signal?.removeEventListener('abort', kill));
  if (signal?.aborted) throw new OpsError('cancelled', 'Cancelled; the integrity check did not finish and found nothing to report.');
  const errors = stderr.split(/[\r\n]/).filter((l) => l.startsWith('pg_amcheck: '));
  // 0: nothing found; 2: corruption found. Anything else (1: a usage or connection error) is a failure,
  // unless its message names a relation it could not read, which is a finding.
  if (code !== 0 && code !== 2 && !errors.some((l) => /relation|block|page/.test(l))) {
    throw new OpsError('tool_failed', `pg_amcheck exited with code ${code}: ${redact(errors.slice(-3).join(' | ') || stderr.slice(-400))}`, 'Nothing is known about the relations it did not check; see the message.');
  }
  return stdout + '\n' + errors.join('\n');
}

async function runExtension(db: Database, opts: IntegrityOptions, signal: AbortSignal | undefined, progress: Progress | undefined): Promise<Omit<IntegrityFinding, 'tenant'>[]> {
  const rels = (await db.query<{ oid: number; schema: string; name: string; kind: 'heap' | 'btree' }>(loadSql('dr/amcheck_relations'), [opts.schema ?? null], { purpose: 'admin' })).rows;
  const findings: Omit<IntegrityFinding, 'tenant'>[] = [];
  let done = 0;
  for (const r of rels) {
    throwIfAborted(signal);
    const relation = `${r.schema}.${r.name}`;
    try {
      if (r.kind === 'heap') {
        const found = await db.query<{ block: number; offset: number; message: string }>(loadSql('dr/amcheck_heap'), [r.oid], { purpose: 'admin', ...(signal ? { signal } : {}) });
        for (const f of found.rows) findings.push({ relation, schema: r.schema, kind: r.schema === 'pg_toast' ? 'toast' : 'heap', block: Number(f.block), offset: f.offset, message: f.message });
      } else await db.query(loadSql('dr/amcheck_btree'), [r.oid, opts.heapallindexed ?? false], { purpose: 'admin', ...(signal ? { signal } : {}) });
    } catch (err) {
      if ((err as { code?: string }).code === '57014' && signal?.aborted) throw new OpsError('cancelled', 'Cancelled; the integrity check did not finish.');
      findings.push({ relation, schema: r.schema, kind: r.kind, message: (err as Error).message });
    }
    progress?.({ done: ++done, total: rels.length, unit: 'relations' });
  }
  return findings;
}

export async function integrityCheck(opts: IntegrityOptions, signal?: AbortSignal, progress?: Progress): Promise<IntegrityResult> {
  const jobs = opts.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new OpsError('invalid_input', `jobs must be a whole number from 1 to 16, got ${String(opts.jobs)}.`, 'Nothing was checked.');
  const db = opts.db ?? (await databaseFromUrl(opts.url ?? ''));
  try {
    const f = await facts(db);
    if (opts.schema) {
      const s = await db.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [opts.schema], { purpose: 'admin' });
      if (!s.rowCount) throw new OpsError('no_such_tenant', `There is no schema ${JSON.stringify(opts.schema)} in ${f.database}.`, 'Check the tenant name; nothing was checked.');
    }
    if (!f.amcheck_installed && !opts.installMissing) {
      throw new OpsError('amcheck_missing', `The amcheck extension is not installed in ${f.database}; pg_amcheck and the fallback both need it.`, 'Run CREATE EXTENSION amcheck (as a superuser; it only adds functions), or let the check install it. Nothing was checked.');
    }
    const tool = opts.forceExtension ? undefined : await findPgAmcheck(Math.floor(f.server_version_num / 10_000));
    const schemas = (await db.query<{ nspname: string }>('SELECT nspname FROM pg_catalog.pg_namespace', [], { purpose: 'admin' })).rows.map((r) => r.nspname);
    let raw: (Omit<IntegrityFinding, 'tenant'> & { filenode?: number })[];
    if (tool) raw = parseAmcheckOutput(await runPgAmcheck(db, tool, { ...opts, jobs }, signal, progress), f.database, schemas);
    else {
      if (!f.amcheck_installed) await db.query('CREATE EXTENSION IF NOT EXISTS amcheck', [], { purpose: 'admin' });
      raw = await runExtension(db, opts, signal, progress);
    }
    // Relations pg_amcheck could not read at all are named by their file node: resolve them.
    for (const r of raw.filter((x) => x.filenode !== undefined)) {
      const rel = await db.query<{ schema: string; name: string }>('SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.pg_filenode_relation(0, $1::oid)', [r.filenode], { purpose: 'admin' });
      if (rel.rows[0]) Object.assign(r, { relation: `${rel.rows[0].schema}.${rel.rows[0].name}`, schema: rel.rows[0].schema, kind: 'heap' });
    }
    // A TOAST table's damage is its owning table's: name that table (and so its tenant).
    const toast = [...new Set(raw.filter((x) => x.schema === 'pg_toast').map((x) => x.relation.slice('pg_toast.'.length)))];
    const owners = new Map(
      toast.length
        ? (await db.query<{ toast: string; schema: string; name: string }>("SELECT t.relname AS toast, n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid WHERE t.relname = ANY ($1::text[])", [toast], { purpose: 'admin' })).rows.map((r) => [r.toast, r] as const)
        : [],
    );
    const isTenant = tenantMatcher(opts.pattern ?? DEFAULT_TENANT_PATTERN);
    const findings: IntegrityFinding[] = raw.map(({ filenode: _f, ...x }) => {
      const owner = x.schema === 'pg_toast' ? owners.get(x.relation.slice('pg_toast.'.length)) : undefined;
      const schema = owner?.schema ?? x.schema;
      const table = owner ? owner.name : x.kind === 'heap' && x.schema ? x.relation.slice(x.schema.length + 1) : undefined;
      return { ...x, ...(owner ? { kind: 'toast' as const } : {}), ...(table ? { table } : {}), ...(schema && isTenant(schema) ? { tenant: schema } : {}) };
    });
    const counts = new Map<string, { relation: string; tenant?: string; findings: number }>();
    for (const x of findings) {
      const c = counts.get(x.relation) ?? { relation: x.relation, ...(x.tenant ? { tenant: x.tenant } : {}), findings: 0 };
      c.findings += 1;
      counts.set(x.relation, c);
    }
    return {
      tool: tool ? { name: 'pg_amcheck', path: tool.path, version: tool.version } : { name: 'amcheck', version: 'extension' },
      database: f.database,
      serverVersion: f.server_version,
      dataChecksums: f.data_checksums,
      ...(opts.schema ? { schema: opts.schema } : {}),
      heapallindexed: opts.heapallindexed ?? false,
      ok: findings.length === 0,
      findings,
      relations: [...counts.values()].sort((a, b) => b.findings - a.findings || a.relation.localeCompare(b.relation)),
      tenants: [...new Set(findings.map((x) => x.tenant).filter((t): t is string => Boolean(t)))].sort(),
      ...(opts.schema ? { damagedTables: [...new Set(findings.filter((x) => x.table && (x.kind === 'toast' ? x.tenant : x.schema) === opts.schema).map((x) => x.table!))].sort() } : {}),
    };
  } finally {
    if (!opts.db) await db.close();
  }
}

export interface ChecklistFacts {
  dataDirectory: string | null;
  serverVersionNum: number;
  clusterName?: string | null;
  tablespaces: { name: string; location: string }[];
  /** Where the copy goes: separate storage, never the data directory's own disk. */
  copyTo?: string;
  stamp: string;
}

/**
 * The copy-before-repair checklist (PostgreSQL wiki, "Corruption": copy the whole data directory before any
 * repair attempt) with the commands for this server. Every value is shell-quoted; without a readable
 * data_directory the commands say where to find it instead.
 */
export function copyBeforeRepairChecklist(f: ChecklistFacts): string {
  const major = Math.floor(f.serverVersionNum / 10_000);
  const dataDir = f.dataDirectory ?? '/path/to/data_directory';
  const dir = shellQuote(dataDir);
  const dest = shellQuote(`${f.copyTo ?? '/mnt/evidence'}/pgdata-${f.stamp}`);
  const debian = /^(\d+)\/([A-Za-z0-9_-]+)$/.exec(f.clusterName ?? '');
  const lines = [
    'Before ANY repair (REINDEX, VACUUM, zero_damaged_pages, pg_resetwal, deleting files): take a file-level copy of the whole data directory to separate storage. Repair attempts destroy the evidence and often the data you could still save.',
    ...(f.dataDirectory ? [] : ['The data directory could not be read with this connection (it needs superuser or pg_read_all_settings): find it with `SHOW data_directory;` as a superuser, or `ps -o args= -C postgres` (the -D argument), and put it in place of /path/to/data_directory below.']),
    '',
    '1. Stop the server (a copy of a running cluster is not consistent):',
    `   pg_ctl -D ${dir} stop -m fast`,
    // A Debian cluster is named <major>/<name> and managed by pg_ctlcluster.
    ...(debian ? [`   # or, on Debian/Ubuntu: pg_ctlcluster ${debian[1]} ${debian[2]} stop`] : []),
    '2. Copy the data directory, preserving owners, permissions, hard links and symlinks (pg_wal and tablespaces may be symlinks):',
    `   rsync -aHAX --numeric-ids ${dir}/ ${dest}/`,
    ...f.tablespaces.map((t) => `   rsync -aHAX --numeric-ids ${shellQuote(t.location)}/ ${shellQuote(`${f.copyTo ?? '/mnt/evidence'}/tablespace-${t.name}-${f.stamp}`)}/    # tablespace ${t.name.replace(/[\r\n]/g, ' ')}`),
    '3. Record the copy\'s checksums (the chain of custody):',
    `   (cd ${dest} && find . -type f -print0 | sort -z | xargs -0 sha256sum) > ${shellQuote(`${f.copyTo ?? '/mnt/evidence'}/pgdata-${f.stamp}.sha256`)}`,
    '4. Where data checksums are on, list the damaged blocks on the copy (never on the original while it could start):',
    `   /usr/lib/postgresql/${major}/bin/pg_checksums --check -D ${dest}`,
    '5. Only then start the server again and repair, or restore from the newest verified backup beside the damaged tenant. Keep the copy as evidence until the root cause (disk, controller, fsync settings) is known.',
  ];
  return lines.join('\n');
}

/** The checklist for the connected server. */
export async function repairChecklist(url: string, opts: { copyTo?: string; now?: Date } = {}): Promise<string> {
  const db = await databaseFromUrl(url);
  try {
    const f = await facts(db);
    return copyBeforeRepairChecklist({ dataDirectory: f.data_directory, serverVersionNum: f.server_version_num, clusterName: f.cluster_name, tablespaces: f.tablespaces, ...(opts.copyTo ? { copyTo: opts.copyTo } : {}), stamp: (opts.now ?? new Date()).toISOString().replace(/[-:.]/g, '').slice(0, 15) });
  } finally {
    await db.close();
  }
}

export interface SalvageOptions {
  /** The database as a libpq URL; or, instead, `db`. */
  url?: string;
  /** The connected database to use instead of opening `url` (the DR engine's; not closed here). */
  db?: Database;
  tenant: string;
  /** The damaged tables (names in the tenant schema): their definitions are dumped, their rows are not. */
  exclude: string[];
  /** The archive to write (pg_dump -Fc); must not exist. */
  file: string;
}

export interface SalvageResult {
  file: string;
  bytes: number;
  sha256: string;
  tenant: string;
  excluded: string[];
}

/**
 * salvage_dump: pg_dump -Fc of a damaged tenant with every definition and the rows of its healthy tables
 * (--exclude-table-data for the damaged ones), so a restore beside can take the damaged tables' rows from
 * the newest verified backup. Written as <file>.partial and renamed when pg_dump succeeded.
 */
export async function salvageDump(opts: SalvageOptions, signal?: AbortSignal, progress?: Progress): Promise<SalvageResult> {
  if (!opts.file) throw new OpsError('invalid_input', 'salvage_dump needs the file to write.', 'Nothing was dumped.');
  if (existsSync(opts.file)) throw new OpsError('target_exists', `${opts.file} exists already.`, 'Name a new file; a salvage is never written over another file.');
  const db = opts.db ?? (await databaseFromUrl(opts.url ?? ''));
  const partial = `${opts.file}.partial`;
  try {
    const tables = (await db.query<{ relname: string }>("SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')", [opts.tenant], { purpose: 'admin' })).rows.map((r) => r.relname);
    if (!tables.length) throw new OpsError('no_such_tenant', `There is no tenant schema ${JSON.stringify(opts.tenant)} with tables.`, 'Check the tenant name; nothing was dumped.');
    const unknown = opts.exclude.filter((t) => !tables.includes(t));
    if (unknown.length) throw new OpsError('invalid_input', `Not tables of ${opts.tenant}: ${unknown.map((t) => JSON.stringify(t)).join(', ')}.`, 'Name the damaged tables as integrity_check reports them; nothing was dumped.');
    const pgDump = await checkedTool('pg_dump', await serverFacts(db));
    const args = ['-Fc', '--no-password', '-f', partial, '-n', exactPattern(opts.tenant), ...opts.exclude.flatMap((t) => ['--exclude-table-data', `${exactPattern(opts.tenant)}.${exactPattern(t)}`]), '--verbose'];
    let done = 0;
    const child = startChild(pgDump.path, args, pgEnv(db.target, db.toolCredential()), { ...(signal ? { signal } : {}), onStderrLine: (l) => /dumping contents of table/.test(l) && progress?.({ done: ++done, total: tables.length - opts.exclude.length, unit: 'tables' }) });
    await child.exited;
    const sha = createHash('sha256');
    for await (const chunk of createReadStream(partial)) sha.update(chunk as Buffer);
    const { size } = await stat(partial);
    await rename(partial, opts.file);
    return { file: opts.file, bytes: size, sha256: sha.digest('hex'), tenant: opts.tenant, excluded: [...opts.exclude] };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  } finally {
    if (!opts.db) await db.close();
  }
}

