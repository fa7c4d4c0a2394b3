import { expect, type Locator, type Page } from '@playwright/test';
import { Section } from './app';

export class BackupsPage extends Section {
  constructor(page: Page) {
    super(page, 'Backups');
  }

  get keyBox(): Locator {
    return this.page.getByRole('region', { name: 'Backup key' });
  }

  get keyLine(): Locator {
    return this.page.getByText(/Key k_[0-9a-f]{16}/);
  }

  /**
   * A backup key, generating one (with its warning acknowledged) if there is none yet; returns whether it
   * generated one.
   */
  async ensureKey(): Promise<boolean> {
    await expect(this.keyBox.or(this.keyLine)).toBeVisible({ timeout: 60_000 });
    if (await this.keyLine.isVisible()) return false;
    await this.page.getByRole('button', { name: 'Generate a key' }).click();
    await expect(this.keyBox).toContainText('Without it the backups are unreadable');
    await expect(this.page.getByRole('button', { name: 'Done' })).toBeDisabled();
    await this.page.getByLabel('I have stored the key safely').check();
    await this.page.getByRole('button', { name: 'Done' }).click();
    await expect(this.keyLine).toBeVisible();
    return true;
  }

  get catalog(): Locator {
    return this.page.getByRole('region', { name: 'Catalog' });
  }

  /** Wait until the catalog and the restored copies are loaded (a table, or the words for none). */
  async loaded(): Promise<void> {
    await expect(this.catalog.getByRole('table').or(this.catalog.getByText('No backups here yet'))).toBeVisible({ timeout: 60_000 });
    await expect(this.restoredCopies.getByRole('table').or(this.restoredCopies.getByText(/^None: /))).toBeVisible({ timeout: 60_000 });
  }

  /** The catalog's rows of one kind ("all-tenants", "tenant", "full"). */
  entries(kind: string): Locator {
    return this.catalog.getByRole('row').filter({ has: this.page.getByRole('cell', { name: kind, exact: true }) });
  }

  get restoreDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Restore' });
  }

  get restoredCopies(): Locator {
    return this.page.getByRole('region', { name: 'Restored copies' });
  }

  /** A restored copy's row by its side schema's name. */
  copy(schema: string | RegExp): Locator {
    return this.restoredCopies.getByRole('row').filter({ hasText: schema });
  }

  get dropDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Drop restored copy' });
  }
}
