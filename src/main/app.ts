import { mkdirSync, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { EventName, EventPayload } from '../shared/contract';
import type { AppInfo } from '../shared/domain/app';
import { ConnectionService } from './core/connections/service';
import { SettingsStore } from './core/connections/settings';
import type { PasswordVault } from './core/connections/vault';
import { DemoManager } from './core/demo/manager';
import { FleetService } from './core/fleet/service';
import { BackupService } from './core/backup/service';
import { DrService } from './core/dr/service';
import { HealthService } from './core/health/service';
import { OverviewService } from './core/overview/service';
import { ReportsService } from './core/reports/service';
import { PitrService } from './core/pitr/service';
import { SecretsService } from './core/secrets/service';
import { TaskManager } from './core/tasks/tasks';
import { TenantsService } from './core/tenants/service';
import { OpsError } from './core/util/errors';
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
  /** The demo database's port (default 54329, or the next free one). */
  demoPort?: number;
  /** serve --headless: sample every connection, run the verify/report/drill schedules too. */
  headless?: boolean;
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
  readonly fleet: FleetService;
  readonly dr: DrService;
  readonly reports: ReportsService;
  readonly pitr: PitrService;

  constructor(readonly options: AppOptions) {
    this.home = appHome(options.dataDir);
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    this.demo = new DemoManager(this.home, this.tasks, options.log, { ...(options.demoTenants ? { tenants: options.demoTenants } : {}), ...(options.demoPitr ? { pitr: true } : {}), ...(options.demoPort ? { port: options.demoPort } : {}) });
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
      // Headless: every connection (the demo one only while it runs).
      ...(options.headless
        ? { sampleTargets: async () => (await this.connections.list()).profiles.filter((p) => !p.isDemo || this.demo.state === 'running').map((p) => p.id) }
        : {}),
      onUpdated: (e) => this.events.emit('health.updated', e),
    });
    this.backups = new BackupService(this.home, this.tasks, this.connections);
    this.tenants = new TenantsService(this.home, this.tasks, this.connections);
    this.secrets = new SecretsService(this.tasks, this.connections);
    this.overview = new OverviewService(this.connections);
    this.fleet = new FleetService({ home: this.home, log: options.log, version, tasks: this.tasks, connections: this.connections, health: this.health, backups: this.backups });
    this.events.on('health.updated', (e) => this.fleet.healthUpdated(e.connectionId, e.status));
    this.dr = new DrService({
      home: this.home,
      tasks: this.tasks,
      connection: async (id) => {
        const { db, profile } = await this.connections.database(id);
        return { id: profile.id, db, database: profile.database, production: profile.environment === 'production', ...(profile.secret ? { secret: profile.secret } : {}) };
      },
      backups: () => this.backups.tools(),
      onRun: (e) => this.events.emit('dr.run', e),
      pitr: (id) => this.pitr.forDr(id),
    });
    // The fleet reads drills for /metrics, notifies on runs started and finished, and runs the drill schedule.
    this.fleet.hooks.drills = () => this.dr.drills();
    this.fleet.hooks.drill = async () => {
      for (const scenario of ['deletion', 'system-failure'] as const) await this.dr.startDrill({ scenario });
    };
    this.events.on('dr.run', (e) => {
      void this.dr
        .run(e.runId)
        .then((run) => this.fleet.onDrRun(run))
        .catch((err: unknown) => options.log(`DR run notification: ${String((err as Error).message ?? err)}`));
    });
    this.reports = new ReportsService({ home: this.home, tasks: this.tasks, log: options.log, connections: this.connections, health: this.health, backups: this.backups, appVersion: version });
    // Reports render drills and incident records from the DR engine; the fleet's report schedule generates one.
    this.reports.setDrSource({
      drills: async (connectionId, since) => {
        const runs = new Set((await this.dr.runs({ connection: connectionId, drill: true })).map((r) => r.id));
        return (await this.dr.drills()).filter((d) => runs.has(d.runId) && Date.parse(d.startedAt) >= since.getTime());
      },
      run: async (connectionId, runId) => {
        const run = await this.dr.run(runId);
        if (run.connection !== connectionId) throw new OpsError('not_found', `DR run ${runId} is not a run of this connection.`, 'List the runs of the connection with dr status.');
        return run;
      },
    });
    this.fleet.hooks.report = async () => {
      await this.reports.generate({});
    };
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
    // /metrics and notifications: the catalog read on a timer; headless adds the verify/report/drill schedules.
    await this.fleet.start({ schedules: this.options.headless === true });
    // DR runs come back from their journals; a step a crash cut short is marked interrupted.
    await this.dr.resume().catch((err: unknown) => this.options.log(`DR runs could not be read: ${String(err)}`));
    // Scheduled reports likewise.
    this.reports.startSchedule();
  }

  async close(): Promise<void> {
    await this.health.stop();
    this.backups.stop();
    await this.fleet.stop();
    this.reports.stop();
    await this.connections.close();
    await this.demo.stop();
  }
}
