/** Shell text and identifier limits: quoting that bash reads back exactly, names cut in UTF-8 bytes. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkIdentifier, cutToBytes, isSideSchemaName, parseSideSchemaName, restoredDatabaseName, sideSchemaName, utf8Bytes } from '../../src/main/core/backup/naming';
import { cronLineFor, type Settings } from '../../src/main/core/backup/service';
import { shellComment, shellQuote } from '../../src/main/core/util/shell';

const NASTY = ["org_x'$(touch /tmp/pwned)\n rm -rf /", 'a"b`c`$HOME\\', "'", '', 'tab\there', '100%_done %s', 'línea\r\nnueva'];
const at = new Date('2026-11-25T09:05:00Z');

/** What bash makes of `words`: each argument, NUL-separated. */
function bashArgs(words: string): string[] {
  return execFileSync('bash', ['-c', `printf '%s\\0' ${words}`]).toString('utf8').split('\0').slice(0, -1);
}

describe('shell text', () => {
  it('shellQuote: bash reads every value back byte for byte and runs nothing', () => {
    expect(bashArgs(NASTY.map(shellQuote).join(' '))).toEqual(NASTY);
  });

  it('shellComment keeps every line of a value inside the comment', () => {
    const script = `${shellComment(`tenant ${shellQuote(NASTY[0]!)}\rand\r\nmore`)}\necho done`;
    expect(execFileSync('bash', ['-c', script]).toString()).toBe('done\n');
    expect(script.split('\n').slice(0, -1).every((l) => l.startsWith('#'))).toBe(true);
  });

  it('the cron line quotes every argument and escapes %, so cron and sh pass the values through unchanged', () => {
    const s = { s3: {}, retention: {}, schedule: { enabled: true, everyHours: 6, kind: 'all-tenants' }, key: { kind: 'file', path: "/keys/it's 100%.key" } } as Settings;
    const db = "postgres://ops@db:5432/pf%25o'x?sslmode=require";
    const line = cronLineFor(s, db, '/backups/$(reboot)', 'org\\_%');
    const command = line.split(' ').slice(5).join(' ');
    expect(line.startsWith('0 */6 * * * ')).toBe(true);
    expect(/(^|[^\\])%/.test(command)).toBe(false); // no % that cron would turn into a newline
    // cron: \% -> %; then sh parses the words.
    const words = command.replace(/\\%/g, '%').replace(/^podcastflow-ops /, '').replace(/ >> backup\.log 2>&1$/, '');
    expect(bashArgs(words)).toEqual(['backup', '--db', db, '--all-tenants', '--pattern', 'org\\_%', '--dest', '/backups/$(reboot)', '--key-file', "/keys/it's 100%.key", '--json']);
  });
});

describe('identifiers in UTF-8 bytes', () => {
  const suffix = '__restored_20261125_0905';

  it('keeps a name that fits, cuts a multibyte one on a character boundary with a hash', () => {
    const fits = 'org_' + 'ü'.repeat(17); // 38 bytes + 24 = 62
    expect(sideSchemaName(fits, at)).toBe(fits + suffix);
    for (const ch of ['é', '€', '😀', 'a']) {
      const t = 'org_' + ch.repeat(40);
      const side = sideSchemaName(t, at);
      expect(utf8Bytes(side)).toBeLessThanOrEqual(63);
      expect(utf8Bytes(side)).toBeGreaterThan(63 - utf8Bytes(ch) - 1);
      expect(side.endsWith(suffix)).toBe(true);
      expect(Buffer.from(side, 'utf8').toString('utf8')).toBe(side); // no half character
      expect(side).not.toContain('\uFFFD');
      expect(isSideSchemaName(side)).toBe(true);
    }
  });

  it('two long tenants sharing a prefix get distinct side schemas; the 63-byte boundary is exact', () => {
    const a = 'org_' + 'é'.repeat(30) + 'a';
    const b = 'org_' + 'é'.repeat(30) + 'b';
    expect(sideSchemaName(a, at)).not.toBe(sideSchemaName(b, at));
    expect(sideSchemaName(a, at, 'replaced')).toMatch(/__replaced_20261125_0905$/);
    const exact = 'org_' + 'ü'.repeat(17) + 'x'; // 39 + 24 = 63: kept as is
    expect(sideSchemaName(exact, at)).toBe(exact + suffix);
    expect(sideSchemaName(exact + 'y', at)).not.toBe(exact + 'y' + suffix);
    expect(utf8Bytes(restoredDatabaseName('пф_' + 'д'.repeat(40), at))).toBeLessThanOrEqual(63);
    expect(restoredDatabaseName('podcastflow', at)).toBe('podcastflow_restored_20261125_0905');
  });

  it('checks operator-given names in bytes, not characters', () => {
    expect(() => checkIdentifier('é'.repeat(31) + 'a', 'schema')).not.toThrow(); // 63 bytes
    expect(() => checkIdentifier('é'.repeat(32), 'schema')).toThrow(/64 bytes/); // 32 characters
    expect(() => checkIdentifier('', 'schema')).toThrow(/empty/);
    expect(cutToBytes('a😀b', 4)).toBe('a');
  });

  it('recognises side schemas, and only them', () => {
    expect(parseSideSchemaName('org_acme__restored_20261125_0905')).toEqual({ kind: 'restored', tenantPrefix: 'org_acme', at: '2026-11-25T09:05:00Z' });
    expect(isSideSchemaName('org_acme__replaced_20261125_0905')).toBe(true);
    expect(isSideSchemaName('org_acme')).toBe(false);
    expect(isSideSchemaName('org_acme__restored_x')).toBe(true); // as the SQL's rule: never a tenant
    expect(parseSideSchemaName('org_acme__restored_x')).toBeUndefined();
  });
});
