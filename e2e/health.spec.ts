import { expect, test } from '@playwright/test';

function url(): string {
  const u = process.env.PFO_E2E_URL;
  if (!u) throw new Error('PFO_E2E_URL is not set: the global setup did not start the server.');
  return u;
}

test('health: Run now, status cards, drill-down to a planted problem, Show SQL, thresholds, overview strip', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url());
  await expect(page.locator('.fact', { hasText: 'Tenants' }).locator('.fact-value')).toHaveText('20', { timeout: 180_000 });
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Health', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Health' })).toBeVisible();

  await page.locator('.page-head').getByRole('button', { name: 'Run now' }).first().click();
  await expect(page.locator('.check-card')).toHaveCount(18, { timeout: 120_000 });
  await expect(page.locator('.page-head .status-pill.overall')).toHaveText(/healthy|degraded|unhealthy/);
  await expect(page.getByRole('button', { name: /Sequence overflow: fail/ })).toBeVisible({ timeout: 60_000 });

  await page.getByRole('button', { name: /Sequence overflow/ }).click();
  await expect(page.locator('.hf-row', { hasText: 'audit_log_id_seq' })).toBeVisible();

  await page.getByRole('button', { name: /Unused indexes/ }).click();
  await expect(page.locator('.hf-row').first()).toBeVisible();
  const tenant = (await page.locator('.hf-row').first().locator('span').nth(2).textContent())!.trim();
  await page.getByLabel('Filter by tenant').fill(tenant);
  await expect(page.locator('.hf-bar')).toContainText(`matching “${tenant}”`);
  for (const t of await page.locator('.hf-row span:nth-child(3)').allTextContents()) expect(t.trim()).toBe(tenant);

  await page.locator('.check-card', { hasText: 'Table bloat' }).getByRole('button', { name: 'Show SQL' }).click();
  const sql = page.getByRole('dialog', { name: 'SQL of table_bloat' });
  await expect(sql).toContainText('pg_stats');
  await sql.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('button', { name: 'Thresholds' }).click();
  const dialog = page.getByRole('dialog', { name: 'Thresholds' });
  await expect(dialog).toContainText('cacheHitWarn');
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.screenshot({ path: 'test-results/screens/health-run.png', fullPage: true });
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  await expect(page.locator('.health-overview .status-pill.overall')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the load balancer endpoint answers without a session', async ({ request }) => {
  const base = new URL(url()).origin;
  const r = await request.get(`${base}/api/health`, { headers: { cookie: '' } });
  expect([200, 503]).toContain(r.status());
  const body = (await r.json()) as { status: string; checks: { id: string }[] };
  expect(['healthy', 'degraded', 'unhealthy']).toContain(body.status);
});
