import { readFileSync } from 'node:fs';
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
