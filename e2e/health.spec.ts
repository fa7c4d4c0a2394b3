import { expect, test } from '@playwright/test';
import { appOrigin } from './pages/app';
import { HealthPage } from './pages/health';
import { OverviewPage } from './pages/overview';

test('health: Run now, status cards, drill-down to a planted problem, Show SQL, thresholds, overview strip', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const health = await new HealthPage(page).open();

  await health.runNow.click();
  await expect(health.cards).toHaveCount(19, { timeout: 120_000 });
  await expect(health.overall).toHaveText(/healthy|degraded|unhealthy/);
  await expect(health.check(/Sequence overflow: fail/)).toBeVisible({ timeout: 60_000 });

  await health.check(/Sequence overflow/).click();
  await expect(health.findings.filter({ hasText: 'audit_log_id_seq' })).toBeVisible();

  await health.check(/Unused indexes/).click();
  await expect(health.findings.first()).toBeVisible();
  const tenant = (await health.findings.first().locator('span').nth(2).textContent())!.trim();
  await health.tenantFilter.fill(tenant);
  await expect(page.locator('.hf-bar')).toContainText(`matching “${tenant}”`);
  for (const t of await page.locator('.hf-row span:nth-child(3)').allTextContents()) expect(t.trim()).toBe(tenant);

  await health.card('Table bloat').getByRole('button', { name: 'Show SQL' }).click();
  const sql = health.dialog('SQL of table_bloat');
  await expect(sql).toContainText('pg_stats');
  await sql.getByRole('button', { name: 'Close' }).click();

  const dialog = await health.thresholds();
  await expect(dialog).toContainText('cacheHitWarn');
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.screenshot({ path: 'test-results/screens/health-run.png', fullPage: true });
  const overview = await new OverviewPage(page).go();
  await expect(overview.health.locator('.status-pill.overall')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the load balancer endpoint answers without a session', async ({ request }) => {
  const r = await request.get(`${appOrigin()}/api/health`, { headers: { cookie: '' } });
  expect([200, 503]).toContain(r.status());
  const body = (await r.json()) as { status: string; checks: { id: string }[] };
  expect(['healthy', 'degraded', 'unhealthy']).toContain(body.status);
});
