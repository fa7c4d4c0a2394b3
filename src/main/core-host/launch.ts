import { join } from 'node:path';
import type { ForkOptions } from 'electron';

/** The name electron.vite.config.ts gives the core-host bundle (out/main/core-host.js). */
export const CORE_HOST_BUNDLE = 'core-host';

/** The core host's command line: the one argument both launchers pass. */
export function coreHostArgs(dataDir: string): string[] {
  return ['--data-dir', dataDir];
}

/**
 * How the Electron main process starts the core host with utilityProcess.fork; pinned by a unit test.
 * `mainDir` is the directory of the built main bundle (out/main).
 */
export function coreHostLaunch(mainDir: string, dataDir: string): { modulePath: string; args: string[]; options: ForkOptions } {
  return {
    modulePath: join(mainDir, `${CORE_HOST_BUNDLE}.js`),
    args: coreHostArgs(dataDir),
    options: {
      // Shown in the OS task manager and in app.getAppMetrics().
      serviceName: 'PodcastFlow Ops core',
      // The core logs to stderr (always redacted); it lands where the shell's log does.
      stdio: 'inherit',
      // No debugger or other flags inherited from the shell's command line.
      execArgv: [],
    },
  };
}
