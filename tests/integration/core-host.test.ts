/**
 * The core host (src/main/core-host.ts) forked the way tests can fork it (child_process.fork through
 * tsx) and driven only through its message protocol, as the Electron shell drives it over a MessagePort:
 * health to a result, a backup with progress events and its final status, a cancel, the vault's cipher
 * answered by the parent, and crashes that fail pending calls and running tasks with core_unavailable
 * while the parent starts a new host.
 */
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Input, Method, Output } from '../../src/shared/contract';
import type { Task } from '../../src/shared/domain/tasks';
import type { RpcResult } from '../../src/main/api';
import { App } from '../../src/main/app';
import { EncryptedFileVault, type Cipher } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';
import { CoreHost, type CoreState, type HostProcess } from '../../src/main/core-host/client';
import { coreHostArgs } from '../../src/main/core-host/launch';
import { forkNodeHost } from '../../src/main/core-host/node-process';
import { withClient } from '../support/db';

const entry = fileURLToPath(new URL('../../src/main/core-host.ts', import.meta.url));
const crashHook = pathToFileURL(fileURLToPath(new URL('../support/core-host-crash.ts', import.meta.url))).href;

// A stand-in for safeStorage, which exists only in Electron's main process: reversible, and marked so
// the file can be told apart from plain text. `gate` holds decrypts back while a test needs them pending.
const MARK = 'test-cipher:';
const cipherCalls = { refusal: 0, encrypt: 0, decrypt: 0 };
let gate: Promise<void> | undefined;
let failEncrypt = false;
const testCipher: Cipher = {
  refusal: async () => {
    cipherCalls.refusal++;
    return undefined;
  },
  encrypt: async (plain) => {
    cipherCalls.encrypt++;
    if (failEncrypt) throw new Error('The keychain is locked (test).');
    return MARK + Buffer.from(plain).toString('base64');
  },
  decrypt: async (text) => {
    cipherCalls.decrypt++;
    await gate;
    return Buffer.from(text.slice(MARK.length), 'base64').toString();
  },
};

let work: string;
let home: string;
let password: string;
let pgUrl: string;
let core: CoreHost;
const spawned: HostProcess[] = [];
const seen: Task[] = [];

async function ok<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  const r = await core.call(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.result as Output<M>;
}

/** The task's final event (succeeded, failed or cancelled), whether it already arrived or not. */
function settled(id: string): Promise<Task> {
  return new Promise((resolve) => {
    const check = () => {
      const t = seen.find((x) => x.id === id && x.status !== 'running' && x.status !== 'queued');
      if (!t) return;
      core.off('event', check);
      resolve(t);
    };
    core.on('event', check);
    check();
  });
}

async function state(want: CoreState['state']): Promise<CoreState> {
  for (;;) {
    if (core.state.state === want) return core.state;
    await once(core, 'state');
  }
}

/** Make the current host throw, then send `method`: the host dies before it reads the call. */
function crashDuring(method: Method): Promise<RpcResult> {
  spawned.at(-1)!.send({ type: 'test-crash' } as never);
  return core.call(method, {});
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pfo-core-host-'));
  home = join(work, 'home');
  const url = new URL(inject('pgUrl'));
  password = decodeURIComponent(url.password);
  url.searchParams.set('sslmode', 'disable');
  pgUrl = url.toString();
  // A connection with a saved password before the host starts (with none it would start the demo
  // database); saved through the same cipher the parent answers with.
  const seedApp = new App({ host: 'electron', dataDir: home, vault: new EncryptedFileVault(join(home, 'passwords.json'), testCipher), log: silentLogger });
  const { profile } = await seedApp.connections.save({ name: 'test cluster', environment: 'development', url: pgUrl, savePassword: true });
  expect(profile.passwordSource).toBe('stored');
  await seedApp.close();
  cipherCalls.decrypt = 0;

  core = new CoreHost({
    spawn: () => {
      const proc = forkNodeHost(entry, coreHostArgs(home), { execArgv: ['--import', 'tsx', '--import', crashHook] });
      spawned.push(proc);
      return proc;
    },
    cipher: testCipher,
    log: silentLogger,
    maxCrashes: 2,
    // Every crash counts as "in a row", however slow the machine.
    now: () => 0,
  });
  core.on('event', (name, payload) => {
    if (name === 'task.updated') seen.push(payload as Task);
  });
  core.start();
});

afterAll(async () => {
  await core?.close();
  await rm(work, { recursive: true, force: true });
});

describe('the core host over child_process.fork', () => {
  it('answers app.info as the Electron core, asking the parent for the keychain', async () => {
    const info = await ok('app.info', {});
    expect(info.host).toBe('electron');
    expect(info.dataDir).toBe(home);
    expect(info.passwordStorage.canPersist).toBe(true);
    expect(cipherCalls.refusal).toBeGreaterThan(0);
    const file = await readFile(join(home, 'passwords.json'), 'utf8');
    expect(file).toContain(MARK);
    expect(file).not.toContain(password);
  });

  it('answers a call it cannot send, and a call it does not know, without losing the host', async () => {
    expect(await core.call('app.info', { f: () => 1 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await core.call('nope.nothing', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect((await ok('app.info', {})).host).toBe('electron');
  });

  it('saves a password through the contract, encrypted by the parent; a keychain failure fails only that call', async () => {
    const p = (await ok('connections.list', {})).profiles.find((x) => !x.isDemo)!;
    const input = { id: p.id, name: p.name, environment: p.environment, url: pgUrl, savePassword: true };
    const before = (await readFile(join(home, 'passwords.json'), 'utf8')) + (await readFile(join(home, 'settings.json'), 'utf8'));
    failEncrypt = true;
    try {
      const refused = await core.call('connections.save', input);
      expect(refused).toMatchObject({ ok: false, error: { code: 'vault_failed', message: 'The keychain is locked (test).' } });
    } finally {
      failEncrypt = false;
    }
    expect((await readFile(join(home, 'passwords.json'), 'utf8')) + (await readFile(join(home, 'settings.json'), 'utf8'))).toBe(before);

    const encrypts = cipherCalls.encrypt;
    const saved = await ok('connections.save', input);
    expect(saved.profile.passwordSource).toBe('stored');
    expect(cipherCalls.encrypt).toBe(encrypts + 1);
    const file = await readFile(join(home, 'passwords.json'), 'utf8');
    expect(file).toContain(MARK);
    expect(file).not.toContain(password);
  });

  it('runs health to a result: the stored password decrypted by the parent, events relayed', async () => {
    const { taskId } = await ok('health.run', {});
    const task = await settled(taskId);
    expect(task.status).toBe('succeeded');
    expect(task.kind).toBe('health.run');
    expect(cipherCalls.decrypt).toBeGreaterThan(0);
    const { summary } = await ok('health.summary', {});
    expect(summary?.checks).toHaveLength(19);
    expect(summary?.database.serverVersion).toMatch(/^15\./);
    // Task events arrive with progress in checks, never going backwards.
    const events = seen.filter((t) => t.id === taskId);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((t) => t.progress.unit === 'checks')).toBe(true);
    expect(events.map((t) => t.progress.done)).toEqual([...events.map((t) => t.progress.done)].sort((a, b) => a - b));
    expect(events.at(-1)!.progress).toMatchObject({ done: 19, total: 19 });
  });

  it('backs up a tenant with a key generated through the contract: progress in bytes, then succeeded', async () => {
    const tenant = await withClient(inject('pgUrl'), async (c) => (await c.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'org\\_%' ORDER BY 1 LIMIT 1")).rows[0]!.n);
    const { keyId } = await ok('backups.generateKey', {});
    const dest = join(work, 'backups');
    const settings = await ok('backups.configure', { destination: dest });
    expect(settings.key).toMatchObject({ configured: true, keyId });

    const { taskId } = await ok('backups.run', { scope: 'tenant', tenant });
    const task = await settled(taskId);
    expect(task.status).toBe('succeeded');
    expect(task.log.some((l) => l.includes('.manifest.json'))).toBe(true);
    const events = seen.filter((t) => t.id === taskId);
    expect(events[0]).toMatchObject({ status: 'running', progress: { done: 0, unit: 'bytes' } });
    const dones = events.map((t) => t.progress.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(task.progress.total).toBeGreaterThan(0);
    expect(task.progress.done).toBe(task.progress.total);

    const list = await ok('backups.list', {});
    expect(list.total).toBe(1);
    expect(list.entries[0]).toMatchObject({ tenant, keyId });
    const files = await readdir(dest);
    expect(files.some((f) => f.endsWith('.dump.enc'))).toBe(true);
  });

  it('cancels a running backup: the task ends cancelled and nothing new is listed', async () => {
    const { taskId } = await ok('backups.run', { scope: 'full' });
    expect(await ok('tasks.cancel', { id: taskId })).toEqual({ cancelled: true });
    const task = await settled(taskId);
    expect(task.status).toBe('cancelled');
    expect(task.error?.code).toBe('cancelled');
    expect((await ok('backups.list', {})).total).toBe(1);
  });

  it('survives a crash: the pending call gets core_unavailable and a new host answers', async () => {
    const before = spawned.length;
    const pending = await crashDuring('tasks.list');
    expect(pending).toMatchObject({ ok: false, error: { code: 'core_unavailable' } });
    if (pending.ok) return;
    expect(pending.error.message).toMatch(/stopped unexpectedly \(exit code 1\) while answering tasks\.list/);
    expect(pending.error.hint).toBeTruthy();
    await state('ready');
    expect(spawned.length).toBe(before + 1);
    expect((await ok('app.info', {})).host).toBe('electron');
    // What the core keeps on disk is there for the new host.
    expect((await ok('health.summary', {})).summary?.checks).toHaveLength(19);
  });

  it('fails a task that was running when the host died, stays down after too many crashes, and restarts on demand', async () => {
    // Hold back decrypts: the next host cannot open its pool, so its health task stays running.
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    expect(await crashDuring('app.info')).toMatchObject({ ok: false, error: { code: 'core_unavailable' } });
    await state('ready');
    const { taskId } = await ok('health.run', {});
    expect(seen.filter((t) => t.id === taskId).at(-1)?.status).toBe('running');

    // The third crash (maxCrashes 2): the running task fails for the renderer and the host stays down.
    expect(await crashDuring('tasks.list')).toMatchObject({ ok: false, error: { code: 'core_unavailable' } });
    const task = await settled(taskId);
    expect(task).toMatchObject({ status: 'failed', error: { code: 'core_unavailable' } });
    const down = await state('down');
    expect(down).toMatchObject({ error: { code: 'core_unavailable', message: expect.stringMatching(/3 times in a row/) } });
    const spawnedWhileDown = spawned.length;
    expect(await core.call('app.info', {})).toMatchObject({ ok: false, error: { code: 'core_unavailable' } });
    expect(spawned.length).toBe(spawnedWhileDown);

    release();
    gate = undefined;
    core.restart();
    await state('ready');
    const again = await ok('health.run', {});
    expect((await settled(again.taskId)).status).toBe('succeeded');
  });
});

describe('a core host that cannot start', () => {
  it('stays down with the reason and does not restart in a loop', async () => {
    const notADir = join(work, 'a-file');
    await writeFile(notADir, 'not a directory');
    let spawns = 0;
    const broken = new CoreHost({
      spawn: () => {
        spawns++;
        return forkNodeHost(entry, coreHostArgs(join(notADir, 'home')), { execArgv: ['--import', 'tsx'] });
      },
      cipher: testCipher,
      log: silentLogger,
    });
    broken.start();
    // Sent before the host is ready: it waits, then gets the host's own reason.
    const early = await broken.call('app.info', {});
    expect(early).toMatchObject({ ok: false, error: { code: 'core_unavailable', message: expect.stringMatching(/could not start: .*(ENOTDIR|not a directory)/) } });
    expect(broken.state.state).toBe('down');
    expect(await broken.call('app.info', {})).toEqual(early);
    expect(spawns).toBe(1);
    await broken.close();
  });
});
