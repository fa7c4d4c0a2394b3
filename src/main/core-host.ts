/**
 * The core host: the App (pools, embedded Postgres, backups' hashing and encryption) in its own process,
 * so a crash in the core never takes the window down. Electron starts it with utilityProcess.fork
 * (src/main/core-host/launch.ts); tests start the same file with child_process.fork.
 *
 *   core-host.js --data-dir DIR
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from './app';
import { EncryptedFileVault } from './core/connections/vault';
import { stderrLogger } from './core/util/log';
import { appHome } from './core/util/paths';
import { nodeIpcChannel, parentPortChannel, serveCore, type HostChannel } from './core-host/serve';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, strict: true });
// In a utility process Electron sets process.parentPort; under child_process.fork Node sets process.send.
const port = (process as { parentPort?: Electron.ParentPort }).parentPort;
const channel: HostChannel | undefined = port ? parentPortChannel(port) : process.send ? nodeIpcChannel(process) : undefined;

if (!channel) {
  stderrLogger('The core host is started by the desktop app, not by hand (it needs a channel to its parent).');
  process.exit(2);
} else {
  const home = appHome(values['data-dir']);
  serveCore(
    channel,
    (cipher) => new App({ host: 'electron', dataDir: home, vault: new EncryptedFileVault(join(home, 'passwords.json'), cipher), log: stderrLogger }),
    stderrLogger,
    () => process.exit(0),
  );
}
