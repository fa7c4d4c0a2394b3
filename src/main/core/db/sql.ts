import { readFileSync } from 'node:fs';
import { resourcePath } from '../util/paths';

const cache = new Map<string, string>();

const NAME = /^[a-z0-9_/-]+$/;

/**
 * A line `-- @include NAME` stands for the text of resources/sql/include/NAME.sql (a fragment such as the
 * tenant-scope CTE, written once). It is a comment, not psql's `\ir`: psql runs an included file as its own
 * statements, so a fragment (a CTE in the middle of a WITH list) cannot be `\ir`-ed; and the queries use
 * $1-style parameters, which psql cannot bind anyway. `podcastflow-ops sql print` prints the expanded,
 * runnable text.
 */
const INCLUDE = /^[ \t]*--[ \t]*@include[ \t]+(\S+)[ \t]*$/gm;

/** The text of resources/sql/<name>.sql, includes expanded: every query the console runs lives there. */
export function loadSql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = expandSql(name);
    cache.set(name, text);
  }
  return text;
}

const readResource = (name: string): string => readFileSync(resourcePath('sql', `${name}.sql`), 'utf8');

/**
 * resources/sql/<name>.sql with every `-- @include X` line replaced by include/X.sql (recursively; a cycle
 * or a missing file is an error naming the file that asked for it). Parameters ($1…) keep their positions:
 * an include uses the same numbering as the files that include it. `read` is for tests.
 */
export function expandSql(name: string, read: (name: string) => string = readResource, seen: readonly string[] = []): string {
  if (!NAME.test(name)) throw new Error(`Bad SQL resource name: ${name}`);
  if (seen.includes(name)) throw new Error(`SQL include cycle: ${[...seen, name].join(' -> ')}`);
  return read(name).replace(INCLUDE, (_line, include: string) => {
    const included = `include/${include}`;
    let body: string;
    try {
      body = expandSql(included, read, [...seen, name]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`resources/sql/${name}.sql includes ${include}, but resources/sql/${included}.sql does not exist`, { cause: err });
      throw err;
    }
    return `-- from resources/sql/${included}.sql:\n${body.replace(/\n$/, '')}`;
  });
}
