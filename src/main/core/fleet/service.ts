/**
 * The fleet domain: what leaves the console for Prometheus and for people (issue 16). It keeps a snapshot
 * of the latest results (health reports and tenant verifications as the other services hold them, the
 * backup catalog and DR readiness read on a timer, the outcome of each backup kind this app ran, drills),
 * renders /metrics from it, turns its state changes into webhook notifications, and runs the headless
 * schedules (verify, report, drill) beside the backup one.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { DrillRecord, DrRun, Runbook } from '../../../shared/domain/dr';
import { BackupKind as BackupKindSchema, type BackupKind } from '../../../shared/vocabulary';
import { readCatalog } from '../backup/catalog';
import type { BackupOutcomeEvent, BackupService } from '../backup/service';
import type { ConnectionService } from '../connections/service';
import { readiness } from '../dr/readiness';
import { listRunbooks } from '../dr/runbooks';
import type { HealthService } from '../health/service';
import { readJson, writeJsonAtomic } from '../store/files';
import type { TaskManager } from '../tasks/tasks';
import type { Logger } from '../util/log';
import { FleetMetrics, type BackupOutcome, type CatalogSnapshot, type ConnectionSnapshot, type FleetSnapshot, type IsolationSnapshot } from './metrics';
import { Notifier, type DeliveryResult } from './notify';
import { describeWebhook, readFleetSettings, type FleetSettings } from './settings';

export interface FleetDeps {
  home: string;
  log: Logger;
  version: string;
  tasks: TaskManager;
  connections: ConnectionService;
  health: HealthService;
  backups: BackupService;
  now?: () => Date;
}

/** Work the lead wires from other domains (the DR engine, reports); absent: that part is left out. */
export interface FleetHooks {
  /** Finished drills (DrService). */
  drills?: () => Promise<DrillRecord[]>;
  /** Run the scheduled report (reports service). */
  report?: () => Promise<void>;
  /** Run the scheduled drill (DrService). */
  drill?: () => Promise<void>;
}

const Outcomes = z.array(z.object({ kind: BackupKindSchema, ok: z.boolean(), at: z.string(), error: z.string().optional() }));

const KIND_WORDS: Record<BackupKind, string> = { full: 'full', tenant: 'tenant', 'all-tenants': 'all-tenants' };

export class FleetService {
  readonly notifier: Notifier;
  private metrics: FleetMetrics | undefined;
  private settingsCache: FleetSettings | undefined;
  private catalog: CatalogSnapshot | null = null;
  private runbooks: Runbook[] = [];
  private drills: DrillRecord[] = [];
  private profiles: { id: string; name: string; database: string; environment: string }[] = [];
  private outcomes = new Map<BackupKind, BackupOutcome>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly work = new Set<Promise<unknown>>();
  private refreshing: Promise<void> | undefined;
  private rerun: Promise<void> | undefined;
  private outcomesLoaded: Promise<void> | undefined;
  private lastRefreshError = '';
  hooks: FleetHooks = {};

  constructor(private readonly deps: FleetDeps) {
    this.notifier = new Notifier({ home: deps.home, log: deps.log, webhooks: async () => (await this.settings()).webhooks, ...(deps.now ? { now: deps.now } : {}) });
    deps.backups.outcomes.on('backup', (o) => this.track(this.onBackup(o)));
    deps.backups.outcomes.on('verify', () => this.track(this.refresh()));
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => this.deps.log(`Fleet: ${String((err as Error).message ?? err)}`));
    this.work.add(q);
    void q.finally(() => this.work.delete(q));
  }

  /** Waits until what the last events started (outcomes recorded, refreshes, notifications) has settled. */
  async idle(): Promise<void> {
    // An outcome is emitted when its task's promise settles, a turn after the task's own event.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.work.size) await Promise.allSettled([...this.work]);
    await this.notifier.idle();
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  private get outcomesFile(): string {
    return join(this.deps.home, 'fleet', 'backup-outcomes.json');
  }

  /** The settings, validated (a bad fleet.json is an error naming the field, not a silent default). */
  async settings(): Promise<FleetSettings> {
    this.settingsCache ??= await readFleetSettings(this.deps.home);
    return this.settingsCache;
  }

  async webhooks() {
    return { webhooks: (await this.settings()).webhooks.map(describeWebhook) };
  }

  async testWebhooks(): Promise<{ results: DeliveryResult[] }> {
    return { results: await this.notifier.test() };
  }

  // ---- the snapshot and /metrics ----------------------------------------------------------------

  /** Re-read what is slow to read (connections, the backup catalog, runbooks, drills) and notify on changes. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      // Asked again while one runs: it may have read the catalog before what prompted this was written
      // (a second verification ending during the first one's refresh), so one more follows it.
      const rerun = () => {
        this.rerun = undefined;
        return this.refresh();
      };
      this.rerun ??= this.refreshing.then(rerun, rerun);
      return this.rerun;
    }
    this.refreshing = this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    try {
      await this.loadOutcomes();
      this.profiles = (await this.deps.connections.list()).profiles.map((p) => ({ id: p.id, name: p.name, database: p.database, environment: p.environment }));
      this.runbooks = (await listRunbooks()).map((l) => l.runbook);
      if (this.hooks.drills) this.drills = await this.hooks.drills();
      const s = await this.deps.backups.settings();
      const readAt = this.now().getTime();
      const entries = await readCatalog(this.deps.backups.destination(s), readAt).catch((err: unknown) => {
        // The default folder before the first backup: nothing backed up yet.
        if (!s.destination && (err as { code?: string }).code === 'destination_not_found') return [];
        throw err;
      });
      this.catalog = { entries, readiness: readiness(entries, this.runbooks, readAt), readAt };
      this.lastRefreshError = '';
      await this.notifyCatalog(this.catalog);
    } catch (err) {
      const text = String((err as Error).message ?? err);
      if (text !== this.lastRefreshError) this.deps.log(`Metrics: could not refresh the backup catalog: ${text}`);
      this.lastRefreshError = text;
    }
  }

  /** The latest results, without touching a database or the destination. */
  async snapshot(): Promise<FleetSnapshot> {
    const connections: ConnectionSnapshot[] = await Promise.all(
      this.profiles.map(async (p) => {
        const health = await this.deps.health.latestReport(p.id);
        return { ...p, health, isolation: this.isolation(p.id, health) };
      }),
    );
    return { connections, catalog: this.catalog, outcomes: [...this.outcomes.values()], runbooks: this.runbooks, drills: this.drills };
  }

  /** Tenant isolation: the last tenant verification when there is one, else the health check's (capped) findings. */
  private isolation(connectionId: string, health: ConnectionSnapshot['health']): IsolationSnapshot | null {
    const last = this.deps.tasks.latest('tenants.verify', connectionId);
    const verified = last ? this.deps.tasks.result(last.id, 'tenants.verify') : undefined;
    if (verified) return { tenants: verified.tenants, source: 'verify', violations: verified.violations.map((v) => ({ tenant: v.tenant, kind: v.kind, severity: v.severity })) };
    const check = health?.checks.find((c) => c.id === 'tenant_isolation');
    if (!check || check.status === 'skipped' || check.status === 'error') return null;
    const tenantsOf = health?.checks.find((c) => c.id === 'sizes')?.metrics?.tenants;
    return {
      tenants: tenantsOf ?? 0,
      source: 'health',
      violations: check.findings.flatMap((f) => {
        const kind = (f.data as { kind?: unknown } | undefined)?.kind;
        return typeof kind === 'string' ? [{ tenant: f.tenant ?? null, kind, severity: f.severity }] : [];
      }),
    };
  }

  /** The exposition text (the registry is built on first use, with the configured top-N bound). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    this.metrics ??= new FleetMetrics(this.deps.version, (await this.settings()).metrics.topN);
    const body = await this.metrics.render(await this.snapshot(), this.now().getTime());
    return { contentType: this.metrics.contentType, body };
  }

  // ---- state changes -> notifications -----------------------------------------------------------

  /** The outcomes kept from earlier runs, read once (before the first new one is recorded over them). */
  private loadOutcomes(): Promise<void> {
    this.outcomesLoaded ??= readJson(this.outcomesFile, Outcomes, []).then(
      (kept) => {
        for (const o of kept) if (!this.outcomes.has(o.kind)) this.outcomes.set(o.kind, o);
      },
      (err: unknown) => this.deps.log(`Metrics: ignoring ${this.outcomesFile}: ${String((err as Error).message ?? err)}`),
    );
    return this.outcomesLoaded;
  }

  private async onBackup(e: BackupOutcomeEvent): Promise<void> {
    await this.loadOutcomes();
    const o: BackupOutcome = { kind: e.kind, ok: e.ok, at: e.at, ...(e.code ? { error: e.code } : {}) };
    this.outcomes.set(o.kind, o);
    await writeJsonAtomic(this.outcomesFile, [...this.outcomes.values()]).catch(() => {});
    const kind = KIND_WORDS[o.kind];
    await this.notifier.observe(`backup:${o.kind}`, o.ok ? 'ok' : 'failed', o.ok, () =>
      o.ok
        ? { event: 'backup.recovered', severity: 'info', title: `Backups (${kind}) succeed again`, labels: { kind } }
        : { event: 'backup.failed', severity: 'critical', title: `Backup (${kind}) failed${o.error ? ` [${o.error}]` : ''}`, labels: { kind } },
    );
    if (o.ok) await this.refresh();
  }

  /** A health run ended (App wires the health.updated event here). */
  healthUpdated(connectionId: string, status: string): void {
    this.track(this.onHealth(connectionId, status));
  }

  private async onHealth(connectionId: string, status: string): Promise<void> {
    const p = this.profiles.find((x) => x.id === connectionId);
    const labels = { connection: connectionId, ...(p ? { database: p.database } : {}) };
    await this.notifier.observe(`health:${connectionId}`, status, status === 'healthy', (previous) => ({
      event: 'health.status',
      severity: status === 'unhealthy' ? 'critical' : status === 'degraded' ? 'warning' : 'info',
      title: `Database ${p?.database ?? connectionId} is ${status}${previous ? ` (was ${previous})` : ''}`,
      labels,
    }));
  }

  private async notifyCatalog(cat: CatalogSnapshot): Promise<void> {
    // The newest verification of each (database, kind).
    const newest = new Map<string, { database: string; kind: BackupKind; ok: boolean; at: string }>();
    for (const e of cat.entries) {
      if (!e.verified) continue;
      const key = `${e.database}:${e.kind}`;
      const seen = newest.get(key);
      if (!seen || e.verified.at > seen.at) newest.set(key, { database: e.database, kind: e.kind, ok: e.verified.ok, at: e.verified.at });
    }
    for (const [key, v] of newest) {
      const labels = { database: v.database, kind: KIND_WORDS[v.kind] };
      await this.notifier.observe(`verify:${key}`, v.ok ? 'ok' : 'failed', v.ok, () =>
        v.ok
          ? { event: 'verify.recovered', severity: 'info', title: `Newest ${labels.kind} backup of ${v.database} verified restorable again`, labels }
          : { event: 'verify.failed', severity: 'critical', title: `Newest verified ${labels.kind} backup of ${v.database} is NOT restorable`, labels },
      );
    }
    for (const sc of cat.readiness.scenarios) {
      if (sc.meets === null) continue;
      const labels = { scenario: sc.scenario };
      await this.notifier.observe(`rpo:${sc.scenario}`, sc.meets ? 'met' : 'missed', sc.meets, () =>
        sc.meets
          ? { event: 'rpo.recovered', severity: 'info', title: `RPO target of ${sc.scenario} met again`, labels }
          : { event: 'rpo.breached', severity: 'warning', title: `RPO target of ${sc.scenario} missed by ${sc.missing.length} of ${sc.judged} ${sc.basis === 'database' ? 'databases' : 'tenants'}`, labels },
      );
    }
  }

  /** A DR run started or finished (the lead wires this to the DR engine's `dr.run` event). */
  async onDrRun(run: Pick<DrRun, 'id' | 'scenario' | 'status' | 'drill'>): Promise<void> {
    const labels = { scenario: run.scenario, run: run.id, ...(run.drill ? { drill: 'true' } : {}) };
    const finished = run.status !== 'open';
    await this.notifier.observe(`dr:${run.id}`, finished ? 'finished' : 'open', false, () =>
      finished
        ? { event: 'dr.run.finished', severity: run.status === 'succeeded' ? 'info' : 'critical', title: `${run.drill ? 'Drill' : 'DR run'} ${run.scenario} ${run.status}`, labels }
        : { event: 'dr.run.started', severity: run.drill ? 'info' : 'critical', title: `${run.drill ? 'Drill' : 'DR run'} ${run.scenario} started`, labels },
    );
  }

  // ---- headless schedules ------------------------------------------------------------------------

  /**
   * Refresh every `refreshSec` (default 300: reading a destination's manifests is not free; a backup or a
   * verification this app runs refreshes at once); with `schedules`, the verify/report/drill schedules too (serve --headless). */
  async start(opts: { refreshSec?: number; schedules?: boolean } = {}): Promise<void> {
    // Not awaited: a destination that hangs must not hold up the app's start.
    void this.refresh();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err: unknown) => this.deps.log(`Schedule: ${String((err as Error).message ?? err)}`)), ms);
      t.unref();
      this.timers.push(t);
    };
    every((opts.refreshSec ?? 300) * 1000, () => this.refresh());
    if (!opts.schedules) return;
    const { schedules } = await this.settings();
    const hours = (h: number) => h * 3_600_000;
    if (schedules.verify) every(hours(schedules.verify.everyHours), () => this.verifyNewest());
    for (const name of ['report', 'drill'] as const) {
      const sched = schedules[name];
      if (!sched) continue;
      every(hours(sched.everyHours), async () => {
        const hook = this.hooks[name];
        if (hook) await hook();
        else this.deps.log(`Schedule: the ${name} schedule is set, but this build has no ${name} runner wired; nothing ran.`);
      });
    }
  }

  /** The verify schedule: the newest backup of each (database, kind) not verified yet; the verify tasks started. */
  async verifyNewest(): Promise<string[]> {
    await this.refresh();
    const seen = new Set<string>();
    const started: string[] = [];
    for (const e of this.catalog?.entries ?? []) {
      const key = `${e.database}:${e.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!e.verified) started.push((await this.deps.backups.verify({ manifest: e.manifest })).taskId);
    }
    return started;
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.notifier.stop();
    await this.idle();
  }
}
