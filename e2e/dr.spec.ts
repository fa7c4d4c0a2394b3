import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startServe } from './global-setup';
import { DrPage } from './pages/dr';

/*
 * The Disaster Recovery page (issue 11 item 7) on a server of its own: a run opened here is the only
 * open run of its scenario, whatever the other specs do on the shared server.
 */
test.describe.configure({ mode: 'serial' });

const TENANTS = 5;
/** The demo's first tenant (tenantSlug(1)): the largest, as seeded. */
const TENANT = 'org_polar_beacon_podcasts';
let dataDir: string;
let server: Awaited<ReturnType<typeof startServe>>;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dataDir = mkdtempSync(join(tmpdir(), 'pfo-e2e-dr-'));
  server = await startServe(dataDir, TENANTS);
});

test.afterAll(async () => {
  await server?.stop();
  if (!dataDir) return;
  const meta = join(dataDir, 'demo', 'demo.json');
  const cluster = existsSync(meta) ? (JSON.parse(readFileSync(meta, 'utf8')) as { clusterDir?: string }).clusterDir : undefined;
  if (cluster && !cluster.startsWith(dataDir)) rmSync(cluster, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

test('scenarios show their readiness; a deletion run starts and its first checklist step is walked with the keyboard', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const dr = await new DrPage(page).open({ url: server.url, tenants: TENANTS });

  // All five runbooks, each with its targets; nothing is backed up on a fresh demo, so the RPO is missed.
  for (const id of ['corruption', 'deletion', 'system-failure', 'ransomware', 'breach']) await expect(dr.scenario(id)).toBeVisible();
  await expect(dr.scenario('deletion')).toContainText('/ 1d 0h');
  await expect(dr.scenario('deletion')).toContainText(/RPO misses/);
  await expect(dr.scenario('breach')).toContainText('no target');
  await page.screenshot({ path: 'test-results/screens/dr-scenarios.png' });

  await dr.start('deletion', 'Accidental data deletion', [TENANT]);
  // The clocks: the seed's 2 h target, an elapsed time that ticks, and no restore point yet.
  await expect(dr.clock('RTO target')).toHaveText('2h 0m');
  await expect(dr.clock('RPO achieved / target')).toHaveText('– / 1d 0h');
  const first = await dr.clock('Elapsed').textContent();
  await expect(dr.clock('Elapsed')).not.toHaveText(first ?? '', { timeout: 5_000 });

  // The first step is current and has the focus: its why and what to look for are shown.
  await expect(dr.step(/^1\. Establish the incident time and the scope: not started/)).toHaveAttribute('aria-current', 'step');
  await expect(dr.panel.getByRole('heading', { name: 'Establish the incident time and the scope' })).toBeFocused();
  await expect(dr.panel).toContainText('newest restore point before the incident');
  await page.screenshot({ path: 'test-results/screens/dr-run-first-step.png' });

  // A checklist needs a click (here Enter in its note) and keeps the note.
  await page.keyboard.press('Tab');
  await expect(dr.panel.getByLabel(/^Note/)).toBeFocused();
  await page.keyboard.type('DELETE at 09:41 in the app log, tenant polar beacon');
  await page.keyboard.press('Enter');
  await expect(dr.step(/1\. Establish the incident time and the scope: done/)).toBeVisible();
  await expect(dr.panel.getByRole('heading', { name: 'End the sessions of the role that did it' })).toBeFocused();
  await expect(dr.journal).toContainText('DELETE at 09:41 in the app log, tenant polar beacon');
  await page.screenshot({ path: 'test-results/screens/dr-run-second-step.png' });

  // The run is listed as open, and its scenario's row now opens it instead of starting another.
  await page.getByRole('link', { name: '← All scenarios and runs' }).click();
  await expect(page.getByRole('table', { name: 'Runs' })).toContainText('open');
  await expect(dr.scenario('deletion').getByRole('link', { name: 'Open run' })).toBeVisible();
  expect(errors).toEqual([]);
});
