/** Names of backup objects: <stamp>_<kind>_<label>-<rand> + .dump.enc / .manifest.json / .restore.sh / .verify.json */
import { createHash, randomBytes } from 'node:crypto';
import type { BackupKind } from '../../../shared/vocabulary';
import { OpsError } from '../util/errors';

export const SUFFIX = { dump: '.dump.enc', manifest: '.manifest.json', script: '.restore.sh', verify: '.verify.json', globals: '.globals.sql.enc' } as const;

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes of the server encoding (UTF-8). */
export const MAX_IDENTIFIER_BYTES = 63;

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The longest prefix of `s` (whole characters, never half a code point) that fits in `max` UTF-8 bytes. */
export function cutToBytes(s: string, max: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = utf8Bytes(ch);
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * base + suffix within 63 bytes. When it does not fit, the base is cut on a character boundary and a
 * short hash of the whole base is put in, so two long names that share a prefix still get distinct results.
 */
export function fitIdentifier(base: string, suffix: string): string {
  if (utf8Bytes(base + suffix) <= MAX_IDENTIFIER_BYTES) return base + suffix;
  const hash = '_' + createHash('sha256').update(base).digest('hex').slice(0, 6);
  return cutToBytes(base, MAX_IDENTIFIER_BYTES - utf8Bytes(suffix) - hash.length) + hash + suffix;
}

/** A name given by the operator (side schema, new database): refused when PostgreSQL would truncate it. */
export function checkIdentifier(name: string, what: string): void {
  if (!name || utf8Bytes(name) > MAX_IDENTIFIER_BYTES || name.includes('\0')) {
    throw new OpsError('invalid_target', `The ${what} name "${name}" is ${name ? `${utf8Bytes(name)} bytes long; PostgreSQL allows ${MAX_IDENTIFIER_BYTES} bytes (UTF-8)` : 'empty'}.`, 'Pick a shorter name; nothing was changed.');
  }
}

export function backupName(kind: BackupKind, label: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safe = label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'x';
  return `${stamp}_${kind}_${safe}-${randomBytes(2).toString('hex')}`;
}

/** yyyymmdd_hhmm (UTC), the stamp of the console's side schemas and restored databases. */
export function minuteStamp(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 16).replace(':', '')}`;
}

export type SideSchemaKind = 'restored' | 'replaced';

/** <tenant>__restored_<yyyymmdd_hhmm> (or __replaced_), cut to fit PostgreSQL's 63-byte identifiers. */
export function sideSchemaName(tenant: string, at = new Date(), word: SideSchemaKind = 'restored'): string {
  return fitIdentifier(tenant, `__${word}_${minuteStamp(at)}`);
}

const SIDE_SCHEMA = /__(restored|replaced)_(\d{8})_(\d{4})$/;

/** The recognising pattern, as in every resources/sql query (`nspname !~ '__(restored|replaced)_'`). */
export const SIDE_SCHEMA_RE = /__(restored|replaced)_/;

/**
 * Whether a schema is one the console made beside a tenant (a restored copy or a replaced original): never a
 * tenant. The same rule as the SQL's, so whatever discovery leaves out is listed among the restored copies.
 */
export function isSideSchemaName(name: string): boolean {
  return SIDE_SCHEMA_RE.test(name);
}

/** The parts of a side schema's name; `tenantPrefix` is the tenant's name, or its hashed cut when it was long. */
export function parseSideSchemaName(name: string): { kind: SideSchemaKind; tenantPrefix: string; at: string } | undefined {
  const m = SIDE_SCHEMA.exec(name);
  if (!m) return undefined;
  const [, kind, d, t] = m as unknown as [string, SideSchemaKind, string, string];
  return { kind, tenantPrefix: name.slice(0, m.index), at: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}T${t.slice(0, 2)}:${t.slice(2)}:00Z` };
}

/** <database>_restored_<yyyymmdd_hhmm>: the default new database of a full restore. */
export function restoredDatabaseName(database: string, at = new Date()): string {
  return fitIdentifier(database, `_restored_${minuteStamp(at)}`);
}

/** A scratch database for verify and side-schema restores (ASCII, far below the limit). */
export function scratchDatabaseName(): string {
  return `pfo_scratch_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** LIKE pattern -> pg_dump -n pattern: % -> *, _ -> ?, everything else literal inside double quotes. */
export function likeToDumpPattern(like: string): string {
  let out = '';
  let literal = '';
  const flush = () => {
    if (literal) out += `"${literal.replace(/"/g, '""')}"`;
    literal = '';
  };
  for (let i = 0; i < like.length; i++) {
    const c = like[i]!;
    if (c === '\\' && i + 1 < like.length) literal += like[++i]!;
    else if (c === '%' || c === '_') {
      flush();
      out += c === '%' ? '*' : '?';
    } else literal += c;
  }
  flush();
  return out;
}

/** The names a restore would choose now, for the restore dialog to show (decided here, in bytes, never in the renderer). */
export function restoreNames(input: { tenant?: string; database?: string }, at = new Date()): { sideSchema?: string; database?: string } {
  return { ...(input.tenant ? { sideSchema: sideSchemaName(input.tenant, at) } : {}), ...(input.database ? { database: restoredDatabaseName(input.database, at) } : {}) };
}

/**
 * A DR drill's scratch database, pfo_drill_<yyyymmdd_hhmm>_<rand>: the only place a drill writes. A drill
 * copies a tenant (or the whole database) into one of these and recovers it there, so nothing of a live
 * database is ever a drill's target; the engine refuses a drill action on any database not named so.
 */
export function drillDatabaseName(at = new Date()): string {
  return `pfo_drill_${minuteStamp(at)}_${randomBytes(3).toString('hex')}`;
}

const DRILL_DATABASE = /^pfo_drill_\d{8}_\d{4}_[0-9a-f]{6}$/;

export function isDrillDatabaseName(name: string): boolean {
  return DRILL_DATABASE.test(name);
}
