import { describe, expect, it } from 'vitest';
import { clientConfig, describeTarget, parseUrl } from '../../src/main/core/db/connection';
import { parseSecretString } from '../../src/main/core/secrets/credentials';

describe('parseUrl', () => {
  it('splits a libpq URL into target and password', () => {
    const { target, password } = parseUrl('postgres://ops:p%40ss@db.example.com:6432/podcastflow?sslmode=require');
    expect(target).toMatchObject({ host: 'db.example.com', port: 6432, database: 'podcastflow', user: 'ops', sslmode: 'require' });
    expect(password).toBe('p@ss');
    expect(describeTarget(target)).not.toContain('p@ss');
  });
  it('rejects what is not a postgres URL, and unknown sslmodes, with a hint', () => {
    expect(() => parseUrl('mysql://x@y/z')).toThrow(/postgres:\/\//);
    expect(() => parseUrl('postgres://x@y/z?sslmode=maybe')).toThrow(/sslmode/);
  });
});

describe('parseSecretString (the RDS shape)', () => {
  const rds = (extra: Record<string, unknown>) => JSON.stringify({ engine: 'postgres', host: 'db', username: 'ops', password: 'pw', dbname: 'app', ...extra });
  it('takes a known sslmode from the secret, and the fallback when it names none', () => {
    expect(parseSecretString(rds({ sslmode: 'verify-full' })).target.sslmode).toBe('verify-full');
    expect(parseSecretString(rds({}), 'require').target.sslmode).toBe('require');
  });
  it('refuses an sslmode libpq does not know instead of passing it on', () => {
    expect(() => parseSecretString(rds({ sslmode: 'sometimes' }))).toThrow(expect.objectContaining({ code: 'secret_format', hint: expect.stringMatching(/verify-full/) }));
  });
});

describe('clientConfig', () => {
  const t = { host: 'h', port: 5432, database: 'd', user: 'u', sslmode: 'disable' as const };
  it('sets application_name, timeouts, and read-only for monitoring', () => {
    const c = clientConfig(t, { source: 'none' }, 'monitor');
    expect(c.application_name).toBe('podcastflow-ops');
    expect(c.options).toContain('statement_timeout=30000');
    expect(c.options).toContain('lock_timeout=');
    expect(c.options).toContain('idle_in_transaction_session_timeout=');
    expect(c.options).toContain('default_transaction_read_only=on');
    expect(clientConfig(t, { source: 'none' }, 'admin').options).not.toContain('read_only');
  });
});
