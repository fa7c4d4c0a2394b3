/**
 * Backups for the app (Electron / browser mode): settings in <home>/backups.json, keys in
 * <home>/backup-keys (0700, files 0600), work run as tasks (progress, cancel), a schedule while the app
 * runs. The renderer gets key ids and paths, never a passphrase.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { BackupSettingsView, CatalogEntry, RetentionPlan } from '../../../shared/domain/backups';
import { RetentionRule } from '../../../shared/domain/backups';
import { DEFAULT_TENANT_PATTERN, ScheduledBackupKind, type BackupKind } from '../../../shared/vocabulary';
import { requireConfirmation, type ConnectionService } from '../connections/service';
import { describeTarget } from '../db/connection';
import { readJson, writeJsonAtomic } from '../store/files';
import type { TaskManager } from '../tasks/tasks';
import { OpsError } from '../util/errors';
import { cronEscape, shellQuote } from '../util/shell';
import { resultOf, runBackup } from './backup';
import { applyRetention, filterCatalog, lastBackups, pageCatalog, readCatalog, type CatalogFilter } from './catalog';
import { openDestination, openManifestRef, type Destination } from './destination';
import { generateKeyFile, loadKey, loadKeyring, type BackupKey, type KeySource } from './keys';
import { dropRestoredCopy, listRestoredCopies } from './restored-copies';
import { restoreNames } from './naming';
import { restoreBackup, verifyBackup, type RestoreMode } from './restore';

const Settings = z.object({
  destination: z.string().optional(),
  s3: z.object({ endpoint: z.string().optional(), region: z.string().optional(), profile: z.string().optional(), sse: z.enum(['AES256', 'aws:kms']).optional(), kmsKeyId: z.string().optional() }).default({}),
  key: z.union([z.object({ kind: z.literal('file'), path: z.string() }), z.object({ kind: z.literal('aws-secret'), secretId: z.string(), region: z.string().optional() })]).optional(),
  retention: RetentionRule.default({ keepLast: 7, keepDays: 30 }),
  schedule: z.object({ enabled: z.boolean(), everyHours: z.number().int().min(1).max(168), kind: ScheduledBackupKind }).default({ enabled: false, everyHours: 24, kind: 'all-tenants' }),
});
export type Settings = z.infer<typeof Settings>;

/** The crontab line for the schedule: every argument one quoted word, every % escaped for cron. */
export function cronLineFor(s: Settings, db: string, destination: string, pattern: string): string {
  const keyArgs = s.key?.kind === 'aws-secret' ? ['--key-secret', s.key.secretId] : ['--key-file', s.key?.kind === 'file' ? s.key.path : 'KEYFILE'];
  const scope = s.schedule.kind === 'full' ? ['--full'] : ['--all-tenants', '--pattern', pattern];
  const args = ['backup', '--db', db, ...scope, '--dest', destination, ...keyArgs, '--json'];
  return `0 */${Math.min(24, s.schedule.everyHours)} * * * ${cronEscape(`podcastflow-ops ${args.map(shellQuote).join(' ')} >> backup.log 2>&1`)}`;
}

export const KEY_WARNING =
  'Store this key safely, away from the backups (a password manager or a secrets store). Without it the backups are unreadable: nobody, including this app, can restore them.';

export class BackupService {
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly home: string,
    private readonly tasks: TaskManager,
    private readonly connections: ConnectionService,
  ) {}

  private get file(): string {
    return join(this.home, 'backups.json');
  }
  get keyringDir(): string {
    return join(this.home, 'backup-keys');
  }

  async settings(): Promise<Settings> {
    return readJson(this.file, Settings, Settings.parse({}));
  }

  destination(s: Settings): Destination {
    return openDestination(s.destination ?? join(this.home, 'backups'), s.s3);
  }

  async view(connectionId?: string): Promise<BackupSettingsView> {
    const s = await this.settings();
    let key: BackupSettingsView['key'] = { configured: false };
    if (s.key) {
      const place = { source: s.key.kind === 'file' ? ('file' as const) : ('aws-secret' as const), where: s.key.kind === 'file' ? s.key.path : s.key.secretId };
      try {
        key = { configured: true, keyId: (await loadKey(s.key)).keyId, ...place };
      } catch {
        // A key that cannot be loaded shows as not configured, with where it was looked for.
        key = { configured: false, ...place };
      }
    }
    const dest = this.destination(s);
    let db = 'postgres://USER@HOST:5432/DB';
    let pattern = DEFAULT_TENANT_PATTERN;
    try {
      const p = await this.connections.profile(connectionId);
      db = describeTarget({ host: p.host, port: p.port, database: p.database, user: p.user, sslmode: p.sslmode });
      pattern = p.tenantPattern;
    } catch {
      // No connection yet: a placeholder URL in the cron line.
    }
    const cronLine = cronLineFor(s, db, dest.location, pattern);
    return { destination: dest.location, s3: s.s3, key, retention: s.retention, schedule: s.schedule, cronLine };
  }

  /** Save the settings and answer with the view of them (the page shows what was saved). */
  async configure(input: { destination?: string; s3?: Settings['s3']; keyFile?: string; keySecretId?: string; retention?: Settings['retention']; schedule?: Settings['schedule'] }): Promise<BackupSettingsView> {
    const s = await this.settings();
    // The form, then the folder itself: it exists or can be made, is a folder, and takes a probe file.
    if (input.destination) await openDestination(input.destination, input.s3 ?? s.s3).check?.();
    let key: KeySource | undefined = s.key;
    if (input.keyFile) key = (await loadKey({ kind: 'file', path: input.keyFile })).source;
    if (input.keySecretId) key = (await loadKey({ kind: 'aws-secret', secretId: input.keySecretId, ...(input.s3?.region ? { region: input.s3.region } : {}) })).source;
    const next: Settings = { ...s, ...(input.destination ? { destination: input.destination } : {}), ...(input.s3 ? { s3: input.s3 } : {}), ...(key ? { key } : {}), ...(input.retention ? { retention: input.retention } : {}), ...(input.schedule ? { schedule: input.schedule } : {}) };
    await writeJsonAtomic(this.file, next);
    this.startSchedule(next);
    return this.view();
  }

  /** New key: new backups use it; the old key files stay in the keyring for restores (rotation). */
  async generateKey(): Promise<{ keyId: string; path: string; warning: string }> {
    const k = await generateKeyFile(this.keyringDir);
    const s = await this.settings();
    await writeJsonAtomic(this.file, { ...s, key: k.source });
    return { keyId: k.keyId, path: (k.source as { path: string }).path, warning: KEY_WARNING };
  }

  private async activeKey(s: Settings): Promise<BackupKey> {
    if (!s.key) throw new OpsError('key_required', 'No backup key is set up yet.', 'Generate one on the Backups page (and store it safely), or point to a key file or AWS secret.');
    return loadKey(s.key);
  }

  private async allKeys(s: Settings): Promise<BackupKey[]> {
    const keys = await loadKeyring(this.keyringDir);
    if (s.key) {
      const active = await loadKey(s.key).catch(() => undefined);
      if (active && !keys.some((k) => k.keyId === active.keyId)) keys.unshift(active);
    }
    return keys;
  }

  /** The destination and keys other domains' work uses (the DR engine's actions), as this page has them set up. */
  async tools(): Promise<{ dest: Destination; keys: () => Promise<BackupKey[]>; key: () => Promise<BackupKey>; catalog: () => Promise<CatalogEntry[]> }> {
    const s = await this.settings();
    return { dest: this.destination(s), keys: () => this.allKeys(s), key: () => this.activeKey(s), catalog: () => this.catalog(s) };
  }

  async list(q: CatalogFilter & { cursor?: string; limit?: number }) {
    const s = await this.settings();
    return pageCatalog(filterCatalog(await this.catalog(s), q), q.cursor, q.limit ?? 50);
  }

  /** The catalog; the default folder not made yet (no backup so far) is an empty one, a configured folder that is gone an error. */
  private async catalog(s: Settings) {
    return readCatalog(this.destination(s)).catch((err: unknown) => {
      if (!s.destination && err instanceof OpsError && err.code === 'destination_not_found') return [];
      throw err;
    });
  }

  /** The newest backup of every tenant of a connection's database (from the destination's manifests). */
  async lastByTenant(connectionId?: string) {
    const s = await this.settings();
    const profile = await this.connections.profile(connectionId);
    return lastBackups(await this.catalog(s), profile.database);
  }

  async run(scope: BackupKind, tenant: string | undefined, connectionId?: string): Promise<{ taskId: string }> {
    const s = await this.settings();
    const key = await this.activeKey(s);
    const { db, profile } = await this.connections.database(connectionId);
    if (scope === 'tenant' && !tenant) throw new OpsError('invalid_input', 'A tenant backup needs the tenant schema.');
    const dest = this.destination(s);
    const title = scope === 'tenant' ? `Back up ${tenant}` : scope === 'full' ? `Full backup of ${profile.database}` : `Back up all tenants of ${profile.database}`;
    const { task } = this.tasks.start({ kind: 'backups.run', title, unit: 'bytes', connectionId: profile.id }, async (ctx) => {
      const out = await runBackup({
        db,
        dest,
        key,
        scope: scope === 'tenant' ? { kind: 'tenant', tenant: tenant! } : scope === 'full' ? { kind: 'full' } : { kind: 'all-tenants', pattern: profile.tenantPattern },
        signal: ctx.signal,
        log: ctx.log,
        progress: (d, t) => ctx.progress(d, t, 'bytes'),
      });
      ctx.log(`Done: ${out.manifestLocation}`);
      return resultOf(out);
    });
    return { taskId: task.id };
  }

  async restore(input: { connectionId?: string; manifest: string; tenant?: string; mode: RestoreMode; target?: string; confirm?: string }): Promise<{ taskId: string }> {
    const s = await this.settings();
    const keys = await this.allKeys(s);
    const { db, profile } = await this.connections.database(input.connectionId);
    const { dest, name } = openManifestRef(input.manifest, s.s3);
    const { task } = this.tasks.start({ kind: 'backups.restore', title: `Restore ${name}`, unit: 'bytes', connectionId: profile.id }, async (ctx) =>
      restoreBackup({
        db,
        dest,
        name,
        keys,
        mode: input.mode,
        signal: ctx.signal,
        log: ctx.log,
        progress: (d, t, u) => ctx.progress(d, t, u),
        ...(input.tenant ? { tenant: input.tenant } : {}),
        ...(input.target ? { target: input.target } : {}),
        ...(input.confirm ? { confirm: input.confirm } : {}),
        safetyBackup: async (tenant) => (await runBackup({ db, dest: this.destination(s), key: await this.activeKey(s), scope: { kind: 'tenant', tenant }, signal: ctx.signal, log: ctx.log })).manifestLocation,
      }),
    );
    return { taskId: task.id };
  }

  async verify(input: { connectionId?: string; manifest: string }): Promise<{ taskId: string }> {
    const s = await this.settings();
    const keys = await this.allKeys(s);
    const { db, profile } = await this.connections.database(input.connectionId);
    const { dest, name } = openManifestRef(input.manifest, s.s3);
    const { task } = this.tasks.start({ kind: 'backups.verify', title: `Verify ${name}`, unit: 'bytes', connectionId: profile.id }, async (ctx) => {
      const rec = await verifyBackup({ db, dest, name, keys, signal: ctx.signal, log: ctx.log, progress: (d, t, u) => ctx.progress(d, t, u) });
      if (rec.status === 'could-not-verify') throw new OpsError('verify_inconclusive', `Backup ${name} was not judged: ${rec.error}.`, 'Fix the cause (pg_restore on this machine, the connection) and verify again; the backup still counts as unverified.');
      if (!rec.ok) throw new OpsError('verify_failed', `Backup ${name} is NOT restorable: ${rec.error ?? `${rec.mismatches.length} tables differ from the manifest`}.`);
      ctx.log(`Verified restorable: ${rec.tablesCompared} tables, ${rec.rowsCompared} rows.`);
      return rec;
    });
    return { taskId: task.id };
  }

  async retention(dryRun: boolean): Promise<RetentionPlan> {
    const s = await this.settings();
    return applyRetention(this.destination(s), s.retention, dryRun);
  }

  /** The side schemas restores left in a connection's database (never tenants). */
  /** The names a restore would choose now (the renderer shows them; naming.ts decides them, in bytes). */
  async restoreNames(input: { tenant?: string; database?: string }): Promise<{ sideSchema?: string; database?: string }> {
    return restoreNames(input);
  }

  async restoredCopies(connectionId?: string) {
    const { db } = await this.connections.database(connectionId);
    return { copies: await listRestoredCopies(db) };
  }

  /** Drop one restored copy, after the confirmation production needs (the database name typed back). */
  async dropRestoredCopy(input: { connectionId?: string; schema: string; confirm?: string }) {
    const { db, profile } = await this.connections.database(input.connectionId);
    requireConfirmation(profile, input.confirm, `drop the restored copy ${input.schema}`);
    return dropRestoredCopy(db, input.schema);
  }

  /** Backups on a timer while the app runs (cron for when it does not: see the cron line). */
  startSchedule(s: Settings): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!s.schedule.enabled) return;
    this.timer = setInterval(() => void this.run(s.schedule.kind, undefined).catch(() => {}), s.schedule.everyHours * 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
