import type { Locator, Page } from '@playwright/test';
import { overviewFact, Section } from './app';

export class OverviewPage extends Section {
  constructor(page: Page) {
    super(page, 'Overview');
  }

  fact(label: 'PostgreSQL' | 'Uptime' | 'Database size' | 'Tenants' | 'Connections'): Locator {
    return overviewFact(this.page, label);
  }

  /** The health strip: the overall status and the oldest result's age. */
  get health(): Locator {
    return this.page.locator('.health-overview');
  }
}
