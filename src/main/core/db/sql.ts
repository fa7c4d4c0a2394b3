import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { resourcePath } from '../util/paths';

const cache = new Map<string, string>();

/** The text of resources/sql/<name>.sql: every query the console runs lives there, runnable in psql. */
export function loadSql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!/^[a-z0-9_/-]+$/.test(name)) throw new Error(`Bad SQL resource name: ${name}`);
    text = readFileSync(resourcePath('sql', `${name}.sql`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** A bound parameter spelled as an SQL literal, so a statement runs as is in psql. */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? `'{}'::text[]` : `ARRAY[${v.map((x) => pg.escapeLiteral(String(x))).join(', ')}]::text[]`;
  return pg.escapeLiteral(String(v));
}

/**
 * Replaces each $n placeholder of one statement with `literal(n)`. Placeholders are only looked for where
 * Postgres would see one: not in string literals, quoted identifiers, comments or dollar-quoted bodies.
 */
export function replacePlaceholders(text: string, literal: (n: number) => string): string {
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => {
    out += text.slice(i, end);
    i = end;
  };
  while (i < text.length) {
    const rest = text.slice(i);
    let m: RegExpMatchArray | null;
    if (rest.startsWith('--')) copyUntil(text.includes('\n', i) ? text.indexOf('\n', i) + 1 : text.length);
    else if (rest.startsWith('/*')) copyUntil(text.includes('*/', i + 2) ? text.indexOf('*/', i + 2) + 2 : text.length);
    else if ((m = rest.match(/^[Ee]'(?:[^'\\]|\\.|'')*'?/)) || (m = rest.match(/^'(?:[^']|'')*'?/)) || (m = rest.match(/^"(?:[^"]|"")*"?/))) {
      copyUntil(i + m[0].length);
    } else if ((m = rest.match(/^[A-Za-z_][A-Za-z0-9_$]*/))) copyUntil(i + m[0].length); // identifiers may hold $
    else if ((m = rest.match(/^\$(\d+)/))) {
      out += literal(Number(m[1]));
      i += m[0].length;
    } else if ((m = rest.match(/^\$([A-Za-z_][A-Za-z0-9_]*)?\$/))) {
      const close = text.indexOf(m[0], i + m[0].length);
      copyUntil(close < 0 ? text.length : close + m[0].length);
    } else copyUntil(i + 1);
  }
  return out;
}

/** One statement with its $n parameters inlined as literals, ending in a semicolon. */
export function inlineParams(text: string, params: unknown[]): string {
  return replacePlaceholders(text.replace(/;\s*$/, ''), (n) => sqlLiteral(params[n - 1])) + ';\n';
}

export type SqlParamType = 'text' | 'text[]' | 'int' | 'numeric' | 'bool';

/** A parameter a SQL file declares in its header. */
export interface SqlParam {
  index: number;
  name: string;
  type: SqlParamType;
  /** An SQL literal (from our own file) used when no value is given; undefined = required. */
  default?: string;
  doc: string;
}

const PARAM_LINE = /^--\s*@param\s+\$(\d+)\s+([a-z][a-z0-9_]*)\s+(text\[\]|text|int|numeric|bool)(?:\s*=\s*(NULL|true|false|-?\d+(?:\.\d+)?|'(?:[^']|'')*'))?\s*(?::\s*(.*))?$/;

/**
 * The parameters of a SQL file, from its header lines
 * `-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)` (no `= default`: required).
 */
export function sqlParams(text: string): SqlParam[] {
  const params: SqlParam[] = [];
  for (const line of text.split('\n')) {
    const m = line.trim().match(PARAM_LINE);
    if (!m) continue;
    params.push({ index: Number(m[1]), name: m[2]!, type: m[3] as SqlParamType, ...(m[4] !== undefined ? { default: m[4] } : {}), doc: m[5] ?? '' });
  }
  return params.sort((a, b) => a.index - b.index);
}

/** A value given on the command line, as the typed value the app would bind. */
function typedValue(p: SqlParam, raw: string): unknown {
  switch (p.type) {
    case 'int':
    case 'numeric': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (p.type === 'int' && !Number.isInteger(n))) throw new Error(`Parameter ${p.name} ($${p.index}) takes ${p.type === 'int' ? 'a whole number' : 'a number'}, got "${raw}".`);
      return n;
    }
    case 'bool':
      if (!/^(true|false)$/.test(raw)) throw new Error(`Parameter ${p.name} ($${p.index}) takes true or false, got "${raw}".`);
      return raw === 'true';
    case 'text[]':
      return raw === '' ? [] : raw.split(',');
    default:
      return raw;
  }
}

/**
 * resources/sql/<name>.sql with its parameters inlined, runnable as is in psql. `values` are by parameter
 * name (text[] values comma-separated); a parameter not given takes its header default.
 */
export function printableSql(name: string, values: Record<string, string> = {}): string {
  if (!/^[a-z0-9_/-]+$/.test(name) || !existsSync(resourcePath('sql', `${name}.sql`))) throw new Error(`There is no resources/sql/${name}.sql.`);
  const text = loadSql(name);
  const params = sqlParams(text);
  const unknown = Object.keys(values).filter((k) => !params.some((p) => p.name === k));
  if (unknown.length) throw new Error(`${name}.sql has no parameter ${unknown.join(', ')}; it takes ${params.map((p) => p.name).join(', ') || 'none'}.`);
  const literals = new Map<number, string>();
  for (const p of params) {
    const raw = values[p.name];
    if (raw !== undefined) literals.set(p.index, sqlLiteral(typedValue(p, raw)));
    else if (p.default !== undefined) literals.set(p.index, p.default);
    else throw new Error(`${name}.sql needs --param ${p.name}=… (${p.doc || p.type}).`);
  }
  return replacePlaceholders(text, (n) => {
    const literal = literals.get(n);
    if (literal === undefined) throw new Error(`${name}.sql uses $${n} but its header declares no "-- @param $${n} …" line.`);
    return literal;
  });
}
