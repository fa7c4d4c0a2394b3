import { expect, type Locator, type Page } from '@playwright/test';
import { Section } from './app';

/** The Disaster Recovery page: scenarios with readiness, the start form, a run's wizard, drills. */
export class DrPage extends Section {
  constructor(page: Page) {
    super(page, 'Disaster Recovery');
  }

  get scenarios(): Locator {
    return this.page.getByRole('table', { name: 'Scenarios' });
  }

  /** A scenario's row by its id (deletion, system-failure, …). */
  scenario(id: string): Locator {
    return this.scenarios.locator(`tr[data-scenario="${id}"]`);
  }

  startDialog(title: string | RegExp): Locator {
    return this.page.getByRole('dialog', { name: typeof title === 'string' ? `Start ${title}` : title });
  }

  /** Open the start form of a scenario, pick tenants in its picker (listing them first if need be), start. */
  async start(id: string, title: string, tenants: string[] = []): Promise<void> {
    await this.scenario(id).getByRole('button', { name: `Start ${title}` }).click();
    const dialog = this.startDialog(title);
    await expect(dialog).toBeVisible();
    if (tenants.length) {
      const list = dialog.getByRole('listbox', { name: 'Tenants' });
      const listButton = dialog.getByRole('button', { name: 'List the tenants' });
      if (await listButton.isVisible()) await listButton.click();
      for (const t of tenants) {
        await dialog.getByLabel('Search tenants').fill(t);
        await list.getByRole('option', { name: t, exact: true }).click({ timeout: 60_000 });
        await expect(list.getByRole('option', { name: t, exact: true })).toHaveAttribute('aria-selected', 'true');
      }
    }
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(dialog).toBeHidden();
    await expect(this.page).toHaveURL(/#\/dr\/run\/[A-Za-z0-9_-]+$/);
  }

  get clocks(): Locator {
    return this.page.getByLabel('Clocks');
  }

  clock(label: string): Locator {
    return this.clocks.getByRole('group', { name: label }).locator('.fact-value');
  }

  get steps(): Locator {
    return this.page.getByRole('list', { name: 'Steps' });
  }

  step(title: string | RegExp): Locator {
    return this.steps.getByRole('button', { name: title });
  }

  get panel(): Locator {
    return this.page.getByRole('region', { name: 'Current step' });
  }

  get journal(): Locator {
    return this.page.getByRole('region', { name: 'Journal' });
  }

  get drills(): Locator {
    return this.page.getByRole('region', { name: 'Drills' });
  }
}
