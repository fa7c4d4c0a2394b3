import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';
import { createScratchDatabase, type ScratchDatabaseOptions, type ScratchDatabase } from './db';

export interface TestApp {
  app: App;
  scratch: ScratchDatabase;
  /** The app data directory. */
  home: string;
  close(): Promise<void>;
}

/** An App (browser host) over its own data directory, with one saved connection to a fresh scratch database. */
export async function startTestApp(db: ScratchDatabaseOptions): Promise<TestApp> {
  const scratch = await createScratchDatabase(db);
  const dir = mkdtempSync(join(tmpdir(), 'pfo-test-app-'));
  const home = join(dir, 'home');
  const app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: home });
  await app.connections.save({ name: 'scratch', environment: 'development', url: scratch.url, sslmode: 'disable', savePassword: false });
  return {
    app,
    scratch,
    home,
    close: async () => {
      await app.close();
      await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
