import { expect, test, type Page } from '@playwright/test';

const SECTIONS = ['Overview', 'Health', 'Tenants', 'Backups', 'Secrets', 'Disaster Recovery', 'Reports', 'Settings'];

function url(): string {
  const u = process.env.PFO_E2E_URL;
  if (!u) throw new Error('PFO_E2E_URL is not set: the global setup did not start the server.');
  return u;
}

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
  await page.goto(url());
  // The token was traded for a cookie and removed from the address bar.
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.locator('.fact', { hasText: 'Tenants' }).locator('.fact-value')).toHaveText('20', { timeout: 180_000 });
  await expect(page.locator('.fact', { hasText: 'PostgreSQL' }).locator('.fact-value')).toHaveText(/^15\.\d+/);
  await expect(page.locator('.fact', { hasText: 'Database size' }).locator('.fact-value')).toHaveText(/\d+(\.\d)? (kB|MB|GB)/);
  await page.screenshot({ path: 'test-results/screens/overview.png', fullPage: true });

  for (const name of SECTIONS) {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await page.screenshot({ path: `test-results/screens/${name.toLowerCase().replace(/\s+/g, '-')}.png`, fullPage: true });
  }
  expect(errors).toEqual([]);
});

test('settings: a connection can be added, tested and deleted, and production asks for the database name', async ({ page }) => {
  await page.goto(url());
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Add connection' }).click();
  const form = page.getByRole('form', { name: 'Connection' });
  await form.getByLabel('Name').fill('Nowhere prod');
  await form.getByLabel('Environment').selectOption('production');
  await form.getByRole('textbox', { name: 'URL' }).fill('postgres://ops:hunter2@127.0.0.1:1/podcastflow?sslmode=disable');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  const row = page.getByRole('row', { name: /Nowhere prod/ });
  await expect(row).toBeVisible();
  // The password never comes back to the page.
  expect(await page.content()).not.toContain('hunter2');
  await row.getByRole('button', { name: 'Test' }).click();
  await expect(row).toContainText('Nothing is listening');
  await row.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete connection' });
  await expect(dialog.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await dialog.getByRole('textbox').fill('podcastflow');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
});
