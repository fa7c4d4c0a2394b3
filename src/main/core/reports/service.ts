/**
 * Reports for the app (issue 14): generate as a task (progress per section, cancel), the saved list with
 * retention, renderings for preview and download, diffs of two saved reports, and a daily/weekly schedule
 * that runs while the app (or serve) runs, with the same as a cron line for when it does not.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { DrillRecord, DrRun } from '../../../shared/domain/dr';
import { GenerateInput, ReportSettings, type PaperSize, type Report, type SavedReport } from '../../../shared/domain/reports';
import { DEFAULT_TENANT_PATTERN } from '../../../shared/vocabulary';
import type { BackupService } from '../backup/service';
import { openDestination } from '../backup/destination';
import type { ConnectionService } from '../connections/service';
import { describeTarget } from '../db/connection';
import type { HealthService } from '../health/service';
import { readJson, writeJsonAtomic } from '../store/files';
import type { TaskManager } from '../tasks/tasks';
import { OpsError } from '../util/errors';
import type { Logger } from '../util/log';
import { cronEscape, shellQuote } from '../util/shell';
import { buildReport } from './build';
import { diffReports } from './diff';
import { renderHtml } from './html';
import { incidentReport } from './incident';
import { renderPdf } from './pdf';
import { ReportStore } from './store';

/** What the DR engine gives reports: drill records and runs of a connection (wired by App once it exists). */
export interface DrSource {
  drills(connectionId: string, since: Date): Promise<DrillRecord[]>;
  run(connectionId: string, runId: string): Promise<DrRun>;
}

export interface ReportsDeps {
  home: string;
  tasks: TaskManager;
  log: Logger;
  connections: ConnectionService;
  health: HealthService;
  backups: BackupService;
  appVersion: string;
  dr?: DrSource;
  now?: () => Date;
}

const DEFAULT_SETTINGS: ReportSettings = {
  retention: { keepLast: 30, keepDays: 90 },
  schedule: { enabled: false, every: 'weekly', hour: 6, sections: ['health', 'tenants', 'backups', 'dr', 'secrets'], format: 'html' },
};
const SettingsFile = z.object({ byConnection: z.record(z.string(), z.object({ settings: ReportSettings, lastScheduledAt: z.string().optional() })) });
type SettingsFile = z.infer<typeof SettingsFile>;

/** The moment the schedule last became due at or before `now` (daily at hour H UTC; weekly on Mondays). */
export function lastDue(s: ReportSettings['schedule'], now: Date): Date {
  const due = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), s.hour));
  if (due > now) due.setUTCDate(due.getUTCDate() - 1);
  if (s.every === 'weekly') while (due.getUTCDay() !== 1) due.setUTCDate(due.getUTCDate() - 1);
  return due;
}

/** The crontab line doing what the schedule does: every argument one quoted word, % escaped for cron. */
export function reportCronLine(s: ReportSettings['schedule'], db: string, pattern: string, backups: string): string {
  const args = ['report', '--db', db, '--pattern', pattern, '--format', s.format, '--sections', s.sections.join(','), '--backups', backups, '--dest', s.destination ?? 'REPORT_FOLDER'];
  // cron reads the hour in the machine's zone: CRON_TZ=UTC above the line keeps it in UTC as in the app.
  return `0 ${s.hour} * * ${s.every === 'weekly' ? '1' : '*'} ${cronEscape(`podcastflow-ops ${args.map(shellQuote).join(' ')} >> report.log 2>&1`)}`;
}

export class ReportsService {
  readonly store: ReportStore;
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;

  constructor(private readonly deps: ReportsDeps) {
    this.store = new ReportStore(join(deps.home, 'reports'));
    this.now = deps.now ?? (() => new Date());
  }

  /** The DR engine's drill records and runs, once it is wired (until then: readiness only). */
  setDrSource(dr: DrSource): void {
    this.deps.dr = dr;
  }

  private get settingsFile(): string {
    return join(this.deps.home, 'reports-settings.json');
  }

  private async readSettings(): Promise<SettingsFile> {
    return readJson(this.settingsFile, SettingsFile, { byConnection: {} });
  }

  async settings(connectionId?: string): Promise<{ settings: ReportSettings; cronLine: string }> {
    const profile = await this.deps.connections.profile(connectionId);
    const settings = (await this.readSettings()).byConnection[profile.id]?.settings ?? DEFAULT_SETTINGS;
    const backups = await this.deps.backups.settings();
    const db = describeTarget({ host: profile.host, port: profile.port, database: profile.database, user: profile.user, sslmode: profile.sslmode });
    return { settings, cronLine: reportCronLine(settings.schedule, db, profile.tenantPattern ?? DEFAULT_TENANT_PATTERN, this.deps.backups.destination(backups).location) };
  }

  async configure(connectionId: string | undefined, settings: ReportSettings): Promise<{ settings: ReportSettings; cronLine: string }> {
    const profile = await this.deps.connections.profile(connectionId);
    // A destination that cannot take a file is refused now, not at 6 a.m.
    if (settings.schedule.destination) await openDestination(settings.schedule.destination, (await this.deps.backups.settings()).s3).check?.();
    const file = await this.readSettings();
    file.byConnection[profile.id] = { ...file.byConnection[profile.id], settings };
    await writeJsonAtomic(this.settingsFile, file);
    return this.settings(profile.id);
  }

  /** Build a report of a connection now (the task's work, and the schedule's). */
  private async build(connectionId: string, input: z.output<typeof GenerateInput>, signal?: AbortSignal, progress?: (done: number, total: number, what: string) => void): Promise<Report> {
    const { db, profile } = await this.deps.connections.database(connectionId);
    const backups = await this.deps.backups.settings();
    const dr = this.deps.dr;
    return buildReport(
      {
        db,
        tenantPattern: profile.tenantPattern,
        thresholds: await this.deps.health.thresholds.get(profile.id),
        history: (fromMs, toMs) => this.deps.health.history(profile.id).read((toMs - fromMs) / 3_600_000, 200, toMs),
        backups: { destination: this.deps.backups.destination(backups), retention: backups.retention },
        ...(dr ? { drills: (since: Date) => dr.drills(profile.id, since) } : {}),
        appVersion: this.deps.appVersion,
        now: this.now,
        ...(signal ? { signal } : {}),
        ...(progress ? { onProgress: progress } : {}),
      },
      { sections: input.sections, ...(input.since ? { since: new Date(input.since) } : {}) },
    );
  }

  async generate(raw: z.input<typeof GenerateInput>): Promise<{ taskId: string }> {
    const input = GenerateInput.parse(raw);
    const profile = await this.deps.connections.profile(input.connectionId);
    const { settings } = await this.settings(profile.id);
    const { task } = this.deps.tasks.start({ kind: 'reports.generate', title: `Report on ${profile.database}`, unit: 'sections', connectionId: profile.id }, async (ctx) => {
      const report = await this.build(profile.id, input, ctx.signal, (done, total, what) => {
        ctx.progress(done, total, 'sections');
        if (what !== 'done') ctx.log(`${what}…`);
      });
      // Cancelled while the last section ran: nothing is saved.
      if (ctx.signal.aborted) throw new OpsError('cancelled', 'The report was cancelled.');
      const entry = await this.store.save(report, profile.id, settings.retention);
      ctx.log(`Saved: ${report.status}, ${Math.round(entry.bytes / 1024)} KiB.`);
      return entry;
    });
    return { taskId: task.id };
  }

  async list(connectionId?: string): Promise<{ reports: SavedReport[] }> {
    const profile = await this.deps.connections.profile(connectionId);
    return { reports: await this.store.list(profile.id) };
  }

  get(id: string): Promise<Report> {
    return this.store.get(id);
  }

  async html(id: string): Promise<{ html: string }> {
    return { html: renderHtml(await this.store.get(id)) };
  }

  async pdf(id: string, paper: PaperSize): Promise<{ base64: string; bytes: number }> {
    const buf = await renderPdf(await this.store.get(id), paper);
    return { base64: buf.toString('base64'), bytes: buf.length };
  }

  async remove(id: string): Promise<{ deleted: boolean }> {
    return { deleted: await this.store.remove(id) };
  }

  async diff(fromId: string, toId: string): Promise<SavedReport> {
    if (fromId === toId) throw new OpsError('invalid_input', 'Pick two different reports to compare.');
    const [a, b] = await Promise.all([this.store.get(fromId), this.store.get(toId)]);
    const d = diffReports(a, b, this.now());
    const owner = (await this.store.list()).find((e) => e.id === toId) as (SavedReport & { connectionId?: string }) | undefined;
    const connectionId = owner?.connectionId ?? 'unknown';
    const retention = connectionId === 'unknown' ? DEFAULT_SETTINGS.retention : (await this.readSettings()).byConnection[connectionId]?.settings.retention ?? DEFAULT_SETTINGS.retention;
    return this.store.save(d, connectionId, retention);
  }

  /** The post-incident record of a DR run, saved like any report. */
  async incident(connectionId: string | undefined, runId: string): Promise<SavedReport> {
    const dr = this.deps.dr;
    if (!dr) throw new OpsError('not_found', 'DR runs are not available in this build yet.', 'Export the run once the DR engine is part of the app.');
    const { db, profile } = await this.deps.connections.database(connectionId);
    const run = await dr.run(profile.id, runId);
    const { host, port, database } = db.target;
    const report = incidentReport(run, { key: `${host}:${port}/${database}`, host, port, database }, this.deps.appVersion, this.now());
    return this.store.save(report, profile.id, (await this.settings(profile.id)).settings.retention);
  }

  // ---- schedule --------------------------------------------------------------------------------

  startSchedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Run every schedule that became due since it last ran; one at a time, each failure logged. */
  async tick(): Promise<void> {
    const file = await this.readSettings().catch(() => ({ byConnection: {} }) as SettingsFile);
    for (const [connectionId, entry] of Object.entries(file.byConnection)) {
      const s = entry.settings.schedule;
      if (!s.enabled) continue;
      const due = lastDue(s, this.now());
      if (entry.lastScheduledAt && Date.parse(entry.lastScheduledAt) >= due.getTime()) continue;
      try {
        // Recorded first: a report that fails is not retried every minute (the log says why).
        const latest = await this.readSettings();
        latest.byConnection[connectionId] = { ...entry, lastScheduledAt: this.now().toISOString() };
        await writeJsonAtomic(this.settingsFile, latest);
        const report = await this.build(connectionId, GenerateInput.parse({ connectionId, sections: s.sections }));
        const saved = await this.store.save(report, connectionId, entry.settings.retention, { scheduled: true });
        if (s.destination) {
          const dest = openDestination(s.destination, (await this.deps.backups.settings()).s3);
          const body = s.format === 'pdf' ? await renderPdf(report) : s.format === 'html' ? renderHtml(report) : JSON.stringify({ ...report, id: saved.id }, null, 2);
          await dest.putSmall(`${saved.id}.${s.format}`, body, s.format === 'pdf' ? 'application/pdf' : s.format === 'html' ? 'text/html' : 'application/json');
        }
        this.deps.log(`Scheduled report ${saved.id}: ${saved.status}.`);
      } catch (err) {
        this.deps.log(`Scheduled report of ${connectionId} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
