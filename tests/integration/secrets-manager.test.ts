import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App } from '../../src/main/app';
import { invoke } from '../../src/main/api';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { auditAws, listSecretsPage } from '../../src/main/core/secrets/aws-audit';
import { SecretCredentialCache } from '../../src/main/core/secrets/credentials';
import { runAudit } from '../../src/main/core/secrets/audit';
import { Database } from '../../src/main/core/db/database';
import { parseUrl } from '../../src/main/core/db/connection';
import { MAX_ATTEMPTS } from '../../src/main/core/util/aws-client';
import { silentLogger } from '../../src/main/core/util/log';
import { startSecretsManager, useSecretsManagerEnv, type SecretsManagerServer } from '../support/secrets-manager-server';

const run = promisify(execFile);
let sm: SecretsManagerServer;
let restoreEnv: () => void;
const dirs: string[] = [];
const apps: App[] = [];

function newApp(): App {
  const dir = mkdtempSync(join(tmpdir(), 'pfo-sm-'));
  dirs.push(dir);
  const app = new App({ host: 'browser', vault: new NoPersistVault(), log: silentLogger, dataDir: dir });
  apps.push(app);
  return app;
}

/** The shared database's URL without sslmode trouble: the embedded server has no TLS. */
function dbUrl(): string {
  const u = new URL(inject('pgUrl'));
  u.searchParams.set('sslmode', 'disable');
  return u.toString();
}

beforeAll(async () => {
  sm = await startSecretsManager();
  restoreEnv = useSecretsManagerEnv(sm.url);
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await sm.stop();
  restoreEnv();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Secrets Manager protocol server and client', () => {
  it('answers the real SDK with AWS error shapes', async () => {
    const cache = new SecretCredentialCache();
    await expect(cache.resolve({ id: 'missing/secret' })).rejects.toMatchObject({ code: 'secret_not_found', transient: false });
    sm.create('shape/rds', JSON.stringify({ engine: 'postgres', host: 'db.internal', port: 6432, username: 'app', password: 'rds-pw-1', dbname: 'pf' }));
    const r = await cache.resolve({ id: 'shape/rds' });
    expect(r.target).toMatchObject({ host: 'db.internal', port: 6432, user: 'app', database: 'pf' });
    expect(r.detail).toMatch(/^Secrets Manager shape\/rds, version /);
    // Within the TTL no call is made; past it DescribeSecret revalidates without fetching the value again.
    const before = sm.calls.length;
    await cache.resolve({ id: 'shape/rds' });
    expect(sm.calls.length).toBe(before);
    cache.expire({ id: 'shape/rds' });
    const again = await cache.resolve({ id: 'shape/rds' });
    expect(sm.calls.slice(before)).toEqual(['DescribeSecret']);
    expect(again.detail).toMatch(/revalidated/);
    // A new AWSCURRENT version is fetched.
    sm.put('shape/rds', JSON.stringify({ engine: 'postgres', host: 'db2.internal', username: 'app', password: 'rds-pw-2' }));
    cache.expire({ id: 'shape/rds' });
    expect((await cache.resolve({ id: 'shape/rds' })).target.host).toBe('db2.internal');
    // Throttled on every attempt the SDK makes: the cached value keeps serving, with a warning.
    sm.failNext('ThrottlingException', MAX_ATTEMPTS);
    cache.expire({ id: 'shape/rds' });
    const throttled = await cache.resolve({ id: 'shape/rds' });
    expect(throttled.password).toBe('rds-pw-2');
    expect(throttled.warning).toMatch(/ThrottlingException/);
  });

  it('pages through ListSecrets and applies the AWS Config rules', async () => {
    const day = 86_400_000;
    for (let i = 0; i < 230; i++) sm.create(`bulk/${String(i).padStart(3, '0')}`, 'x', { kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k', rotationEnabled: true, rotationLambdaArn: 'arn:lambda', rotationDays: 30, lastRotatedDate: new Date() });
    sm.create('posture/bad', 'x', { createdDate: new Date(Date.now() - 400 * day), lastAccessedDate: new Date(Date.now() - 200 * day) });
    sm.create('posture/overdue', 'x', { kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k', rotationEnabled: true, rotationLambdaArn: 'arn:lambda', rotationDays: 30, lastRotatedDate: new Date(Date.now() - 45 * day) });
    const first = await listSecretsPage({});
    expect(first.secrets.length).toBe(100);
    expect(first.nextCursor).toBeDefined();
    const { findings, secretsChecked } = await auditAws({});
    expect(secretsChecked).toBe(sm.secrets.size);
    const rules = (id: string) => findings.filter((f) => f.secretId === id).map((f) => f.rule).sort();
    expect(rules('posture/bad')).toEqual(['aws-no-cmk', 'aws-rotation-disabled', 'aws-rotation-stale', 'aws-secret-unused']);
    expect(rules('posture/overdue')).toEqual(['aws-rotation-overdue']);
    expect(rules('bulk/007')).toEqual([]);
  });
});

describe('a connection whose credential is a Secrets Manager secret', () => {
  it('connects, keeps working on the cache when Secrets Manager fails, and says so', async () => {
    sm.create('podcastflow/database', JSON.stringify({ url: dbUrl() }));
    const app = newApp();
    const { profile } = await app.connections.save({ name: 'from-secret', environment: 'staging', secret: { id: 'podcastflow/database' } });
    expect(profile.secret?.id).toBe('podcastflow/database');
    const t = await app.connections.test(profile.id);
    expect(t.ok).toBe(true);
    expect(t.passwordSource).toBe('secrets-manager');
    expect(t.credential?.detail).toMatch(/^Secrets Manager podcastflow\/database, version /);
    // AWS hiccups past the TTL: the cached credential still connects, with a visible warning.
    sm.failNext('InternalServiceError', MAX_ATTEMPTS);
    app.connections.secretCache.expire({ id: 'podcastflow/database' });
    const t2 = await app.connections.test(profile.id);
    expect(t2.ok).toBe(true);
    expect(t2.credential?.warning).toMatch(/serving the cached credential/);
    const sources = await invoke(app, 'secrets.sources', {});
    expect(sources).toMatchObject({ ok: true });
    const mine = (sources as { result: { sources: Array<{ connectionId: string; kind: string; warning?: string }> } }).result.sources.find((s) => s.connectionId === profile.id);
    expect(mine).toMatchObject({ kind: 'secrets-manager-cache' });
    // Nothing secret crosses to the renderer.
    expect(JSON.stringify(sources)).not.toContain(new URL(dbUrl()).password);
  });

  it('refreshes at once and retries once on an authentication failure (rotated password)', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const role = `pfo_sm_${process.pid}`;
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'first-pw-1'`);
    try {
      const u = new URL(dbUrl());
      u.username = role;
      u.password = 'first-pw-1';
      sm.create('podcastflow/rotating', JSON.stringify({ url: u.toString() }));
      const app = newApp();
      const { profile } = await app.connections.save({ name: 'rotating', environment: 'staging', secret: { id: 'podcastflow/rotating' } });
      const { db } = await app.connections.database(profile.id);
      expect((await db.query('SELECT current_user AS u')).rows[0]).toEqual({ u: role });
      // Rotation happens elsewhere: new password in the role and in the secret; our cache is stale.
      await admin.query(`ALTER ROLE ${role} PASSWORD 'second-pw-2'`);
      u.password = 'second-pw-2';
      sm.put('podcastflow/rotating', JSON.stringify({ url: u.toString() }));
      await db.close(); // new connections must authenticate again
      const before = sm.calls.filter((c) => c === 'GetSecretValue').length;
      expect((await db.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
      expect(sm.calls.filter((c) => c === 'GetSecretValue').length).toBe(before + 1);
      await db.close();
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await admin.end();
    }
  });

  it('audits the database posture and the console connection without SSL', async () => {
    const { target, password } = parseUrl(dbUrl());
    const db = new Database(target, { ...(password ? { password } : {}), source: 'url' });
    try {
      const r = await runAudit({ db });
      expect(r.findings.map((f) => f.rule)).toContain('db-connection-no-ssl');
      expect(r.findings.every((f) => f.category === 'database')).toBe(true);
    } finally {
      await db.close();
    }
  });
  it('CLI: audit secrets --db-secret and --aws say where the credential came from and exit by severity', async () => {
    const r = await run('node', ['bin/podcastflow-ops.js', 'audit', 'secrets', '--db-secret', 'podcastflow/database', '--aws', '--json'], { env: process.env }).catch((e: { code: number; stdout: string }) => e);
    const doc = JSON.parse(r.stdout) as { credentialSource: string; findings: Array<{ category: string; rule: string }>; summary: { secretsChecked: number; worst: string } };
    expect(doc.credentialSource).toMatch(/^Secrets Manager podcastflow\/database, version /);
    expect(doc.summary.secretsChecked).toBe(sm.secrets.size);
    expect(doc.findings.some((f) => f.category === 'database' && f.rule === 'db-connection-no-ssl')).toBe(true);
    expect(doc.findings.some((f) => f.category === 'aws' && f.rule === 'aws-rotation-disabled')).toBe(true);
    expect((r as { code?: number }).code ?? 0).toBe(2);
    expect(r.stdout).not.toContain(new URL(dbUrl()).password);
  });

  it('with the server stopped: the cache keeps working with a warning; no cache falls back to DATABASE_URL', async () => {
    sm.create('podcastflow/fallback', JSON.stringify({ url: dbUrl() }));
    const cached = newApp();
    const { profile } = await cached.connections.save({ name: 'cached', environment: 'staging', secret: { id: 'podcastflow/fallback' } });
    expect((await cached.connections.test(profile.id)).ok).toBe(true);
    const uncached = newApp();
    const { profile: p2 } = await uncached.connections.save({ name: 'uncached', environment: 'staging', secret: { id: 'podcastflow/fallback' } });
    uncached.connections.secretCache.forget({ id: 'podcastflow/fallback' });
    await sm.stop();

    cached.connections.secretCache.expire({ id: 'podcastflow/fallback' });
    const t1 = await cached.connections.test(profile.id);
    expect(t1.ok).toBe(true);
    expect(t1.credential?.warning).toMatch(/ECONNREFUSED|unreachable|failed/i);

    // Nothing cached and no environment: a clear error, not a hang.
    await expect(uncached.connections.test(p2.id)).rejects.toMatchObject({ code: 'no_credential' });
    process.env.DATABASE_URL = dbUrl();
    try {
      const t2 = await uncached.connections.test(p2.id);
      expect(t2.ok).toBe(true);
      expect(t2.passwordSource).toBe('environment');
      expect(t2.credential?.detail).toMatch(/^environment \(DATABASE_URL\): Secrets Manager unreachable/);
      const view = (await uncached.connections.list()).profiles.find((p) => p.id === p2.id)!;
      expect(view.credential?.detail).toMatch(/environment \(DATABASE_URL\)/);
    } finally {
      delete process.env.DATABASE_URL;
    }
  });
});
