import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { LEAKS, makeLeakyProject } from '../tests/support/secrets-fixture';
import { SecretsPage } from './pages/secrets';

test('secrets: credential sources, an audit with progress, filters and suppress by fingerprint', async ({ page }) => {
  const project = makeLeakyProject();
  try {
    const secrets = await new SecretsPage(page).open();
    // The demo connection's credential source is named.
    await expect(secrets.credentialSources).toContainText('demo', { timeout: 60_000 });

    await secrets.audit(project);
    const table = secrets.findings;
    await expect(table).toContainText('private-key', { timeout: 60_000 });
    await expect(table).toContainText('postgres-uri-password');
    await expect(table).toContainText('env-file-tracked');
    // Masked values only.
    for (const v of Object.values(LEAKS)) await expect(page.locator('body')).not.toContainText(v);

    await secrets.severity.selectOption('critical');
    await expect(table.getByRole('row')).toHaveCount(3); // header + 2 critical
    await secrets.severity.selectOption('all');
    await secrets.category.selectOption('env');
    await expect(table).not.toContainText('private-key');
    await secrets.category.selectOption('all');

    const row = table.getByRole('row').filter({ hasText: 'private-key' });
    await row.getByRole('button', { name: 'Suppress' }).click();
    await expect(page.locator('.notice', { hasText: 'Suppressed private-key' })).toBeVisible();
    await expect(table).not.toContainText('private-key');
    await page.screenshot({ path: 'test-results/screens/secrets-audit.png', fullPage: true });

    // Run again: the baseline keeps it suppressed.
    await secrets.runAudit.click();
    await expect(page.getByText(/1 suppressed/)).toBeVisible({ timeout: 60_000 });
    await expect(table).not.toContainText('private-key');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
