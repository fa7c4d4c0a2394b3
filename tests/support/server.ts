/**
 * Browser mode in-process, as `serve` runs it: an App with one saved connection behind the real server
 * (src/main/server.ts) on a free loopback port, a stub renderer, and a logged-in session cookie.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';
import { startServer, type RunningServer } from '../../src/main/server';
import { rawRequest } from './http';

export interface BrowserServer {
  app: App;
  server: RunningServer;
  /** Temporary: `home` (the app's data) and `renderer`; the caller removes it. */
  dataDir: string;
  cookie: string;
}

/** `url` is saved as the one connection (sslmode=disable added); `prefix` names the temporary folder. */
export async function startBrowserServer(url: string, token: string, prefix: string): Promise<BrowserServer> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const renderer = join(dataDir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>console</title>');
  const app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: join(dataDir, 'home') });
  await app.connections.save({ name: 'test cluster', environment: 'development', url: url + (url.includes('?') ? '&' : '?') + 'sslmode=disable' });
  const server = await startServer({ app, rendererDir: renderer, log: silentLogger, port: 0, token });
  const login = await rawRequest(server.port, { path: `/?token=${token}`, headers: { host: `127.0.0.1:${server.port}` } });
  return { app, server, dataDir, cookie: String(login.headers['set-cookie']).split(';')[0]! };
}
