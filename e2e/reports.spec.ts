import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ReportsPage } from './pages/reports';

test('reports: generate with progress, cancel saves nothing, preview, compare two, download a PDF, schedule', async ({ page }) => {
  test.setTimeout(600_000);
  const reports = await new ReportsPage(page).open();
  const before = await reports.rows.count();

  // Health and tenants only (quicker); the saved entry says which sections it has.
  await reports.section('Backups and RPO').uncheck();
  await reports.section('DR readiness and drills').uncheck();
  await reports.section('Secrets audit').uncheck();
  await reports.generate.click();
  await expect(reports.generator.getByText('Saved: see the list below.')).toBeVisible({ timeout: 240_000 });
  await expect(reports.rows).toHaveCount(before + 1);
  await expect(reports.rows.first()).toContainText('health, tenants');

  // A cancelled run leaves the list as it was. On the 20-tenant demo a report can be done before the click
  // lands (its Cancel button already gone): then it was saved. Either way the list says which.
  await reports.generate.click();
  await reports.cancel.click({ timeout: 5_000 }).catch(() => undefined);
  await expect(reports.generate).toBeEnabled({ timeout: 240_000 });
  const cancelled = await reports.generator.getByText('Cancelled: nothing was saved.').isVisible();
  if (!cancelled) await expect(reports.generator.getByText('Saved: see the list below.')).toBeVisible();
  await expect(reports.rows).toHaveCount(before + (cancelled ? 1 : 2));
  const afterCancel = await reports.rows.count();

  await reports.generate.click();
  await expect(reports.rows).toHaveCount(afterCancel + 1, { timeout: 240_000 });

  // Preview: the report's own HTML in a sandboxed frame, with the planted problems in it.
  await reports.rows.first().getByRole('button', { name: 'Preview' }).click();
  await expect(reports.previewFrame.getByRole('heading', { level: 1 })).toHaveText(/Health report/);
  await expect(reports.previewFrame.getByText('org_lively_sail_labs.audit_log_id_seq').first()).toBeVisible();
  await expect(reports.preview.locator('iframe')).toHaveAttribute('sandbox', '');

  // Compare the two newest: a diff report, saved and previewed.
  await reports.rows.nth(0).getByRole('checkbox').check();
  await reports.rows.nth(1).getByRole('checkbox').check();
  await reports.compare.click();
  await expect(reports.previewFrame.getByRole('heading', { name: 'What changed' })).toBeVisible();
  await expect(reports.rows.first()).toContainText('diff');

  const download = page.waitForEvent('download');
  await reports.rows.first().getByRole('button', { name: 'PDF Letter' }).click();
  const file = await (await download).path();
  expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');

  // A weekly schedule; the cron line quotes every value.
  await reports.schedule.getByLabel('Scheduled while the app runs').check();
  await reports.schedule.getByRole('button', { name: 'Save' }).click();
  await expect(reports.schedule.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(reports.schedule.locator('code')).toContainText("podcastflow-ops 'report' '--db'");
  await page.screenshot({ path: 'test-results/screens/reports.png', fullPage: true });
});
