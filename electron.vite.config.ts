import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build for the three sides. The renderer output (out/renderer) is served both by
// Electron's app:// protocol and by browser mode's HTTP server.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      // The shell (index) and the core it runs in a utility process (core-host, see src/main/core-host/launch.ts).
      rollupOptions: { input: { index: resolve(__dirname, 'src/main/index.ts'), 'core-host': resolve(__dirname, 'src/main/core-host.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      // Sandboxed preload scripts must be CommonJS.
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      // Loaded from disk or loopback, never over a slow network: one bundle is fine.
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
