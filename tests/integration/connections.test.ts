import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';

let app: App;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pfo-conn-'));
  app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: dir });
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('connection profiles', () => {
  it('tests a working connection and reports where the password came from', async () => {
    const { profile, note } = await app.connections.save({ name: 'cluster', environment: 'staging', url: inject('pgUrl'), sslmode: 'disable', savePassword: true });
    expect(note).toMatch(/session only/);
    expect(profile.passwordSource).toBe('session');
    const r = await app.connections.test(profile.id);
    expect(r.ok).toBe(true);
    expect(r.serverVersion).toMatch(/^15/);
  });

  it('sslmode=prefer falls back to a plain connection when the server has no SSL, as libpq does', async () => {
    const { profile } = await app.connections.save({ name: 'prefer', environment: 'development', url: inject('pgUrl'), sslmode: 'prefer' });
    const r = await app.connections.test(profile.id);
    expect(r).toMatchObject({ ok: true, ssl: false });
    const { profile: strict } = await app.connections.save({ name: 'require', environment: 'development', url: inject('pgUrl'), sslmode: 'require' });
    await expect(app.connections.test(strict.id)).rejects.toThrow(/SSL/);
    await app.connections.activate((await app.connections.list()).profiles[0]!.id);
  });

  it('monitoring sessions are read-only and identify themselves', async () => {
    const { db } = await app.connections.database();
    const r = await db.query<{ ro: string; app: string; st: string }>("SELECT current_setting('default_transaction_read_only') ro, current_setting('application_name') app, current_setting('statement_timeout') st");
    expect(r.rows[0]).toEqual({ ro: 'on', app: 'podcastflow-ops', st: '30s' });
    await expect(db.query('CREATE TABLE public.should_not_exist (x int)')).rejects.toThrow(/read-only/);
  });

  it('a wrong password fails with a hint and no password in the message', async () => {
    const url = new URL(inject('pgUrl'));
    url.password = 'definitely-wrong-pw';
    const { profile } = await app.connections.save({ name: 'wrong', environment: 'development', url: url.toString(), sslmode: 'disable' });
    await expect(app.connections.test(profile.id)).rejects.toMatchObject({ code: '28P01' });
  });

  it('deleting a production profile needs the database name typed back', async () => {
    const { profile } = await app.connections.save({ name: 'prod', environment: 'production', host: '127.0.0.1', port: 1, database: 'podcastflow', user: 'ops' });
    await expect(app.connections.remove(profile.id)).rejects.toThrow(/type the database name/);
    await expect(app.connections.remove(profile.id, 'wrong')).rejects.toThrow(/type the database name/);
    expect(await app.connections.remove(profile.id, 'podcastflow')).toBe(true);
  });

  it('a statement is cancelled on the server when its signal aborts', async () => {
    const { db } = await app.connections.database();
    const controller = new AbortController();
    const q = db.query('SELECT pg_sleep(20)', [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(q).rejects.toThrow(/Cancelled/);
  });
});
