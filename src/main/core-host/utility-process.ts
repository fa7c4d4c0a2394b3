import { utilityProcess } from 'electron';
import type { HostProcess } from './client';
import type { coreHostLaunch } from './launch';

/** The core host as an Electron utility process, talking over its MessagePort (process.parentPort). */
export function forkUtilityHost(launch: ReturnType<typeof coreHostLaunch>): HostProcess {
  const child = utilityProcess.fork(launch.modulePath, launch.args, launch.options);
  let gone = false;
  child.once('exit', () => (gone = true));
  return {
    send: (message) => {
      if (!gone) child.postMessage(message);
    },
    onMessage: (listener) => child.on('message', listener),
    // Electron reports a crash as a non-zero code; it does not expose the signal.
    onExit: (listener) => child.once('exit', (code) => listener(`exit code ${code}`)),
    kill: () => void child.kill(),
  };
}
