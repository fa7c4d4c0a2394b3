import type { Locator, Page } from '@playwright/test';
import { Section } from './app';

export class SettingsPage extends Section {
  constructor(page: Page) {
    super(page, 'Settings');
  }

  get form(): Locator {
    return this.page.getByRole('form', { name: 'Connection' });
  }

  /** Fill and save the connection form. */
  async addConnection(c: { name: string; environment: 'development' | 'staging' | 'production'; url: string }): Promise<void> {
    await this.page.getByRole('button', { name: 'Add connection' }).click();
    await this.form.getByLabel('Name').fill(c.name);
    await this.form.getByLabel('Environment').selectOption(c.environment);
    await this.form.getByRole('textbox', { name: 'URL' }).fill(c.url);
    await this.form.getByRole('button', { name: 'Save', exact: true }).click();
  }

  connection(name: string): Locator {
    return this.page.getByRole('row', { name: new RegExp(name) });
  }

  get deleteDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Delete connection' });
  }
}
