import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

// The same console through Electron, wherever its binary exists; reported skipped elsewhere.
const electronDir = join(process.cwd(), 'node_modules', 'electron');
const pathFile = join(electronDir, 'path.txt');
const binary = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined;

test('Electron window opens the console with the security settings in force', async () => {
  test.skip(!binary || !existsSync(binary), 'The Electron binary is not installed on this machine (it cannot be downloaded here).');
  const app = await electron.launch({ executablePath: binary!, args: ['.'], env: { ...process.env, PODCASTFLOW_OPS_HOME: mkdtempSync(join(tmpdir(), 'pfo-electron-')) } });
  const window = await app.firstWindow();
  await expect(window.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  expect(await window.evaluate(() => (globalThis as unknown as { location: { protocol: string } }).location.protocol)).toBe('app:');
  await app.close();
});
