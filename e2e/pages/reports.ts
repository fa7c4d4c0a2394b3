import type { FrameLocator, Locator, Page } from '@playwright/test';
import { Section } from './app';

export class ReportsPage extends Section {
  constructor(page: Page) {
    super(page, 'Reports');
  }

  get generator(): Locator {
    return this.page.getByRole('region', { name: 'Generate a report' });
  }

  get generate(): Locator {
    return this.generator.getByRole('button', { name: 'Generate' });
  }

  get cancel(): Locator {
    return this.generator.getByRole('button', { name: 'Cancel' });
  }

  section(label: string): Locator {
    return this.generator.getByLabel(label);
  }

  get saved(): Locator {
    return this.page.getByRole('region', { name: 'Saved reports' });
  }

  /** Rows of the saved-report table (header excluded). */
  get rows(): Locator {
    return this.saved.locator('tbody tr');
  }

  get compare(): Locator {
    return this.saved.getByRole('button', { name: 'Compare the two ticked' });
  }

  get preview(): Locator {
    return this.page.getByRole('region', { name: 'Report preview' });
  }

  /** The sandboxed frame showing a report's HTML. */
  get previewFrame(): FrameLocator {
    return this.preview.frameLocator('iframe');
  }

  get schedule(): Locator {
    return this.page.getByRole('region', { name: 'Report schedule' });
  }
}
