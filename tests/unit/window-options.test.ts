import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, secureWindowOptions } from '../../src/main/window-options';

describe('BrowserWindow security options (DESIGN §2)', () => {
  const prefs = secureWindowOptions('/x/preload.cjs').webPreferences!;
  it('sandboxes the renderer and isolates the context', () => {
    expect(prefs.sandbox).toBe(true);
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/x/preload.cjs');
  });
  it('has a strict CSP: scripts only from the app itself', () => {
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).toContain("object-src 'none'");
    expect(RENDERER_CSP).not.toContain('unsafe-eval');
  });
});
