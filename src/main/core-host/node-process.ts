import { fork } from 'node:child_process';
import type { HostProcess } from './client';

/**
 * The core host as a Node child (child_process.fork, IPC): how tests run the same entry Electron
 * runs as a utility process. `execArgv` e.g. ['--import', 'tsx'] to run it from the sources.
 */
export function forkNodeHost(entry: string, args: string[], options: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): HostProcess {
  // 'advanced' is structured clone, as Electron's MessagePort uses.
  const child = fork(entry, args, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options });
  let gone = false;
  const exitListeners: ((how: string) => void)[] = [];
  const ended = (how: string) => {
    if (gone) return;
    gone = true;
    for (const l of exitListeners) l(how);
  };
  child.once('exit', (code, signal) => ended(signal ? `signal ${signal}` : `exit code ${code}`));
  // A failed spawn (or a send on a closed channel) arrives here; treat it as the process being gone.
  child.on('error', (err) => ended(`error: ${err.message}`));
  return {
    send: (message) => {
      if (!gone && child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => exitListeners.push(listener),
    kill: () => child.kill('SIGKILL'),
  };
}
