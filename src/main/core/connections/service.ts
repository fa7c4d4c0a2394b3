import { randomUUID } from 'node:crypto';
import type { ProfileInput, ProfileView } from '../../../shared/domain/connections';
import { ProfileInput as ProfileInputSchema } from '../../../shared/domain/connections';
import { ambientCredential, parseUrl, type Credential, type Target } from '../db/connection';
import { Database } from '../db/database';
import type { DemoManager } from '../demo/manager';
import { OpsError } from '../util/errors';
import { registerSecret } from '../util/redact';
import type { SettingsStore, StoredProfile } from './settings';
import type { PasswordVault } from './vault';

export const DEMO_ID = 'demo';
const DEFAULT_PATTERN = 'org_%';

/**
 * Connection profiles: stored without passwords; a password comes from the vault (Electron),
 * this session's memory, PGPASSWORD or ~/.pgpass, in that order.
 */
export class ConnectionService {
  private readonly sessionPasswords = new Map<string, string>();
  private readonly databases = new Map<string, Database>();

  constructor(
    private readonly settings: SettingsStore,
    private readonly vault: PasswordVault,
    private readonly demo: DemoManager,
  ) {}

  async list(): Promise<{ profiles: ProfileView[]; activeId: string | null }> {
    const s = await this.settings.read();
    const views = await Promise.all(s.profiles.map((p) => this.view(p)));
    const demo = this.demoView();
    const profiles = demo ? [...views, demo] : views;
    const activeId = s.activeId && profiles.some((p) => p.id === s.activeId) ? s.activeId : (profiles[0]?.id ?? null);
    return { profiles, activeId };
  }

  /** No connection configured: the app falls back to the demo database. */
  async isUnconfigured(): Promise<boolean> {
    return (await this.settings.read()).profiles.length === 0;
  }

  async save(raw: ProfileInput): Promise<{ profile: ProfileView; note?: string }> {
    const input = ProfileInputSchema.parse(raw);
    if (input.id === DEMO_ID) throw new OpsError('read_only', 'The demo connection cannot be edited.', 'Add a new connection instead.');
    let target: Target;
    let password = input.password || undefined;
    if (input.url) {
      const parsed = parseUrl(input.url);
      target = { ...parsed.target };
      password ??= parsed.password;
    } else {
      target = {
        host: input.host!,
        port: input.port ?? 5432,
        database: input.database ?? input.user ?? 'postgres',
        user: input.user ?? 'postgres',
        sslmode: input.sslmode ?? 'prefer',
      };
    }
    if (input.sslmode) target.sslmode = input.sslmode;
    registerSecret(password);

    const s = await this.settings.read();
    const existing = input.id ? s.profiles.find((p) => p.id === input.id) : undefined;
    if (input.id && !existing) throw new OpsError('not_found', `No connection with id ${input.id}.`, 'Reload the list; it may have been deleted.');
    const id = existing?.id ?? randomUUID().slice(0, 8);

    let note: string | undefined;
    let passwordStored = existing?.passwordStored ?? false;
    if (password !== undefined) {
      const vaultStatus = await this.vault.status();
      if (input.savePassword && vaultStatus.canPersist) {
        await this.vault.save(id, password);
        passwordStored = true;
        this.sessionPasswords.delete(id);
      } else {
        this.sessionPasswords.set(id, password);
        if (passwordStored) await this.vault.remove(id);
        passwordStored = false;
        note = input.savePassword ? `Password kept for this session only: ${vaultStatus.reason}` : 'Password kept for this session only.';
      }
    }

    const profile: StoredProfile = {
      id,
      name: input.name,
      environment: input.environment,
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      sslmode: target.sslmode,
      ...(target.params ? { params: target.params } : {}),
      tenantPattern: input.tenantPattern ?? existing?.tenantPattern ?? DEFAULT_PATTERN,
      passwordStored,
    };
    const profiles = existing ? s.profiles.map((p) => (p.id === id ? profile : p)) : [...s.profiles, profile];
    await this.settings.write({ ...s, profiles, activeId: s.activeId ?? id });
    await this.dropDatabase(id);
    return { profile: await this.view(profile), ...(note ? { note } : {}) };
  }

  async remove(id: string, confirm?: string): Promise<boolean> {
    if (id === DEMO_ID) throw new OpsError('read_only', 'The demo connection cannot be deleted.', 'It disappears once you add a connection of your own.');
    const s = await this.settings.read();
    const profile = s.profiles.find((p) => p.id === id);
    if (!profile) return false;
    requireConfirmation(profile, confirm, 'delete this connection');
    await this.vault.remove(id);
    this.sessionPasswords.delete(id);
    await this.dropDatabase(id);
    const profiles = s.profiles.filter((p) => p.id !== id);
    await this.settings.write({ ...s, profiles, activeId: s.activeId === id ? (profiles[0]?.id ?? null) : s.activeId });
    return true;
  }

  async activate(id: string): Promise<string> {
    const { profiles } = await this.list();
    if (!profiles.some((p) => p.id === id)) throw new OpsError('not_found', `No connection with id ${id}.`, 'Pick one from the list.');
    const s = await this.settings.read();
    await this.settings.write({ ...s, activeId: id });
    return id;
  }

  /** The profile (as stored, or the demo's) for an id, or the active one. */
  async profile(id?: string): Promise<StoredProfile> {
    const { activeId } = await this.list();
    const wanted = id ?? activeId;
    if (!wanted) throw new OpsError('no_connection', 'No connection is configured.', 'Add one under Settings, or start the app without one to use the demo database.');
    if (wanted === DEMO_ID) {
      const handle = await this.demo.ensure();
      return demoProfile(handle.host, handle.port, handle.database, handle.user);
    }
    const s = await this.settings.read();
    const p = s.profiles.find((x) => x.id === wanted);
    if (!p) throw new OpsError('not_found', `No connection with id ${wanted}.`, 'Pick one from the list under Settings.');
    return p;
  }

  /** The Database (pools) for a profile; created once and reused. */
  async database(id?: string): Promise<{ db: Database; profile: StoredProfile }> {
    const profile = await this.profile(id);
    let db = this.databases.get(profile.id);
    if (!db) {
      db = new Database(targetOf(profile), await this.credential(profile));
      this.databases.set(profile.id, db);
    }
    return { db, profile };
  }

  async test(id: string): Promise<{ ok: boolean; latencyMs?: number; serverVersion?: string; ssl?: boolean; passwordSource?: ProfileView['passwordSource']; error?: { code: string; message: string; hint?: string } }> {
    const { db } = await this.database(id);
    const started = performance.now();
    const r = await db.query<{ v: string; ssl: boolean }>("SELECT current_setting('server_version') AS v, coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS ssl");
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10, serverVersion: r.rows[0]!.v, ssl: r.rows[0]!.ssl, passwordSource: viewSource(db.passwordSource) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.databases.values()].map((d) => d.close()));
    this.databases.clear();
  }

  private async credential(p: StoredProfile): Promise<Credential> {
    if (p.id === DEMO_ID) {
      const handle = await this.demo.ensure();
      registerSecret(handle.password);
      return { password: handle.password, source: 'demo' };
    }
    const session = this.sessionPasswords.get(p.id);
    if (session !== undefined) return { password: session, source: 'session' };
    if (p.passwordStored) {
      const stored = await this.vault.load(p.id);
      if (stored !== undefined) {
        registerSecret(stored);
        return { password: stored, source: 'stored' };
      }
    }
    return ambientCredential(targetOf(p));
  }

  private async view(p: StoredProfile): Promise<ProfileView> {
    const source = this.sessionPasswords.has(p.id) ? 'session' : p.passwordStored ? 'stored' : (await ambientCredential(targetOf(p))).source;
    return { id: p.id, name: p.name, environment: p.environment, host: p.host, port: p.port, database: p.database, user: p.user, sslmode: p.sslmode, tenantPattern: p.tenantPattern, passwordSource: viewSource(source), isDemo: false };
  }

  private demoView(): ProfileView | undefined {
    const handle = this.demo.running;
    if (!handle && this.demo.state !== 'starting') return undefined;
    const p = demoProfile(handle?.host ?? '127.0.0.1', handle?.port ?? 0, handle?.database ?? 'podcastflow', handle?.user ?? 'postgres');
    return { ...p, passwordSource: 'demo', isDemo: true } as ProfileView;
  }

  private async dropDatabase(id: string): Promise<void> {
    const db = this.databases.get(id);
    this.databases.delete(id);
    await db?.close();
  }
}

function demoProfile(host: string, port: number, database: string, user: string): StoredProfile {
  return { id: DEMO_ID, name: 'Demo (embedded)', environment: 'development', host, port, database, user, sslmode: 'disable', tenantPattern: DEFAULT_PATTERN, passwordStored: false };
}

export function targetOf(p: StoredProfile): Target {
  return { host: p.host, port: p.port, database: p.database, user: p.user, sslmode: p.sslmode, ...(p.params ? { params: p.params } : {}) };
}

function viewSource(s: Credential['source']): ProfileView['passwordSource'] {
  return s === 'url' || s === 'secrets-manager' ? 'session' : s;
}

/** Destructive actions on production need the database name typed back. */
export function requireConfirmation(p: Pick<StoredProfile, 'environment' | 'database'>, confirm: string | undefined, action: string): void {
  if (p.environment === 'production' && confirm !== p.database) {
    throw new OpsError('confirmation_required', `To ${action} on production, type the database name "${p.database}" to confirm.`, 'Nothing was changed.');
  }
}

