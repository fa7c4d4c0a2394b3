/** Names of backup objects: <stamp>_<kind>_<label>-<rand> + .dump.enc / .manifest.json / .restore.sh / .verify.json */
import { randomBytes } from 'node:crypto';

export const SUFFIX = { dump: '.dump.enc', manifest: '.manifest.json', script: '.restore.sh', verify: '.verify.json', globals: '.globals.sql.enc' } as const;

export function backupName(kind: 'full' | 'tenant' | 'all-tenants', label: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safe = label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'x';
  return `${stamp}_${kind}_${safe}-${randomBytes(2).toString('hex')}`;
}

/** <tenant>__restored_<yyyymmdd_hhmm>, cut to fit PostgreSQL's 63-byte identifiers. */
export function sideSchemaName(tenant: string, at = new Date(), word = 'restored'): string {
  const iso = at.toISOString();
  const suffix = `__${word}_${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 16).replace(':', '')}`;
  return tenant.slice(0, 63 - suffix.length) + suffix;
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
