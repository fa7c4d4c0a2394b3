import pg from 'pg';

/** A bound parameter spelled as an SQL literal, so a recorded statement runs as is in psql. */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? `'{}'::text[]` : `ARRAY[${v.map((x) => pg.escapeLiteral(String(x))).join(', ')}]::text[]`;
  return pg.escapeLiteral(String(v));
}

/** One statement with its $n parameters inlined, ending in a semicolon. */
export function inlineParams(text: string, params: unknown[]): string {
  return text.replace(/;\s*$/, '').replace(/\$(\d+)/g, (_m, n: string) => sqlLiteral(params[Number(n) - 1])) + ';\n';
}
