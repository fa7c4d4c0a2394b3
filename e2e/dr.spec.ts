import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { removeServeData, startServe } from './global-setup';
import { BackupsPage } from './pages/backups';
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
  if (dataDir) removeServeData(dataDir);
});

test('scenarios show their readiness; a deletion run starts and its first checklist step is walked with the keyboard', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Restore points first: a key and a backup of every tenant.
  const backups = await new BackupsPage(page).open({ url: server.url, tenants: TENANTS });
  await backups.ensureKey();
  await page.getByRole('button', { name: 'Back up all tenants' }).click();
  await expect(backups.entries('all-tenants')).toHaveCount(1, { timeout: 120_000 });

  const dr = await new DrPage(page).go();
  // All five runbooks with their targets. RPO now counts verified backups only: the fresh, unverified one
  // leaves every tenant without, so each would miss (listed when expanded); a breach has no RPO target.
  for (const id of ['corruption', 'deletion', 'system-failure', 'ransomware', 'breach']) await expect(dr.scenario(id)).toBeVisible();
  await expect(dr.scenario('deletion')).toContainText('none verified / 1d 0h');
  await expect(dr.scenario('deletion')).toContainText('RPO misses');
  await dr.scenario('deletion').getByRole('button', { name: `${TENANTS} tenants` }).click();
  const missing = dr.scenario('deletion').getByRole('table', { name: 'Tenants that would miss' });
  await expect(missing.getByRole('row').filter({ hasText: TENANT })).toContainText('RPO');
  await expect(dr.scenario('breach')).toContainText('RPO no target');
  // A breach's RTO ends at containment (rtoEndsAfter): the steps up to it fit its 30 min target.
  await expect(dr.scenario('breach')).toContainText('RTO meets');
  await page.screenshot({ path: 'test-results/screens/dr-scenarios.png' });

  await dr.start('deletion', 'Accidental data deletion', [TENANT]);
  // The clocks: the seed's 2 h target, an elapsed time that ticks, and no restore point yet.
  await expect(dr.clock('RTO target')).toHaveText('2h 0m');
  await expect(dr.clock('RPO achieved / target')).toHaveText('– / 1d 0h');
  const first = await dr.clock('Elapsed').textContent();
  await expect(dr.clock('Elapsed')).not.toHaveText(first ?? '', { timeout: 5_000 });

  // The first step is current and has the focus: its why and what to look for are shown.
  await expect(dr.step(/^1\. Establish the incident time and the scope\s*: not started/)).toHaveAttribute('aria-current', 'step');
  await expect(dr.panel.getByRole('heading', { name: 'Establish the incident time and the scope' })).toBeFocused();
  await expect(dr.panel).toContainText('newest restore point before the incident');
  await page.screenshot({ path: 'test-results/screens/dr-run-first-step.png' });

  // A checklist needs an act (here Enter in its note) and keeps the note.
  await page.keyboard.press('Tab');
  await expect(dr.panel.getByLabel(/^Note/)).toBeFocused();
  await page.keyboard.type('DELETE at 09:41 in the app log, tenant polar beacon');
  await page.keyboard.press('Enter');
  await expect(dr.step(/^1\. Establish the incident time and the scope\s*: done/)).toBeVisible();
  await expect(dr.panel.getByRole('heading', { name: 'End the sessions of the role that did it' })).toBeFocused();
  await expect(dr.journal).toContainText('DELETE at 09:41 in the app log, tenant polar beacon');
  await page.screenshot({ path: 'test-results/screens/dr-run-second-step.png' });

  // The run is listed as open, and its scenario's row now opens it instead of starting another.
  await page.getByRole('link', { name: '← All scenarios and runs' }).click();
  await expect(page.getByRole('table', { name: 'Runs' }).getByRole('row').nth(1)).toContainText('open');
  await expect(dr.scenario('deletion').getByRole('link', { name: 'Open run' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a deletion drill runs from the page, shows its progress, and lands in the history with its measured RTO', async ({ page }) => {
  test.setTimeout(240_000);
  const dr = await new DrPage(page).open({ url: server.url, tenants: TENANTS });
  await dr.drills.getByLabel('Drill scenario').selectOption('deletion');
  // The drill deletes rows of two unreferenced tables in a scratch copy: the largest tenant has them.
  await dr.drills.getByLabel('Drill tenant').fill(TENANT);
  await dr.drills.getByRole('button', { name: 'Run drill' }).click();
  await expect(dr.drills.getByRole('button', { name: 'Drill running…' })).toBeDisabled();
  await expect(dr.drills.getByRole('button', { name: 'Cancel drill' })).toBeVisible();
  await expect(dr.drills.getByRole('button', { name: 'Run drill' })).toBeEnabled({ timeout: 180_000 });
  // Ended without a failure to show.
  expect(await dr.drills.getByRole('alert').allTextContents()).toEqual([]);
  const history = dr.drills.getByRole('table', { name: 'Drill history' });
  await expect(history.getByRole('row')).toHaveCount(2);
  await expect(history.getByRole('row').nth(1)).toContainText('succeeded');
  await expect(history.getByRole('row').nth(1)).toContainText('/ 2h 0m');
  await expect(dr.drills.getByLabel('Measured RTO against the target')).toBeVisible();
  await dr.drills.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/dr-drill.png' });
});

test('a breach run shows the GDPR 72 h notification clock beside its RTO to containment', async ({ page }) => {
  test.setTimeout(120_000);
  const dr = await new DrPage(page).open({ url: server.url, tenants: TENANTS });
  await dr.scenario('breach').getByRole('button', { name: 'Start Data breach' }).click();
  const dialog = dr.startDialog('Data breach');
  await dialog.getByPlaceholder('app_writer').fill('podcastflow_readonly');
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/dr\/run\/[A-Za-z0-9_-]+$/);
  // 72 h from awareness (the run's start: no detection time was given): 2 days 23 h and some minutes left.
  await expect(dr.clocks.getByRole('group', { name: 'Notify by (GDPR 72 h)' })).toContainText('2d 23h left');
  await expect(dr.clocks.getByRole('group', { name: 'RTO to Lock the compromised role (elapsed)' })).toBeVisible();
});
