import { randomUUID } from 'node:crypto';
import type { ProfileInput, ProfileView } from '../../../shared/domain/connections';
import type { CredentialSourceView, SecretRef } from '../../../shared/domain/secrets';
import type { z } from 'zod';
import { DEFAULT_TENANT_PATTERN } from '../../../shared/vocabulary';
import { ProfileInput as ProfileInputSchema, type ConnectionTestResult } from '../../../shared/domain/connections';
import { ambientCredential, parseUrl, type Credential, type Target } from '../db/connection';
import { Database } from '../db/database';
import type { DemoManager } from '../demo/manager';
import { SecretCredentialCache } from '../secrets/credentials';
import { RefreshingDatabase } from '../secrets/refreshing-database';
import { OpsError, toWireError } from '../util/errors';
import { registerSecret } from '../util/redact';
import type { SettingsStore, StoredProfile } from './settings';
import type { PasswordVault } from './vault';

export const DEMO_ID = 'demo';

async function asAnswer(test: () => Promise<ConnectionTestResult>): Promise<ConnectionTestResult> {
  try {
    return await test();
  } catch (err) {
    return { ok: false, error: toWireError(err) };
  }
}

/**
 * Connection profiles: stored without passwords; a password comes from the vault (Electron),
 * this session's memory, PGPASSWORD or ~/.pgpass, in that order.
 */
export class ConnectionService {
  private readonly sessionPasswords = new Map<string, string>();
  private readonly databases = new Map<string, Database>();
  /** Where each connection's active credential came from, and why (shown in Settings, Secrets, CLI). */
  private readonly sources = new Map<string, { kind: CredentialSourceView['kind']; detail: string; warning?: string; target?: Target }>();
  readonly secretCache = new SecretCredentialCache();

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
    const { target, password, secretNote } = await this.targetOfInput(input, true);

    const s = await this.settings.read();
    const existing = input.id ? s.profiles.find((p) => p.id === input.id) : undefined;
    if (input.id && !existing) throw new OpsError('not_found', `No connection with id ${input.id}.`, 'Reload the list; it may have been deleted.');
    const id = existing?.id ?? randomUUID().slice(0, 8);

    let note: string | undefined = secretNote;
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
      tenantPattern: input.tenantPattern ?? existing?.tenantPattern ?? DEFAULT_TENANT_PATTERN,
      passwordStored,
      ...(input.secret ? { secret: input.secret } : {}),
    };
    const profiles = existing ? s.profiles.map((p) => (p.id === id ? profile : p)) : [...s.profiles, profile];
    // activate: false pins the connection in use now (the demo, or the first profile) so the new one does not take over.
    const activeId = input.activate === true ? id : input.activate === false ? (await this.list()).activeId : (s.activeId ?? id);
    await this.settings.write({ ...s, profiles, activeId });
    await this.dropDatabase(id);
    this.sources.delete(id);
    return { profile: await this.view(profile), ...(note ? { note } : {}) };
  }

  /** Where a profile input points (URL, fields or secret) and the password it carries, if any. */
  private async targetOfInput(input: ParsedInput, tolerateSecretFailure: boolean): Promise<{ target: Target; password?: string; secretNote?: string }> {
    let target: Target;
    let password = input.password || undefined;
    let secretNote: string | undefined;
    if (input.secret && !input.url && !input.host) {
      // Host, port, database and user come from the secret; remember them as last known values.
      try {
        const r = await this.secretCache.resolve(input.secret, { ...(input.sslmode ? { sslmode: input.sslmode } : {}) });
        target = { ...r.target };
        if (!tolerateSecretFailure) password = r.password;
      } catch (err) {
        if (!tolerateSecretFailure) throw err;
        secretNote = `Secrets Manager could not be read now (${err instanceof Error ? err.message : String(err)}); the connection will read it when it connects.`;
        target = { host: '(from secret)', port: 5432, database: 'postgres', user: 'postgres', sslmode: input.sslmode ?? 'prefer' };
      }
    } else if (input.url) {
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
    return { target, ...(password !== undefined ? { password } : {}), ...(secretNote ? { secretNote } : {}) };
  }

  /**
   * Test connection settings before they are saved (the Settings form): one throw-away session, nothing
   * stored. Editing a saved profile without typing a password uses that profile's password.
   */
  async testDraft(raw: ProfileInput): Promise<ConnectionTestResult> {
    const input = ProfileInputSchema.parse(raw);
    const { target, password } = await this.targetOfInput(input, false);
    let credential: Credential;
    if (password !== undefined) credential = { password, source: input.secret ? 'secrets-manager' : 'session' };
    else if (input.id && input.id !== DEMO_ID) credential = await this.credential(await this.profile(input.id));
    else credential = await ambientCredential(target);
    const db = new Database(target, credential);
    try {
      return await probe(db);
    } finally {
      await db.close();
    }
  }

  async remove(id: string, confirm?: string): Promise<boolean> {
    if (id === DEMO_ID) throw new OpsError('read_only', 'The demo connection cannot be deleted.', 'It disappears once you add a connection of your own.');
    const s = await this.settings.read();
    const profile = s.profiles.find((p) => p.id === id);
    if (!profile) return false;
    requireConfirmation(profile, confirm, 'delete this connection');
    await this.vault.remove(id);
    this.sessionPasswords.delete(id);
    this.sources.delete(id);
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
    if (profile.secret) return { db: await this.secretDatabase(profile, profile.secret, db), profile };
    if (!db) {
      db = new Database(targetOf(profile), await this.credential(profile));
      this.databases.set(profile.id, db);
    }
    return { db, profile };
  }

  async test(id: string): Promise<ConnectionTestResult> {
    const { db } = await this.database(id);
    const note = this.sources.get(id);
    return { ...(await probe(db)), ...(note ? { credential: { detail: note.detail, ...(note.warning ? { warning: note.warning } : {}) } } : {}) };
  }

  /** connections.test: a failed test is an answer, not an error (the Settings page shows why). */
  async testAnswer(id: string): Promise<ConnectionTestResult> {
    return asAnswer(() => this.test(id));
  }

  /** connections.testDraft, answered the same way. */
  async testDraftAnswer(raw: ProfileInput): Promise<ConnectionTestResult> {
    return asAnswer(() => this.testDraft(raw));
  }

  /** Every connection's credential source, for the Secrets page and `audit secrets`. */
  async credentialSources(): Promise<CredentialSourceView[]> {
    const { profiles } = await this.list();
    return profiles.map((p) => {
      const known = this.sources.get(p.id);
      const kind: CredentialSourceView['kind'] = known?.kind ?? (p.secret ? 'secrets-manager' : p.passwordSource);
      const detail = known?.detail ?? (p.secret ? `Secrets Manager ${p.secret.id} (not read yet: connects on first use)` : sourceText(p.passwordSource));
      return { connectionId: p.id, name: p.name, kind, detail, ...(known?.warning ? { warning: known.warning } : {}), ...(p.secret ? { secret: p.secret } : {}) };
    });
  }

  /** After a rotation: read the secret again now and move every connection that uses it. */
  async refreshSecret(secretId: string): Promise<string[]> {
    const s = await this.settings.read();
    const users = s.profiles.filter((p) => p.secret && p.secret.id === secretId);
    for (const p of users) {
      this.secretCache.forget(p.secret!);
      await this.secretDatabase(p, p.secret!, this.databases.get(p.id)).catch(() => undefined);
    }
    return users.map((p) => p.id);
  }

  /**
   * Resolve a Secrets Manager profile: the secret (cached, revalidated after its TTL), else on a
   * transient failure with nothing cached the environment (DATABASE_URL, PG*). Records why.
   */
  private async secretDatabase(profile: StoredProfile, ref: SecretRef, existing: Database | undefined): Promise<Database> {
    if (existing && this.secretCache.isFresh(ref) && this.sources.get(profile.id)?.kind !== 'environment') return existing;
    const resolved = await this.resolveSecretCredential(profile, ref);
    if (existing instanceof RefreshingDatabase) {
      await existing.update(resolved.target, resolved.password);
      return existing;
    }
    await existing?.close();
    const db = new RefreshingDatabase(resolved.target, { ...(resolved.password !== undefined ? { password: resolved.password } : {}), source: resolved.source }, async () => {
      // An authentication failure: the secret may have been rotated under us. Fetch it at once.
      const r = await this.resolveSecretCredential(profile, ref, true);
      return r.source === 'secrets-manager' ? r : undefined;
    });
    this.databases.set(profile.id, db);
    return db;
  }

  private async resolveSecretCredential(profile: StoredProfile, ref: SecretRef, force = false): Promise<{ target: Target; password?: string; source: Credential['source'] }> {
    try {
      const r = await this.secretCache.resolve(ref, { force, sslmode: profile.sslmode });
      registerSecret(r.password);
      this.sources.set(profile.id, { kind: r.fromCache && r.warning ? 'secrets-manager-cache' : 'secrets-manager', detail: r.detail, ...(r.warning ? { warning: r.warning } : {}), target: r.target });
      return { target: r.target, ...(r.password !== undefined ? { password: r.password } : {}), source: 'secrets-manager' };
    } catch (err) {
      if (!(err as { transient?: boolean }).transient) throw err;
      const why = `Secrets Manager unreachable (${err instanceof Error ? err.message.replace(/^.*unreachable \((.*)\)\.$/, '$1') : String(err)})`;
      const env = await environmentCredential(targetOf(profile));
      if (!env) throw new OpsError('no_credential', `${why}, nothing cached, and no DATABASE_URL or PG* password in the environment.`, 'Restore access to Secrets Manager, or set DATABASE_URL (or PGHOST/PGUSER/PGPASSWORD) as a fallback.');
      this.sources.set(profile.id, { kind: 'environment', detail: `environment (${env.from}): ${why}`, warning: `Using the environment fallback: ${why}.`, target: env.target });
      return env;
    }
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
    const known = this.sources.get(p.id);
    const source = p.secret ? (known?.kind === 'environment' ? 'environment' : 'secrets-manager') : this.sessionPasswords.has(p.id) ? 'session' : p.passwordStored ? 'stored' : (await ambientCredential(targetOf(p))).source;
    const credential = known ? { detail: known.detail, ...(known.warning ? { warning: known.warning } : {}) } : p.secret ? { detail: `Secrets Manager ${p.secret.id} (not read yet)` } : undefined;
    // A secret-backed connection shows the target it actually uses (from the secret or the fallback).
    const t = p.secret && known?.target ? known.target : p;
    return { id: p.id, name: p.name, environment: p.environment, host: t.host, port: t.port, database: t.database, user: t.user, sslmode: t.sslmode, tenantPattern: p.tenantPattern, passwordSource: viewSource(source), isDemo: false, ...(p.secret ? { secret: p.secret } : {}), ...(credential ? { credential } : {}) };
  }

  private demoView(): ProfileView | undefined {
    const handle = this.demo.running;
    if (!handle && this.demo.state !== 'starting') return undefined;
    const { passwordStored: _stored, ...p } = demoProfile(handle?.host ?? '127.0.0.1', handle?.port ?? 0, handle?.database ?? 'podcastflow', handle?.user ?? 'postgres');
    return { ...p, passwordSource: 'demo', isDemo: true };
  }

  private async dropDatabase(id: string): Promise<void> {
    const db = this.databases.get(id);
    this.databases.delete(id);
    await db?.close();
  }
}

type ParsedInput = z.output<typeof ProfileInputSchema>;

/** One round trip: server version, SSL, latency and where the password came from. */
async function probe(db: Database): Promise<ConnectionTestResult> {
  const started = performance.now();
  const r = await db.query<{ v: string; ssl: boolean }>("SELECT current_setting('server_version') AS v, coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS ssl");
  return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10, serverVersion: r.rows[0]!.v, ssl: r.rows[0]!.ssl, passwordSource: viewSource(db.passwordSource) };
}

function demoProfile(host: string, port: number, database: string, user: string): StoredProfile {
  return { id: DEMO_ID, name: 'Demo (embedded)', environment: 'development', host, port, database, user, sslmode: 'disable', tenantPattern: DEFAULT_TENANT_PATTERN, passwordStored: false };
}

export function targetOf(p: StoredProfile): Target {
  return { host: p.host, port: p.port, database: p.database, user: p.user, sslmode: p.sslmode, ...(p.params ? { params: p.params } : {}) };
}

function viewSource(s: Credential['source']): ProfileView['passwordSource'] {
  return s === 'url' ? 'session' : s;
}

function sourceText(s: ProfileView['passwordSource']): string {
  const text: Record<ProfileView['passwordSource'], string> = {
    none: 'no password (trust, peer or certificate authentication)',
    stored: 'saved password (encrypted with the OS keychain)',
    session: 'password typed for this session',
    pgpass: '~/.pgpass',
    environment: 'environment: PGPASSWORD',
    demo: 'the embedded demo database',
    'secrets-manager': 'Secrets Manager',
  };
  return text[s];
}

/**
 * The environment fallback when Secrets Manager cannot be reached and nothing is cached:
 * DATABASE_URL, else PG* variables over the profile's last known target, as libpq would.
 */
export async function environmentCredential(last: Target): Promise<{ target: Target; password?: string; source: Credential['source']; from: string } | undefined> {
  if (process.env.DATABASE_URL) {
    const { target, password } = parseUrl(process.env.DATABASE_URL);
    const pw = password ?? (await ambientCredential(target)).password;
    return { target, ...(pw !== undefined ? { password: pw } : {}), source: 'environment', from: 'DATABASE_URL' };
  }
  const env = process.env;
  if (!env.PGHOST && !env.PGPASSWORD && !env.PGUSER) return undefined;
  const target: Target = { ...last, host: env.PGHOST || last.host, port: Number(env.PGPORT || last.port), database: env.PGDATABASE || last.database, user: env.PGUSER || last.user };
  const cred = await ambientCredential(target);
  return { target, ...(cred.password !== undefined ? { password: cred.password } : {}), source: 'environment', from: 'PG* variables' };
}

/** Destructive actions on production need the database name typed back. */
export function requireConfirmation(p: Pick<StoredProfile, 'environment' | 'database'>, confirm: string | undefined, action: string): void {
  if (p.environment === 'production' && confirm !== p.database) {
    throw new OpsError('confirmation_required', `To ${action} on production, type the database name "${p.database}" to confirm.`, 'Nothing was changed.');
  }
}

