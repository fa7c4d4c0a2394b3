/**
 * A fingerprint of a database, to prove a drill left the live data as it was (issue 11, Targets): SHA-256
 * over the catalog (schemas, relations, columns, constraints, indexes, functions, with their grants; see
 * resources/sql/dr_fingerprint.sql) and the exact row count of every table of the tenants. Taken before and
 * after a drill: equal fingerprints mean no object was created, dropped or altered outside the side
 * schemas, no grant changed, and no tenant table gained or lost a row. (An UPDATE keeps the counts: the
 * fingerprint is of shape and size, not of content.)
 *
 * Cost: the catalog part is one pass over the catalog (a few seconds at thousands of tenants); the counts
 * read every row of every counted table (count(*) per table, a sequential or index-only scan), so on a large
 * database pass the tenants a drill touches rather than all of them. Both run in one REPEATABLE READ READ
 * ONLY transaction: one snapshot, no lock but ACCESS SHARE, nothing written.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/database';
import { loadSql } from '../../db/sql';
import { countTableRows, type RowCount } from '../../backup/row-counts';
import { DEFAULT_TENANT_PATTERN } from '../../../../shared/words';
import { OpsError } from '../../util/errors';
import { inTransaction, schemaName } from './session';

export interface Fingerprint {
  /** SHA-256 (hex) over every part below. */
  sha256: string;
  /** Per part: its hash and how many lines (objects) it covers, to say what differs. */
  parts: Record<string, { sha256: string; lines: number }>;
  tenants: number;
  tables: number;
  rows: number;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export async function fingerprintDatabase(db: Database, input: { tenants?: string[]; pattern?: string } = {}, signal?: AbortSignal): Promise<Fingerprint> {
  if (input.tenants !== undefined && (!Array.isArray(input.tenants) || input.tenants.length === 0)) throw new OpsError('invalid_input', 'tenants must be a non-empty list of schema names (or left out for all).', 'Nothing was read.');
  const named = input.tenants?.map((t) => schemaName(t, 'tenant'));
  const pattern = input.pattern ?? DEFAULT_TENANT_PATTERN;
  return inTransaction(db, { what: 'The fingerprint', readOnly: true, signal }, async (client) => {
    const catalog = (await client.query<{ part: string; lines: number; sha256: string }>(loadSql('dr_fingerprint'), [null])).rows;
    const tenants = (await client.query<{ tenant: string }>(loadSql('dr_fingerprint_tenants'), [pattern, named ?? null, null])).rows.map((r) => r.tenant);
    const missing = (named ?? []).filter((t) => !tenants.includes(t));
    if (missing.length) throw new OpsError('no_such_tenant', `There is no schema ${missing.join(', ')} to fingerprint.`, 'Check the tenant names; nothing was read.');
    const counts = await countTableRows(async (text, params) => (await client.query<RowCount & { oid: number }>(text, params)).rows, tenants);
    const rowLines = counts.map((r) => `${JSON.stringify(r.schema)}.${JSON.stringify(r.table)}=${r.rows}`).join('\n');
    const parts: Fingerprint['parts'] = Object.fromEntries(catalog.map((p) => [p.part, { sha256: p.sha256, lines: p.lines }]));
    parts.rows = { sha256: sha(rowLines), lines: counts.length };
    const all = Object.entries(parts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k} ${v.lines} ${v.sha256}`)
      .join('\n');
    return { sha256: sha(all), parts, tenants: tenants.length, tables: counts.length, rows: counts.reduce((n, r) => n + r.rows, 0) };
  });
}
