/**
 * The core host's side of the channel: build the App, answer contract calls through `invoke`, forward
 * every App event, and ask the shell for the vault's cipher. Runs the same under Electron's
 * utilityProcess (process.parentPort) and Node's child_process.fork (process.send).
 */
import { events, type EventName } from '../../shared/contract';
import { invoke } from '../api';
import type { App } from '../app';
import type { Cipher } from '../core/connections/vault';
import { OpsError, toWireError } from '../core/util/errors';
import type { Logger } from '../core/util/log';
import { ToHost, type CipherOp, type FromHost } from './protocol';

export interface HostChannel {
  send(message: FromHost): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The shell went away (Node: IPC disconnect). */
  onClose(listener: () => void): void;
}

/** Electron utility process: the MessagePort Electron gives the child. */
export function parentPortChannel(port: Electron.ParentPort): HostChannel {
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => port.on('message', (e) => listener(e.data)),
    // Electron ends a utility process with its parent; there is no close event to wait for.
    onClose: () => {},
  };
}

/** Node child_process.fork (tests): the IPC channel. */
export function nodeIpcChannel(proc: NodeJS.Process): HostChannel {
  return {
    send: (message) => {
      if (proc.connected) proc.send?.(message);
    },
    onMessage: (listener) => proc.on('message', listener),
    onClose: (listener) => proc.once('disconnect', listener),
  };
}

/** How long a keychain operation may take; macOS may show a prompt, so this is generous. */
const CIPHER_DEADLINE_MS = 120_000;

/** The vault's cipher, answered by the shell over the channel. */
class RelayedCipher implements Cipher {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: string | undefined) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly channel: HostChannel) {}

  private ask(op: CipherOp, arg?: string): Promise<string | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new OpsError('vault_timeout', 'The operating system keychain did not answer in time.', 'Unlock the keychain and try again.'));
      }, CIPHER_DEADLINE_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.channel.send({ type: 'cipher', id, op, ...(arg !== undefined ? { arg } : {}) });
    });
  }

  settle(reply: { id: number; value?: string; error?: string }): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.error !== undefined) p.reject(new OpsError('vault_failed', reply.error, 'The operating system keychain refused; the password is not saved.'));
    else p.resolve(reply.value);
  }

  refusal = () => this.ask('refusal');
  encrypt = async (plain: string) => (await this.ask('encrypt', plain)) ?? '';
  decrypt = async (cipherText: string) => (await this.ask('decrypt', cipherText)) ?? '';
}

/**
 * Serve the contract over `channel` until the shell asks to close (or goes away); then close the App
 * and call `exit`. A startup failure is reported as `failed`, and the shell ends the process.
 */
export function serveCore(channel: HostChannel, createApp: (cipher: Cipher) => App, log: Logger, exit: () => void): void {
  const cipher = new RelayedCipher(channel);
  const started = (async () => {
    const app = createApp(cipher);
    await app.startup();
    return app;
  })();

  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void started
      .then((app) => app.close())
      .catch((err: unknown) => log(`Closing the core failed: ${String(err)}`))
      .finally(exit);
  };

  channel.onMessage((raw) => {
    const parsed = ToHost.safeParse(raw);
    if (!parsed.success) {
      log(`Core host: ignored a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'cipher-reply') cipher.settle(msg);
    else if (msg.type === 'close') close();
    else {
      void started
        .then(
          (app) => invoke(app, msg.method, msg.input),
          (err: unknown) => ({ ok: false as const, error: toWireError(err) }),
        )
        .then((result) => channel.send({ type: 'result', id: msg.id, result }));
    }
  });
  channel.onClose(close);

  started.then(
    (app) => {
      for (const name of Object.keys(events) as EventName[]) {
        app.events.on(name, (payload: unknown) => channel.send({ type: 'event', event: name, payload }));
      }
      channel.send({ type: 'ready' });
    },
    (err: unknown) => {
      const error = toWireError(err);
      log(`The core failed to start: ${error.message}`);
      // The shell ends this process when it reads the reason; exiting here could drop the message.
      channel.send({ type: 'failed', error });
    },
  );
}
