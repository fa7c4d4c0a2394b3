/**
 * Point-in-time recovery for the app: each connection's pgBackRest settings in <home>/pitr.json (no
 * secret in it), the demo's own repo when the demo runs with archiving, status, and the tenant restore as
 * a task (progress per phase, cancel).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { PitrConfig, type PitrStatus, type PitrTarget } from '../../../shared/domain/pitr';
import type { ConnectionService } from '../connections/service';
import { DEMO_ID } from '../connections/service';
import type { DemoManager } from '../demo/manager';
import type { PitrHook } from '../dr/restore-point';
import { loadSql } from '../db/sql';
import { readJson, writeJsonAtomic } from '../store/files';
import type { TaskManager } from '../tasks/tasks';
import { OpsError } from '../util/errors';
import { pitrHook } from './restore-points';
import { describeTarget } from './restore';
import { pitrStatus } from './status';

const Saved = z.object({ connections: z.record(z.string(), PitrConfig).default({}) });

export class PitrService {
  constructor(
    private readonly home: string,
    private readonly tasks: TaskManager,
    private readonly connections: ConnectionService,
    private readonly demo: DemoManager,
  ) {}

  private get file(): string {
    return join(this.home, 'pitr.json');
  }

  /** The connection's settings: saved for it, else (the demo) the demo's own repo while it archives. */
  async config(connectionId?: string): Promise<{ cfg?: PitrConfig; source?: PitrStatus['source']; id: string }> {
    const profile = await this.connections.profile(connectionId);
    const saved = (await readJson(this.file, Saved, { connections: {} })).connections[profile.id];
    if (saved) return { cfg: saved, source: 'connection', id: profile.id };
    const demoCfg = profile.id === DEMO_ID ? this.demo.running?.pitr : undefined;
    return demoCfg ? { cfg: demoCfg, source: 'demo', id: profile.id } : { id: profile.id };
  }

  async status(connectionId?: string): Promise<PitrStatus> {
    const { cfg, source } = await this.config(connectionId);
    const { db } = await this.connections.database(connectionId);
    return pitrStatus(cfg, db, source);
  }

  async configure(connectionId: string | undefined, config: PitrConfig | null): Promise<PitrStatus> {
    const { id } = await this.config(connectionId);
    const s = await readJson(this.file, Saved, { connections: {} });
    if (config) s.connections[id] = config;
    else delete s.connections[id];
    await writeJsonAtomic(this.file, s);
    return this.status(connectionId);
  }

  async restore(input: { connectionId?: string; tenant: string; target: PitrTarget; intoSchema?: string }): Promise<{ taskId: string }> {
    const { cfg } = await this.config(input.connectionId);
    if (!cfg) throw new OpsError('pitr_not_configured', 'Point-in-time recovery is not set up for this connection.', 'Name its pgBackRest stanza (and config file or repo) under Backups → Point in time, or run the demo with PITR.');
    const { db, profile } = await this.connections.database(input.connectionId);
    const { task } = this.tasks.start({ kind: 'pitr.restore', title: `Restore ${input.tenant} to ${describeTarget(input.target)}`, unit: 'phases', connectionId: profile.id }, (ctx) =>
      pitrHook(cfg, db).restoreBeside({ tenant: input.tenant, target: input.target, ...(input.intoSchema ? { into: input.intoSchema } : {}), signal: ctx.signal, log: ctx.log, progress: ctx.progress }),
    );
    return { taskId: task.id };
  }

  /** Tenants for the restore dialog's picker (one page; `more` when there are others). */
  async tenants(input: { connectionId?: string; search: string; limit: number }): Promise<{ tenants: string[]; more: boolean }> {
    const { db, profile } = await this.connections.database(input.connectionId);
    const rows = (await db.query<{ tenant: string }>(loadSql('pitr/tenant_search'), [profile.tenantPattern, input.search, input.limit + 1], { purpose: 'monitor' })).rows;
    return { tenants: rows.slice(0, input.limit).map((r) => r.tenant), more: rows.length > input.limit };
  }

  /** The demo with or without WAL archiving (restarts it). */
  async setDemo(enabled: boolean): Promise<{ enabled: boolean; message: string }> {
    const handle = await this.demo.setPitr(enabled);
    const on = Boolean(handle.pitr);
    return { enabled: on, message: handle.pitrMessage ?? (on ? 'The demo database archives WAL to its pgBackRest repo; a first full backup was taken.' : 'The demo database runs without WAL archiving.') };
  }

  /** The DR engine's restore points (seconds before the incident) and tenant restore; undefined when not set up. */
  async forDr(connectionId?: string): Promise<PitrHook | undefined> {
    const { cfg } = await this.config(connectionId);
    if (!cfg) return undefined;
    const { db } = await this.connections.database(connectionId);
    return pitrHook(cfg, db);
  }
}
