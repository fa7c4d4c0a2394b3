import { expect, test } from '@playwright/test';

function url(): string {
  const u = process.env.PFO_E2E_URL;
  if (!u) throw new Error('PFO_E2E_URL is not set: the global setup did not start the server.');
  return u;
}

test('tenants: verification fills the heatmap and the table, and a tenant shows its violations and fix SQL', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url());
  await expect(page.locator('.fact', { hasText: 'Tenants' }).locator('.fact-value')).toHaveText('20', { timeout: 180_000 });
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tenants', exact: true }).click();
  await page.getByRole('button', { name: /Verify/ }).click();
  await expect(page.getByTestId('tenant-heatmap')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('img', { name: /Heatmap of 20 tenants/ })).toBeVisible();
  // The demo's planted shared table without RLS is listed with its fix.
  await expect(page.locator('.card', { hasText: 'Shared schemas' })).toContainText('public.usage_events');

  // Sorted by violations: the first row is a tenant with some; its detail lists them with fix SQL.
  const first = page.getByTestId('tenant-rows').getByRole('row').first();
  await expect(first.locator('.badge')).toBeVisible();
  await first.click();
  const detail = page.getByTestId('tenant-detail');
  await expect(detail.locator('.violation').first()).toBeVisible();
  await expect(detail.locator('.fix-sql').first()).toContainText(/ALTER|CREATE|REVOKE|REINDEX/);

  // Search narrows the virtualised table.
  await page.getByLabel('Search tenants').fill('zzz-no-such-tenant');
  await expect(page.getByText('No tenant matches.')).toBeVisible();
  await page.getByLabel('Search tenants').fill('');

  // Running a fix asks first; cancelling changes nothing.
  await detail.getByRole('button', { name: 'Run fix…' }).first().click();
  await expect(page.getByRole('dialog', { name: 'Run fix' })).toBeVisible();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/tenants.png', fullPage: true });
  expect(errors).toEqual([]);
});
