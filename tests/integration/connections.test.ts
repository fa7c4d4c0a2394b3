import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { connectionsHandlers } from '../../src/main/handlers/connections';
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

  it('tests settings before they are saved, and stores nothing', async () => {
    const before = (await app.connections.list()).profiles.length;
    const ok = await app.connections.testDraft({ name: 'draft', environment: 'staging', url: inject('pgUrl'), sslmode: 'disable' });
    expect(ok).toMatchObject({ ok: true, ssl: false, passwordSource: 'session' });
    expect(ok.serverVersion).toMatch(/^15/);
    const u = new URL(inject('pgUrl'));
    // What the form gets (through the handler): the reason and a hint, as an answer rather than an error.
    const refused = await connectionsHandlers['connections.testDraft']({ name: 'draft', environment: 'staging', host: u.hostname, port: 1, database: 'x', user: 'x', sslmode: 'disable', savePassword: false }, app);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unreachable', hint: expect.stringMatching(/Nothing is listening/) } });
    expect((await app.connections.list()).profiles.length).toBe(before);
  });

  it('testing an edit of a saved profile without a typed password uses the profile\'s own password', async () => {
    const { profile } = await app.connections.save({ name: 'edit-me', environment: 'staging', url: inject('pgUrl'), sslmode: 'disable', activate: false });
    const u = new URL(inject('pgUrl'));
    const edit = { id: profile.id, name: 'edit-me', environment: 'staging' as const, host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), user: u.username, sslmode: 'disable' as const };
    expect(await app.connections.testDraft(edit)).toMatchObject({ ok: true, passwordSource: 'session' });
    // A password in the edited URL wins over the saved one, and never comes back in the answer.
    const wrong = new URL(inject('pgUrl'));
    wrong.password = 'not-the-password';
    const r = await connectionsHandlers['connections.testDraft']({ id: profile.id, name: 'edit-me', environment: 'staging', url: wrong.toString(), savePassword: false }, app);
    expect(r).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(JSON.stringify(r)).not.toContain('not-the-password');
    await app.connections.remove(profile.id);
  });

  it('saving with activate: false keeps the active connection; activate: true switches to the new one', async () => {
    const { activeId } = await app.connections.list();
    const { profile: kept } = await app.connections.save({ name: 'not-yet', environment: 'development', host: '127.0.0.1', port: 1, activate: false });
    expect((await app.connections.list()).activeId).toBe(activeId);
    const { profile: now } = await app.connections.save({ name: 'tested', environment: 'development', url: inject('pgUrl'), sslmode: 'disable', activate: true });
    expect((await app.connections.list()).activeId).toBe(now.id);
    await app.connections.activate(activeId!);
    await app.connections.remove(kept.id);
    await app.connections.remove(now.id);
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
    const q = db.query('SELECT pg_sleep(20) AS pfo_cancel_marker', [], { signal: controller.signal });
    q.catch(() => {});
    const running = () => db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%AS pfo\\_cancel\\_marker'");
    // Abort once the server runs it (not after a guessed delay), then the server no longer does.
    while ((await running()).rows[0]!.n === 0);
    controller.abort();
    await expect(q).rejects.toThrow(/Cancelled/);
    expect((await running()).rows[0]!.n).toBe(0);
  });
});
