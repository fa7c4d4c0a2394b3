import { randomInt } from 'node:crypto';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from '../../../shared/domain/secrets';
import { SSL_MODES, SslMode } from '../../../shared/vocabulary';
import { parseUrl, type Target } from '../db/connection';
import { OpsError } from '../util/errors';
import { registerSecret } from '../util/redact';
import { awsError, awsReason, isTransient, scopeOf, secretsClient } from './aws';

export interface SecretCredential {
  target: Target;
  password?: string;
  versionId: string;
  fetchedAt: Date;
}

/** What a caller gets: the credential, and a sentence on where it came from. */
export interface Resolved extends SecretCredential {
  detail: string;
  warning?: string;
  fromCache: boolean;
}

interface Entry {
  value: SecretCredential;
  expiresAt: number;
}

export const DEFAULT_TTL_MS = 60 * 60 * 1000;

/**
 * Turn a secret string into a target and password: `{ "url": "postgres://…" }`, a bare URL, or the
 * RDS shape `{ engine, host, port, username, password, dbname }`.
 */
export function parseSecretString(text: string, fallbackSslmode: SslMode = 'prefer'): { target: Target; password?: string } {
  const trimmed = text.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return parseUrl(trimmed);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    throw new OpsError('secret_format', 'The secret is neither JSON nor a postgres:// URL.', 'Store { "url": "postgres://…" } or the RDS shape { engine, host, port, username, password, dbname }.');
  }
  if (typeof doc.url === 'string') return parseUrl(doc.url);
  if (typeof doc.host === 'string' && typeof doc.username === 'string') {
    if (doc.engine !== undefined && !/^postgres/i.test(String(doc.engine))) {
      throw new OpsError('secret_format', `The secret is for engine "${String(doc.engine)}", not PostgreSQL.`, 'Point the connection at a PostgreSQL secret.');
    }
    const password = typeof doc.password === 'string' ? doc.password : undefined;
    registerSecret(password);
    const port = Number(doc.port ?? 5432);
    const sslmode = doc.sslmode === undefined ? fallbackSslmode : SslMode.safeParse(doc.sslmode).data;
    if (!sslmode) throw new OpsError('secret_format', `The secret's sslmode ${JSON.stringify(doc.sslmode).slice(0, 40)} is not one libpq knows.`, `Use one of ${SSL_MODES.join(', ')}, or leave it out.`);
    const database = typeof doc.dbname === 'string' ? doc.dbname : typeof doc.database === 'string' ? doc.database : doc.username;
    return { target: { host: doc.host, port: Number.isInteger(port) ? port : 5432, database, user: doc.username, sslmode }, ...(password ? { password } : {}) };
  }
  throw new OpsError('secret_format', 'The secret holds neither "url" nor host/username fields.', 'Store { "url": "postgres://…" } or the RDS shape { engine, host, port, username, password, dbname }.');
}

function keyOf(ref: SecretRef): string {
  return `${ref.region ?? ''}|${ref.profile ?? ''}|${ref.id}`;
}

function ago(d: Date): string {
  const min = Math.round((Date.now() - d.getTime()) / 60000);
  return min < 1 ? 'just now' : min < 120 ? `${min} min ago` : `${Math.round(min / 60)} h ago`;
}

function shortVersion(v: string): string {
  return v.length > 12 ? `${v.slice(0, 8)}…` : v;
}

/**
 * Client-side cache of database credentials from Secrets Manager (values stay in this process).
 * TTL one hour with ±10% jitter so many consoles do not refresh together; an expired entry is
 * revalidated with DescribeSecret and fetched again only when AWSCURRENT moved; a transient AWS
 * failure keeps the cached value in service with a warning.
 */
export class SecretCredentialCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly ttlMs = DEFAULT_TTL_MS) {}

  private expiry(): number {
    const jitter = Math.round(this.ttlMs * 0.1);
    return Date.now() + this.ttlMs + (jitter > 0 ? randomInt(-jitter, jitter + 1) : 0);
  }

  cached(ref: SecretRef): SecretCredential | undefined {
    return this.entries.get(keyOf(ref))?.value;
  }

  isFresh(ref: SecretRef): boolean {
    const e = this.entries.get(keyOf(ref));
    return Boolean(e && e.expiresAt > Date.now());
  }

  /** Treat the entry as past its TTL (the next use revalidates it); keeps the value as a fallback. */
  expire(ref: SecretRef): void {
    const e = this.entries.get(keyOf(ref));
    if (e) e.expiresAt = 0;
  }

  forget(ref: SecretRef): void {
    this.entries.delete(keyOf(ref));
  }

  /** Fetch (force: after an authentication failure or a rotation, skip the cache and DescribeSecret). */
  async resolve(ref: SecretRef, opts: { force?: boolean; sslmode?: SslMode } = {}): Promise<Resolved> {
    const key = keyOf(ref);
    const entry = this.entries.get(key);
    const label = `Secrets Manager ${ref.id}`;
    if (entry && !opts.force && entry.expiresAt > Date.now()) {
      return { ...entry.value, fromCache: true, detail: `${label}, version ${shortVersion(entry.value.versionId)} (cached, fetched ${ago(entry.value.fetchedAt)})` };
    }
    const client = secretsClient(scopeOf(ref));
    try {
      if (entry && !opts.force) {
        const d = await client.send(new DescribeSecretCommand({ SecretId: ref.id }));
        const current = Object.entries(d.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
        if (current && current === entry.value.versionId) {
          entry.expiresAt = this.expiry();
          return { ...entry.value, fromCache: true, detail: `${label}, version ${shortVersion(current)} (revalidated; fetched ${ago(entry.value.fetchedAt)})` };
        }
      }
      const v = await client.send(new GetSecretValueCommand({ SecretId: ref.id }));
      const text = v.SecretString ?? (v.SecretBinary ? Buffer.from(v.SecretBinary).toString('utf8') : undefined);
      if (text === undefined) throw new OpsError('secret_format', `${label} has no value.`, 'Put a value with { "url": … } or the RDS shape.');
      const parsed = parseSecretString(text, opts.sslmode);
      const value: SecretCredential = { ...parsed, versionId: v.VersionId ?? 'unknown', fetchedAt: new Date() };
      this.entries.set(key, { value, expiresAt: this.expiry() });
      return { ...value, fromCache: false, detail: `${label}, version ${shortVersion(value.versionId)}` };
    } catch (err) {
      if (err instanceof OpsError) throw err;
      if (entry) {
        // Keep working on what we have; say so. Try again in a minute rather than at once.
        entry.expiresAt = Date.now() + 60_000;
        return {
          ...entry.value,
          fromCache: true,
          detail: `${label}, version ${shortVersion(entry.value.versionId)} (cached, fetched ${ago(entry.value.fetchedAt)})`,
          warning: `Refreshing from Secrets Manager failed (${awsReason(err)}); serving the cached credential.`,
        };
      }
      throw Object.assign(awsError(err, `Reading ${label}`, scopeOf(ref)), { transient: isTransient(err) });
    }
  }
}
