import { expect, test } from '@playwright/test';

function url(): string {
  const u = process.env.PFO_E2E_URL;
  if (!u) throw new Error('PFO_E2E_URL is not set: the global setup did not start the server.');
  return u;
}

test('backups: a key generated with its warning, an all-tenants backup in the catalog, verified restorable, a restore dialog that says what it does', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(url());
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Backups', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Backups' })).toBeVisible();

  const keyBox = page.getByRole('region', { name: 'Backup key' });
  const keyLine = page.getByText(/Key k_[0-9a-f]{16}/);
  await expect(keyBox.or(keyLine)).toBeVisible({ timeout: 60_000 });
  if (await keyBox.isVisible()) {
    await page.getByRole('button', { name: 'Generate a key' }).click();
    await expect(keyBox).toContainText('Without it the backups are unreadable');
    await expect(page.getByRole('button', { name: 'Done' })).toBeDisabled();
    await page.getByLabel('I have stored the key safely').check();
    await page.getByRole('button', { name: 'Done' }).click();
  }
  await expect(keyLine).toBeVisible();

  await page.getByRole('button', { name: 'Back up all tenants' }).click();
  const catalog = page.getByRole('region', { name: 'Catalog' });
  await expect(catalog).toContainText('all-tenants', { timeout: 180_000 });
  await expect(catalog).toContainText('20 tenants');

  await catalog.getByRole('button', { name: 'Verify' }).first().click();
  await expect(catalog).toContainText('verified restorable', { timeout: 180_000 });

  await catalog.getByRole('button', { name: 'Restore…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Restore' });
  await expect(dialog.getByRole('button', { name: 'Restore' })).toBeDisabled(); // which tenant?
  await dialog.getByLabel(/Tenant to restore/).fill('org_x');
  await expect(dialog).toContainText('beside the live one. The live schema is not touched.');
  await dialog.getByText('replace the live tenant').click();
  await expect(dialog).toContainText('safety backup');
  await expect(dialog.getByRole('button', { name: 'Restore' })).toBeDisabled(); // not confirmed
  await page.screenshot({ path: 'test-results/screens/backups-restore.png', fullPage: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});
