import { expect, type Locator, type Page } from '@playwright/test';

/** The shared e2e server's tokenized URL (set by e2e/global-setup.ts): the one place the specs get it from. */
export function appUrl(): string {
  const base = process.env.PFO_E2E_URL;
  if (!base) throw new Error('PFO_E2E_URL is not set: the global setup did not start the server.');
  return base;
}

/** The same server's origin, for requests outside the page (the load balancer's endpoint). */
export function appOrigin(): string {
  return new URL(appUrl()).origin;
}

export type SectionName = 'Overview' | 'Health' | 'Tenants' | 'Backups' | 'Secrets' | 'Disaster Recovery' | 'Reports' | 'Settings';

/** What every section shares: the side navigation and the section's heading. */
export class Section {
  constructor(
    readonly page: Page,
    readonly name: SectionName,
  ) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: this.name });
  }

  /** Go to this section through the navigation, as a user would. */
  async go(): Promise<this> {
    await this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: this.name, exact: true }).click();
    await expect(this.heading).toBeVisible();
    return this;
  }

  /** Open the app (the token is traded for a cookie), wait for the demo's tenants, then this section. */
  async open(opts: { url?: string; tenants?: number } = {}): Promise<this> {
    await this.page.goto(opts.url ?? appUrl());
    await expect(overviewFact(this.page, 'Tenants')).toHaveText(String(opts.tenants ?? 20), { timeout: 180_000 });
    return this.go();
  }
}

/** The value of one of the Overview's facts ("Tenants", "PostgreSQL", …), found by its label. */
export function overviewFact(page: Page, label: string): Locator {
  return page.locator('.fact').filter({ has: page.getByText(label, { exact: true }) }).locator('.fact-value');
}
