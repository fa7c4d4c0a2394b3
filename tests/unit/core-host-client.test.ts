/**
 * CoreHost's bookkeeping with in-memory processes (the real fork is in tests/integration/core-host.test.ts):
 * calls wait for `ready`, malformed messages are dropped, and the crash window counts only recent crashes.
 */
import { describe, expect, it } from 'vitest';
import type { Cipher } from '../../src/main/core/connections/vault';
import { CoreHost, type HostProcess } from '../../src/main/core-host/client';
import type { ToHost } from '../../src/main/core-host/protocol';

class FakeProcess implements HostProcess {
  sent: ToHost[] = [];
  private onMsg: ((m: unknown) => void)[] = [];
  private onEnd: ((how: string) => void)[] = [];
  send(message: ToHost) {
    this.sent.push(message);
  }
  onMessage(l: (m: unknown) => void) {
    this.onMsg.push(l);
  }
  onExit(l: (how: string) => void) {
    this.onEnd.push(l);
  }
  kill() {
    this.exit('signal SIGKILL');
  }
  emit(message: unknown) {
    for (const l of this.onMsg) l(message);
  }
  exit(how = 'exit code 1') {
    for (const l of this.onEnd.splice(0)) l(how);
  }
}

const cipher: Cipher = { refusal: async () => undefined, encrypt: async (p) => p, decrypt: async (c) => c };

function host(opts: { now?: () => number; maxCrashes?: number } = {}) {
  const procs: FakeProcess[] = [];
  const logs: string[] = [];
  const core = new CoreHost({
    spawn: () => {
      const p = new FakeProcess();
      procs.push(p);
      return p;
    },
    cipher,
    log: (m) => logs.push(m),
    crashWindowMs: 60_000,
    ...opts,
  });
  core.start();
  return { core, procs, logs };
}

describe('CoreHost', () => {
  it('holds calls until the host is ready, then answers each by id', async () => {
    const { core, procs } = host();
    const answer = core.call('app.info', {});
    expect(procs[0]!.sent).toEqual([]);
    procs[0]!.emit({ type: 'ready' });
    expect(procs[0]!.sent).toEqual([{ type: 'call', id: 0, method: 'app.info', input: {} }]);
    procs[0]!.emit({ type: 'result', id: 0, result: { ok: true, result: 42 } });
    expect(await answer).toEqual({ ok: true, result: 42 });
  });

  it('drops malformed messages, unknown events and invalid event payloads, and says so in the log', () => {
    const { core, procs, logs } = host();
    const relayed: string[] = [];
    core.on('event', (name) => relayed.push(name));
    procs[0]!.emit({ type: 'result', id: 'x' });
    procs[0]!.emit({ type: 'event', event: 'nope.nothing', payload: {} });
    procs[0]!.emit({ type: 'event', event: 'task.updated', payload: { id: 1 } });
    expect(relayed).toEqual([]);
    expect(logs).toHaveLength(3);
  });

  it('answers the host’s cipher requests, including a failing one', async () => {
    const failing: Cipher = { ...cipher, encrypt: async () => Promise.reject(new Error('locked')) };
    const p = new FakeProcess();
    const core = new CoreHost({ spawn: () => p, cipher: failing, log: () => {} });
    core.start();
    p.emit({ type: 'cipher', id: 7, op: 'decrypt', arg: 'abc' });
    p.emit({ type: 'cipher', id: 8, op: 'encrypt', arg: 'pw' });
    await new Promise((r) => setImmediate(r));
    expect(p.sent).toEqual([
      { type: 'cipher-reply', id: 7, value: 'abc' },
      { type: 'cipher-reply', id: 8, error: 'locked' },
    ]);
  });

  it('restarts after crashes spread out in time, and stays down after too many close together', () => {
    let t = 0;
    const { core, procs } = host({ now: () => t, maxCrashes: 2 });
    for (let i = 0; i < 5; i++) {
      t += 61_000;
      procs.at(-1)!.exit();
    }
    expect(procs).toHaveLength(6);
    expect(core.state.state).toBe('starting');
    t += 61_000;
    for (let i = 0; i < 3; i++) procs.at(-1)!.exit();
    expect(procs).toHaveLength(8);
    expect(core.state).toMatchObject({ state: 'down', error: { code: 'core_unavailable' } });
    core.restart();
    expect(procs).toHaveLength(9);
  });
});
