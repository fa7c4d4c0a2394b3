import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandSql, loadSql, printableSql } from '../../src/main/core/db/sql';
import { SIDE_SCHEMA_RE } from '../../src/main/core/backup/naming';
import { CHECKS } from '../../src/main/core/tenants/checks';
import { resourcePath } from '../../src/main/core/util/paths';

const root = resourcePath('sql');
const names = (readdirSync(root, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.replace(/\\/g, '/').replace(/\.sql$/, ''))
  .sort();

describe('SQL includes', () => {
  it('loads every resources/sql file with its includes expanded and no directive left', () => {
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      const sql = loadSql(name);
      expect(sql, name).not.toMatch(/^[ \t]*--[ \t]*@include/m);
    }
  });

  it('writes the tenant-scope CTE once and puts it into every tenant check', () => {
    const scope = readFileSync(join(root, 'include', 'tenant_scope.sql'), 'utf8').trim();
    const raw = names.filter((n) => !n.startsWith('include/')).map((n) => readFileSync(join(root, `${n}.sql`), 'utf8'));
    // Its condition stands nowhere else.
    expect(raw.filter((text) => text.includes('CASE WHEN $2::text[] IS NULL THEN n.nspname LIKE $1::text'))).toHaveLength(0);
    for (const file of ['tenants_list', ...CHECKS.map((c) => c.file)]) {
      const sql = loadSql(file);
      expect(sql, file).toContain(scope);
      // The include comes first in the WITH list: its $1..$3 are the pattern, list and template of every check.
      expect(sql.indexOf(scope), file).toBeLessThan(sql.indexOf('SELECT', sql.indexOf(scope) + scope.length));
    }
    expect(loadSql('tenants_shape')).toMatch(/^WITH\n-- from resources\/sql\/include\/tenant_scope\.sql:\n/m);
  });

  it('prints a query for psql (sql print) with its includes expanded and every parameter inlined', () => {
    const text = printableSql('tenants_shape', { tenants: 'org_a,org_b' });
    expect(text).toContain("WHEN ARRAY['org_a', 'org_b']::text[]::text[] IS NULL THEN n.nspname LIKE 'org_%'::text");
    expect(text).toContain('voters AS (');
    expect(text.replace(/--.*$/gm, '')).not.toMatch(/\$\d/);
  });

  it('uses the side-schema rule of naming.ts wherever a query leaves restored copies out', () => {
    const all = names.map((n) => loadSql(n)).join('\n');
    const used = new Set([...all.matchAll(/!~ '([^']*(?:restored|replaced)[^']*)'/g)].map((m) => m[1]));
    expect([...used]).toEqual([SIDE_SCHEMA_RE.source]);
  });

  it('expands nested includes and rejects a missing include, a cycle and a name that could leave resources/sql', () => {
    const files: Record<string, string> = {
      q: 'WITH\n  -- @include a\nSELECT 1',
      'include/a': 'a AS (\n-- @include b\n)\n',
      'include/b': 'SELECT $1\n',
      loop: '-- @include loop1',
      'include/loop1': '-- @include loop2',
      'include/loop2': '-- @include loop1',
      gap: '-- @include nowhere',
    };
    const read = (name: string): string => {
      const text = files[name];
      if (text === undefined) throw Object.assign(new Error(`ENOENT ${name}`), { code: 'ENOENT' });
      return text;
    };
    expect(expandSql('q', read)).toBe('WITH\n-- from resources/sql/include/a.sql:\na AS (\n-- from resources/sql/include/b.sql:\nSELECT $1\n)\nSELECT 1');
    expect(() => expandSql('loop', read)).toThrow('SQL include cycle: loop -> include/loop1 -> include/loop2 -> include/loop1');
    expect(() => expandSql('gap', read)).toThrow('resources/sql/gap.sql includes nowhere, but resources/sql/include/nowhere.sql does not exist');
    expect(() => expandSql('../secret', read)).toThrow(/Bad SQL resource name/);
    files.up = '-- @include ../../x';
    expect(() => expandSql('up', read)).toThrow(/Bad SQL resource name: include\/\.\.\/\.\.\/x/);
  });
});
