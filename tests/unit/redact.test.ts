import { describe, expect, it } from 'vitest';
import { OpsError, toWireError } from '../../src/main/core/util/errors';
import { redact, registerSecret } from '../../src/main/core/util/redact';

describe('redact', () => {
  it('masks passwords in URLs, keyword strings and PGPASSWORD', () => {
    expect(redact('connect postgres://ops:s3cr%40t@db:5432/x failed')).toBe('connect postgres://ops:***@db:5432/x failed');
    expect(redact('host=db password=abc123 user=x')).toBe('host=db password=*** user=x');
    expect(redact('PGPASSWORD=abc123 pg_dump')).toBe('PGPASSWORD=*** pg_dump');
  });
  it('masks registered secrets wherever they appear', () => {
    registerSecret('correct-horse-battery');
    expect(redact('auth failed for correct-horse-battery!')).toBe('auth failed for ***!');
  });
});

describe('toWireError', () => {
  it('keeps code, message and hint of an OpsError, without a stack', () => {
    const w = toWireError(new OpsError('tool_failed', 'msg', 'do this'));
    expect(w).toEqual({ code: 'tool_failed', message: 'msg', hint: 'do this' });
  });
  it('translates Postgres and socket errors into a next step', () => {
    expect(toWireError(Object.assign(new Error('password authentication failed'), { code: '28P01' })).code).toBe('auth_failed');
    expect(toWireError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).hint).toMatch(/Nothing is listening/);
  });
  it('never passes a password through', () => {
    const w = toWireError(new Error('could not connect to postgres://u:topsecret@h/db'));
    expect(w.message).not.toContain('topsecret');
  });
});

describe('redact, SQL statements', () => {
  it('masks the literal of PASSWORD in CREATE/ALTER ROLE, quoted or dollar-quoted', () => {
    expect(redact(`ALTER ROLE app PASSWORD 'it''s-secret' VALID UNTIL 'infinity'`)).toBe(`ALTER ROLE app PASSWORD '***' VALID UNTIL 'infinity'`);
    expect(redact(`create role x login password $q$hunter2$q$;`)).toBe(`create role x login password '***';`);
    expect(redact(`ALTER ROLE app PASSWORD E'a\\'b'`)).not.toContain('a\\');
  });
});
