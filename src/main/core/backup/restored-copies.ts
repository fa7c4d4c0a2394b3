/**
 * Restored copies: the side schemas the console's restores leave beside the live tenants,
 * <tenant>__restored_<stamp> (restored beside the live one) and <tenant>__replaced_<stamp> (the live schema a
 * replace swapped out). They match the tenant pattern (org_%) but are never tenants: every tenant query in
 * resources/sql leaves out names matching SIDE_SCHEMA_SQL, and an all-tenants pg_dump excludes them with
 * SIDE_SCHEMA_DUMP_EXCLUDES. Here they are listed (size, age, origin) and dropped, one at a time.
 * How the names are built is naming.ts's business; this module only recognises them.
 */
import pg from 'pg';
import type { RestoredCopy } from '../../../shared/domain/backups';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { OpsError } from '../util/errors';
import { isSideSchemaName, parseSideSchemaName } from './naming';

/** The same for pg_dump -N (psql patterns: `*` any text, `_` literal). */
export const SIDE_SCHEMA_DUMP_EXCLUDES = ['*__restored_*', '*__replaced_*'];

/** What a restore records on the side schema (COMMENT ON SCHEMA, JSON), so the copy says where it came from. */
export interface CopyOrigin {
  by: 'podcastflow-ops';
  kind: 'restored' | 'replaced';
  tenant: string;
  at: string;
  backupId?: string;
  backup?: string;
  safetyBackup?: string;
}

/** `COMMENT ON SCHEMA … IS '<json>'` recording a copy's origin (quoted, so any name is inert). */
export function originComment(schema: string, origin: Omit<CopyOrigin, 'by'>): string {
  return `COMMENT ON SCHEMA ${pg.escapeIdentifier(schema)} IS ${pg.escapeLiteral(JSON.stringify({ by: 'podcastflow-ops', ...origin }))}`;
}

interface Row {
  schema: string;
  kind: 'restored' | 'replaced';
  tenant: string;
  tenant_exists: boolean;
  owner: string;
  comment: string | null;
  bytes: number;
  tables: number;
}

function parseOrigin(comment: string | null): Partial<CopyOrigin> | undefined {
  if (!comment) return undefined;
  try {
    const o = JSON.parse(comment) as Partial<CopyOrigin> | null;
    return o && typeof o === 'object' && o.by === 'podcastflow-ops' ? o : undefined;
  } catch {
    return undefined; // someone else's comment: not an origin
  }
}

/** The stamp in the name (<yyyymmdd>_<hhmm>, UTC), for copies made before origins were recorded. */
function stampOf(schema: string): string | undefined {
  const at = parseSideSchemaName(schema)?.at;
  return at ? new Date(at).toISOString() : undefined;
}

export async function listRestoredCopies(db: Database, opts: { schema?: string; now?: Date; signal?: AbortSignal } = {}): Promise<RestoredCopy[]> {
  const { rows } = await db.query<Row>(loadSql('backup/restored_copies'), [opts.schema ?? null], { timeoutMs: 60_000, ...(opts.signal ? { signal: opts.signal } : {}) });
  const now = (opts.now ?? new Date()).getTime();
  const origins = rows.map((r) => parseOrigin(r.comment));
  // The recorded tenant wins over the one read from the name (a long name is cut to fit 63 bytes).
  const recorded = [...new Set(origins.map((o, i) => (o?.tenant && o.tenant !== rows[i]!.tenant ? o.tenant : undefined)).filter((t): t is string => !!t))];
  const existing = new Set(recorded.length ? (await db.query<{ n: string }>('SELECT nspname AS n FROM pg_catalog.pg_namespace WHERE nspname = ANY ($1)', [recorded], { timeoutMs: 10_000 })).rows.map((x) => x.n) : []);
  return rows.map((r, i) => {
    const origin = origins[i];
    const tenant = origin?.tenant ?? r.tenant;
    const createdAt = origin?.at ?? stampOf(r.schema);
    const at = createdAt ? Date.parse(createdAt) : NaN;
    return {
      schema: r.schema,
      kind: r.kind,
      tenant,
      tenantExists: tenant === r.tenant ? r.tenant_exists : existing.has(tenant),
      owner: r.owner,
      bytes: r.bytes,
      tables: r.tables,
      ...(Number.isFinite(at) ? { createdAt: new Date(at).toISOString(), ageSec: Math.max(0, Math.round((now - at) / 1000)) } : {}),
      ...(origin ? { origin: { ...(origin.backupId ? { backupId: origin.backupId } : {}), ...(origin.backup ? { backup: origin.backup } : {}), ...(origin.safetyBackup ? { safetyBackup: origin.safetyBackup } : {}) } } : {}),
    };
  });
}

/**
 * Drop one restored copy (DROP SCHEMA … CASCADE, in one transaction). Refused for any name that is not a
 * side schema (a live tenant can never be dropped here), for a schema that does not exist, and while
 * objects outside the copy depend on it (the CASCADE would take them too).
 */
export async function dropRestoredCopy(db: Database, schema: string): Promise<{ dropped: string; bytes: number; tables: number }> {
  if (!isSideSchemaName(schema)) {
    throw new OpsError('not_a_restored_copy', `Schema ${JSON.stringify(schema)} is not a restored copy (<tenant>__restored_… or <tenant>__replaced_…); it is not dropped.`, 'Only the side schemas restores leave behind can be dropped here; see `restores list`.');
  }
  const [copy] = await listRestoredCopies(db, { schema });
  if (!copy) throw new OpsError('not_found', `There is no restored copy ${JSON.stringify(schema)} in ${db.target.database}.`, 'Run `restores list` to see the copies; nothing was changed.');
  const pool = await db.pool('admin');
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const deps = (await client.query<{ type: string; identity: string }>(loadSql('backup/restored_copy_dependents'), [schema])).rows;
    if (deps.length) {
      throw new OpsError(
        'has_dependents',
        `${deps.length === 20 ? 'At least 20 objects' : `${deps.length} object${deps.length === 1 ? '' : 's'}`} outside ${schema} depend on it (${deps.slice(0, 5).map((d) => `${d.type} ${d.identity}`).join(', ')}${deps.length > 5 ? ', …' : ''}); dropping it would drop them too.`,
        'Remove those dependencies first; nothing was changed.',
      );
    }
    await client.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
  return { dropped: schema, bytes: copy.bytes, tables: copy.tables };
}
