import type { Locator, Page } from '@playwright/test';
import { Section } from './app';

export class SecretsPage extends Section {
  constructor(page: Page) {
    super(page, 'Secrets');
  }

  get credentialSources(): Locator {
    return this.page.getByRole('region', { name: 'Credential sources' });
  }

  async audit(folder: string): Promise<void> {
    await this.page.getByLabel('Project folder').fill(folder);
    await this.runAudit.click();
  }

  get runAudit(): Locator {
    return this.page.getByRole('button', { name: 'Run audit' });
  }

  get findings(): Locator {
    return this.page.getByRole('table', { name: 'Findings' });
  }

  get severity(): Locator {
    return this.page.getByLabel('Severity filter');
  }

  get category(): Locator {
    return this.page.getByLabel('Category filter');
  }
}
