import { expect, type Locator, type Page } from '@playwright/test';
import { Section } from './app';

export class TenantsPage extends Section {
  constructor(page: Page) {
    super(page, 'Tenants');
  }

  get verifyButton(): Locator {
    return this.page.getByRole('button', { name: /^Verify (all tenants|again)$/ });
  }

  /** The line above the results: "20 tenants · 14 violations · … ms · reference … · <time>". */
  get resultLine(): Locator {
    return this.page.getByText(/^\d+ tenants · \d+ violations · /);
  }

  /** Verify and wait for this run's result to be loaded (not the one shown before) and the button usable again. */
  async verify(): Promise<void> {
    const loaded = this.page.waitForResponse((r) => r.url().includes('/rpc/tenants.result') && r.request().method() === 'POST', { timeout: 60_000 });
    await this.verifyButton.click();
    await (await loaded).finished();
    await expect(this.page.getByTestId('tenant-heatmap')).toBeVisible();
    await expect(this.verifyButton).toBeEnabled();
  }

  heatmap(tenants: number): Locator {
    return this.page.getByRole('img', { name: new RegExp(`Heatmap of ${tenants} tenants`) });
  }

  get sharedSchemas(): Locator {
    return this.page.locator('.card', { has: this.page.getByRole('heading', { name: 'Shared schemas' }) });
  }

  get search(): Locator {
    return this.page.getByLabel('Search tenants');
  }

  /** The table's rows (virtualised: only those in view exist). */
  get rows(): Locator {
    return this.page.getByTestId('tenant-rows').getByRole('row');
  }

  /** One tenant's row, narrowed to it by the search field so it is in view. */
  async row(tenant: string): Promise<Locator> {
    await this.search.fill(tenant);
    const row = this.rows.filter({ has: this.page.getByRole('cell', { name: tenant, exact: true }) });
    await expect(row).toHaveCount(1);
    return row;
  }

  /** The "Last backup" cell of a row (its title says which backup and when). */
  lastBackup(row: Locator): Locator {
    return row.getByRole('cell').nth(4);
  }

  backupButton(tenant: string): Locator {
    return this.page.getByRole('button', { name: `Back up tenant ${tenant}` });
  }

  get detail(): Locator {
    return this.page.getByTestId('tenant-detail');
  }

  /** A violation of the selected tenant by its kind and object, as listed in the detail. */
  violation(kind: string, object?: string): Locator {
    const byKind = this.detail.getByRole('listitem').filter({ has: this.page.getByText(kind, { exact: true }) });
    return object ? byKind.filter({ has: this.page.getByText(object, { exact: true }) }) : byKind;
  }

  get fixDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Run fix' });
  }
}
