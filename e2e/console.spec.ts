import { expect, test, type Page } from '@playwright/test';
import { appUrl, Section, type SectionName } from './pages/app';
import { OverviewPage } from './pages/overview';
import { SettingsPage } from './pages/settings';

const SECTIONS: SectionName[] = ['Overview', 'Health', 'Tenants', 'Backups', 'Secrets', 'Disaster Recovery', 'Reports', 'Settings'];

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

test('the console shows live numbers from the demo database and every section opens cleanly', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(appUrl());
  // The token was traded for a cookie and removed from the address bar.
  await expect(page).not.toHaveURL(/token=/);
  const overview = new OverviewPage(page);
  await expect(overview.fact('Tenants')).toHaveText('20', { timeout: 180_000 });
  await expect(overview.fact('PostgreSQL')).toHaveText(/^15\.\d+/);
  await expect(overview.fact('Database size')).toHaveText(/\d+(\.\d)? (kB|MB|GB)/);
  await page.screenshot({ path: 'test-results/screens/overview.png', fullPage: true });

  for (const name of SECTIONS) {
    await new Section(page, name).go();
    await page.screenshot({ path: `test-results/screens/${name.toLowerCase().replace(/\s+/g, '-')}.png`, fullPage: true });
  }
  expect(errors).toEqual([]);
});

test('settings: a connection can be added, tested and deleted, and production asks for the database name', async ({ page }) => {
  const settings = await new SettingsPage(page).open();
  await settings.addConnection({ name: 'Nowhere prod', environment: 'production', url: 'postgres://ops:hunter2@127.0.0.1:1/podcastflow?sslmode=disable' });
  const row = settings.connection('Nowhere prod');
  await expect(row).toBeVisible();
  // The password never comes back to the page.
  expect(await page.content()).not.toContain('hunter2');
  await row.getByRole('button', { name: 'Test' }).click();
  await expect(row).toContainText('Nothing is listening');
  await row.getByRole('button', { name: 'Delete' }).click();
  const dialog = settings.deleteDialog;
  await expect(dialog.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await dialog.getByRole('textbox').fill('podcastflow');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
});
