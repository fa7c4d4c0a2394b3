import { mkdirSync, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { EventName, EventPayload } from '../shared/contract';
import type { AppInfo } from '../shared/domain/app';
import { ConnectionService } from './core/connections/service';
import { SettingsStore } from './core/connections/settings';
import type { PasswordVault } from './core/connections/vault';
import { DemoManager } from './core/demo/manager';
import { BackupService } from './core/backup/service';
import { HealthService } from './core/health/service';
import { OverviewService } from './core/overview/service';
import { PitrService } from './core/pitr/service';
import { SecretsService } from './core/secrets/service';
import { TaskManager } from './core/tasks/tasks';
import { TenantsService } from './core/tenants/service';
import type { Logger } from './core/util/log';
import { appHome, projectRoot } from './core/util/paths';

export interface AppOptions {
  host: 'electron' | 'browser';
  dataDir?: string;
  vault: PasswordVault;
  log: Logger;
  /** Start the demo database at once (serve --demo), not only when nothing is configured. */
  demo?: boolean;
  demoTenants?: number;
  /** The demo database archives WAL to a pgBackRest repo (serve --demo --pitr). */
  demoPitr?: boolean;
}

type EventMap = { [E in EventName]: [EventPayload<E>] };

const version = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** Everything a host needs, built once: the services of the core, wired together. */
export class App {
  readonly home: string;
  readonly tasks = new TaskManager();
  readonly events = new EventEmitter<EventMap>();
  readonly demo: DemoManager;
  readonly connections: ConnectionService;
  readonly health: HealthService;
  readonly backups: BackupService;
  readonly tenants: TenantsService;
  readonly secrets: SecretsService;
  readonly overview: OverviewService;
  readonly pitr: PitrService;

  constructor(readonly options: AppOptions) {
    this.home = appHome(options.dataDir);
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    this.demo = new DemoManager(this.home, this.tasks, options.log, { ...(options.demoTenants ? { tenants: options.demoTenants } : {}), ...(options.demoPitr ? { pitr: true } : {}) });
    this.connections = new ConnectionService(new SettingsStore(this.home), options.vault, this.demo);
    this.tasks.on('updated', (task) => this.events.emit('task.updated', task));
    this.health = new HealthService({
      home: this.home,
      tasks: this.tasks,
      log: options.log,
      database: (id) => this.connections.database(id),
      connectionId: async (id) => (await this.connections.profile(id)).id,
      // Sample the active connection; never start the demo database just to sample it.
      sampleTarget: async () => {
        const { profiles, activeId } = await this.connections.list();
        const active = profiles.find((p) => p.id === activeId);
        if (!active || (active.isDemo && this.demo.state !== 'running')) return null;
        return active.id;
      },
      onUpdated: (e) => this.events.emit('health.updated', e),
    });
    this.backups = new BackupService(this.home, this.tasks, this.connections);
    this.tenants = new TenantsService(this.home, this.tasks, this.connections);
    this.secrets = new SecretsService(this.tasks, this.connections);
    this.overview = new OverviewService(this.connections);
    this.pitr = new PitrService(this.home, this.tasks, this.connections, this.demo);
  }

  /** What the app is and runs on (app.info): the app domain's own call. */
  async info(): Promise<AppInfo> {
    return {
      version,
      host: this.options.host,
      dataDir: this.home,
      demo: {
        state: this.demo.state,
        ...(this.demo.running ? { tenants: this.demo.running.tenants } : {}),
        ...(this.demo.message ? { message: this.demo.message } : {}),
      },
      passwordStorage: await this.options.vault.status(),
    };
  }

  /** With no connection configured (or --demo), bring the demo database up in the background. */
  async startup(): Promise<void> {
    if (this.options.demo || (await this.connections.isUnconfigured())) {
      this.demo.ensure().catch((err: unknown) => this.options.log(`Demo database failed to start: ${String(err)}`));
    }
    // History: the sampler runs while the app (or serve) runs.
    this.health.start();
    // Scheduled backups run while the app (or serve) runs, whether or not anyone opens the page.
    this.backups.startSchedule(await this.backups.settings());
  }

  async close(): Promise<void> {
    await this.health.stop();
    this.backups.stop();
    await this.connections.close();
    await this.demo.stop();
  }
}
