import { describe, expect, it } from 'vitest';
import config from '../../electron.vite.config';
import { CORE_HOST_BUNDLE, coreHostLaunch } from '../../src/main/core-host/launch';

describe('the core host utility process (Electron wiring)', () => {
  const launch = coreHostLaunch('/opt/pfo/out/main', '/home/ops/.config/PodcastFlow Ops');

  it('runs the core-host bundle beside the main bundle, with the data dir as its one argument', () => {
    expect(launch.modulePath).toBe('/opt/pfo/out/main/core-host.js');
    expect(launch.args).toEqual(['--data-dir', '/home/ops/.config/PodcastFlow Ops']);
  });

  it('is named, logs where the shell logs, and inherits no flags from the shell', () => {
    expect(launch.options.serviceName).toBe('PodcastFlow Ops core');
    expect(launch.options.stdio).toBe('inherit');
    expect(launch.options.execArgv).toEqual([]);
  });

  it('is built: electron.vite.config.ts has a main input of that name from src/main/core-host.ts', () => {
    const input = (config.main?.build?.rollupOptions?.input ?? {}) as Record<string, string>;
    expect(input[CORE_HOST_BUNDLE]).toMatch(/src\/main\/core-host\.ts$/);
    expect(input.index).toMatch(/src\/main\/index\.ts$/);
  });
});
