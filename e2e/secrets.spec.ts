import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { LEAKS, makeLeakyProject } from '../tests/support/secrets-fixture';

function url(): string {
  const u = process.env.PFO_E2E_URL;
  if (!u) throw new Error('PFO_E2E_URL is not set: the global setup did not start the server.');
  return u;
}

test('secrets: credential sources, an audit with progress, filters and suppress by fingerprint', async ({ page }) => {
  const project = makeLeakyProject();
  try {
    await page.goto(url());
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Secrets', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Secrets' })).toBeVisible();
    // The demo connection's credential source is named.
    await expect(page.locator('section', { hasText: 'Credential sources' })).toContainText('demo', { timeout: 60_000 });

    await page.getByLabel('Project folder').fill(project);
    await page.getByRole('button', { name: 'Run audit' }).click();
    const table = page.getByRole('table', { name: 'Findings' });
    await expect(table).toContainText('private-key', { timeout: 60_000 });
    await expect(table).toContainText('postgres-uri-password');
    await expect(table).toContainText('env-file-tracked');
    // Masked values only.
    for (const v of Object.values(LEAKS)) await expect(page.locator('body')).not.toContainText(v);

    await page.getByLabel('Severity filter').selectOption('critical');
    await expect(table.getByRole('row')).toHaveCount(3); // header + 2 critical
    await page.getByLabel('Severity filter').selectOption('all');
    await page.getByLabel('Category filter').selectOption('env');
    await expect(table).not.toContainText('private-key');
    await page.getByLabel('Category filter').selectOption('all');

    const row = table.getByRole('row').filter({ hasText: 'private-key' });
    await row.getByRole('button', { name: 'Suppress' }).click();
    await expect(page.locator('.notice', { hasText: 'Suppressed private-key' })).toBeVisible();
    await expect(table).not.toContainText('private-key');
    await page.screenshot({ path: 'test-results/screens/secrets-audit.png', fullPage: true });

    // Run again: the baseline keeps it suppressed.
    await page.getByRole('button', { name: 'Run audit' }).click();
    await expect(page.getByText(/1 suppressed/)).toBeVisible({ timeout: 60_000 });
    await expect(table).not.toContainText('private-key');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
