import { expect, test } from '@playwright/test';
import { BackupsPage } from './pages/backups';

// A small tenant of the demo (docs/demo-problems.md), restored beside itself and dropped again.
const TENANT = 'org_noble_wolf_labs';

test('backups: a key generated with its warning, an all-tenants backup in the catalog, verified restorable, a restore dialog that says what it does', async ({ page }) => {
  test.setTimeout(240_000);
  const backups = await new BackupsPage(page).open();
  await backups.ensureKey();

  await page.getByRole('button', { name: 'Back up all tenants' }).click();
  await expect(backups.catalog).toContainText('all-tenants', { timeout: 180_000 });
  await expect(backups.catalog).toContainText('20 tenants');

  await backups.catalog.getByRole('button', { name: 'Verify' }).first().click();
  await expect(backups.catalog).toContainText('verified restorable', { timeout: 180_000 });

  await backups.catalog.getByRole('button', { name: 'Restore…' }).first().click();
  const dialog = backups.restoreDialog;
  await expect(dialog.getByRole('button', { name: 'Restore' })).toBeDisabled(); // which tenant?
  await dialog.getByLabel(/Tenant to restore/).fill('org_x');
  await expect(dialog).toContainText('beside the live one. The live schema is not touched.');
  await dialog.getByText('replace the live tenant').click();
  await expect(dialog).toContainText('safety backup');
  await expect(dialog.getByRole('button', { name: 'Restore' })).toBeDisabled(); // not confirmed
  await page.screenshot({ path: 'test-results/screens/backups-restore.png', fullPage: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('backups: a tenant restored beside the live one is listed under Restored copies and dropped from there', async ({ page }) => {
  test.setTimeout(240_000);
  const backups = await new BackupsPage(page).open();
  await backups.ensureKey();
  await backups.loaded();
  // The all-tenants backup of the test before, or a new one when this test runs alone.
  if ((await backups.entries('all-tenants').count()) === 0) {
    await page.getByRole('button', { name: 'Back up all tenants' }).click();
    await expect(backups.entries('all-tenants')).not.toHaveCount(0, { timeout: 180_000 });
  }
  await expect(backups.copy(`${TENANT}__restored_`)).toHaveCount(0);

  await backups.entries('all-tenants').first().getByRole('button', { name: 'Restore…' }).click();
  const dialog = backups.restoreDialog;
  await dialog.getByLabel(/Tenant to restore/).fill(TENANT);
  await expect(dialog.getByLabel('beside the live tenant')).toBeChecked();
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog).toHaveCount(0);

  // The restore task ends; the copy is listed as the live tenant's, restored beside it, from this backup.
  const copy = backups.copy(`${TENANT}__restored_`);
  await expect(copy).toHaveCount(1, { timeout: 180_000 });
  await expect(copy).toContainText(`${TENANT} restored beside it`);
  await expect(copy).toContainText('all-tenants');
  await page.screenshot({ path: 'test-results/screens/backups-restored-copy.png', fullPage: true });

  await copy.getByRole('button', { name: 'Drop…' }).click();
  await expect(backups.dropDialog).toContainText(`The live tenant ${TENANT} is not touched.`);
  await backups.dropDialog.getByRole('button', { name: 'Drop' }).click();
  await expect(backups.dropDialog).toHaveCount(0);
  await expect(copy).toHaveCount(0);
});
