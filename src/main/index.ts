import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { app as electronApp, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import type { Cipher } from './core/connections/vault';
import { stderrLogger } from './core/util/log';
import { rendererDir } from './build';
import { CoreHost } from './core-host/client';
import { coreHostLaunch } from './core-host/launch';
import { forkUtilityHost } from './core-host/utility-process';
import { APP_ORIGIN, APP_SCHEME, RENDERER_CSP, secureWindowOptions } from './window-options';

// The Electron shell: the window, the app:// protocol and the IPC sender checks. The core (the same App
// the browser mode and the CLI use) runs in a utility process (core-host.ts), so a crash there never
// takes the window down; calls and events are relayed.

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2' };

/**
 * safeStorage, refusing to persist on Linux's plaintext 'basic_text' backend. It exists only in the main
 * process, so the core host's vault asks for it over the channel; the vault's file stays with the core.
 */
const safeStorageCipher: Cipher = {
  async refusal() {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) return 'The operating system offers no encryption for saved passwords; the password is kept for this session only.';
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'No keyring is running (Electron would store the password in plain text); the password is kept for this session only.';
    }
    return undefined;
  },
  async encrypt(plain: string) {
    return (await safeStorage.encryptStringAsync(plain)).toString('base64');
  },
  async decrypt(cipherText: string) {
    return (await safeStorage.decryptStringAsync(Buffer.from(cipherText, 'base64'))).result;
  },
};

async function main(): Promise<void> {
  await electronApp.whenReady();
  const dataDir = process.env.PODCASTFLOW_OPS_HOME ?? electronApp.getPath('userData');
  const mainDir = dirname(fileURLToPath(import.meta.url));
  const core = new CoreHost({ spawn: () => forkUtilityHost(coreHostLaunch(mainDir, dataDir)), cipher: safeStorageCipher, log: stderrLogger });
  core.start();

  // Serve the built renderer from app://console/ instead of file://.
  const root = rendererDir();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    const path = join(root, rel || 'index.html');
    if (!path.startsWith(root + sep) && path !== root) return new Response('Forbidden', { status: 403 });
    try {
      const body = await readFile(path);
      return new Response(body, { headers: { 'Content-Type': MIME[extname(path)] ?? 'application/octet-stream', 'Content-Security-Policy': RENDERER_CSP } });
    } catch {
      return net.fetch(`${APP_ORIGIN}/index.html`);
    }
  });

  const win = new BrowserWindow(secureWindowOptions(fileURLToPath(new URL('../preload/index.cjs', import.meta.url))));
  const trusted = (frameUrl: string | undefined) => Boolean(frameUrl?.startsWith(`${APP_ORIGIN}/`));

  // IPC: one channel for calls, sender checked; events forwarded to the window.
  ipcMain.handle('rpc', async (event, method: unknown, input: unknown) => {
    if (event.sender !== win.webContents || !trusted(event.senderFrame?.url)) {
      return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the console window.' } };
    }
    return core.call(typeof method === 'string' ? method : '', input);
  });
  core.on('event', (name, payload) => {
    if (!win.isDestroyed()) win.webContents.send('event', name, payload);
  });
  // Crashes are restarted by CoreHost; after too many in a row it stays down and the user decides.
  core.on('state', (s) => {
    if (s.state !== 'down' || win.isDestroyed()) return;
    void dialog
      .showMessageBox(win, { type: 'error', message: 'The PodcastFlow Ops core stopped.', detail: `${s.error.message}\n\n${s.error.hint ?? ''}`, buttons: ['Restart the core', 'Quit'], defaultId: 0, cancelId: 1 })
      .then(({ response }) => (response === 0 ? core.restart() : electronApp.quit()));
  });

  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  await win.loadURL(`${APP_ORIGIN}/index.html`);

  electronApp.on('window-all-closed', () => {
    void core.close().finally(() => electronApp.quit());
  });
}

main().catch((err: unknown) => {
  stderrLogger(`PodcastFlow Ops failed to start: ${String(err)}`);
  electronApp.exit(1);
});
