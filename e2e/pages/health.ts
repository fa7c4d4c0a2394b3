import type { Locator, Page } from '@playwright/test';
import { Section } from './app';

export class HealthPage extends Section {
  constructor(page: Page) {
    super(page, 'Health');
  }

  get runNow(): Locator {
    return this.page.locator('.page-head').getByRole('button', { name: 'Run now' }).first();
  }

  get overall(): Locator {
    return this.page.locator('.page-head .status-pill.overall');
  }

  get cards(): Locator {
    return this.page.locator('.check-card');
  }

  card(title: string): Locator {
    return this.cards.filter({ hasText: title });
  }

  /** A check's card button, named "<title>: <status>…" for screen readers. */
  check(title: string | RegExp): Locator {
    return this.page.getByRole('button', { name: title });
  }

  /** The drill-down's rows (findings of the selected check). */
  get findings(): Locator {
    return this.page.locator('.hf-row');
  }

  get tenantFilter(): Locator {
    return this.page.getByLabel('Filter by tenant');
  }

  dialog(name: string): Locator {
    return this.page.getByRole('dialog', { name });
  }

  async thresholds(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Thresholds' }).click();
    return this.dialog('Thresholds');
  }
}
